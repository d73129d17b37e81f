"""Reads of the operations centre: the indicators with their newest readings, the open
alerts, the board the big screen draws (and its push stream sends), the urban-village view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Max, QuerySet
from django.urls import reverse

from hongmian.analytics.selectors import DISTRICT_TILES
from hongmian.hotline.states import FINISHED_STATUSES
from hongmian.opscentre.models import Alert, Indicator, Reading
from hongmian.opscentre.states import AlertKind, GroupBy, Level

# Alerts listed on the screen (the true count is shown beside them).
SCREEN_ALERTS = 8
# Tiles on the screen: two rows of five (more indicators are listed by their count).
SCREEN_TILES = 10
# Readings sent by one turn of the push stream.
STREAM_BATCH = 50


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.filter(active=True).select_related("owner", "dataset")


def latest_readings(indicator_ids: Sequence[int]) -> dict[int, Reading]:
    """Each indicator's newest reading, in two queries whatever the number of indicators."""
    newest = (
        Reading.objects.filter(indicator_id__in=indicator_ids)
        .values("indicator_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    return {r.indicator_id: r for r in Reading.objects.filter(id__in=list(newest))}


def open_alerts() -> QuerySet[Alert]:
    """Alerts whose task is not finished (or was not filed), newest first."""
    return (
        Alert.objects.exclude(work_order__status__in=FINISHED_STATUSES)
        .select_related("indicator", "indicator__owner", "work_order")
        .order_by("-created_at", "-id")
    )


def reading_last_id() -> int:
    return Reading.objects.order_by("-id").values_list("id", flat=True).first() or 0


def readings_after(last_id: int) -> list[Reading]:
    return list(
        Reading.objects.filter(id__gt=last_id)
        .select_related("indicator")
        .order_by("id")[:STREAM_BATCH]
    )


def _tile(indicator: Indicator, reading: Reading | None) -> dict[str, Any]:
    series = reading.detail.get("series", []) if reading else []
    return {
        "code": indicator.code,
        "name": indicator.name,
        "owner": indicator.owner.name,
        "uom": indicator.unit_of_measure,
        "value": reading.value if reading else None,
        "level": reading.level if reading else Level.NO_DATA,
        "level_label": Level(reading.level).label if reading else Level.NO_DATA.label,
        "anomaly": bool(reading and reading.anomaly),
        "period": reading.period.isoformat() if reading else "",
        "evaluated_at": reading.evaluated_at.isoformat() if reading else "",
        "series": series,
        "warn": indicator.warn,
        "alarm": indicator.alarm,
        "reading": reading.pk if reading else 0,
    }


def board(*, map_code: str = "") -> dict[str, Any]:
    """What the big screen shows: a tile per indicator (value, light, the 28-day series),
    the district map of one indicator grouped by district (`map_code`, else the first),
    and the open alerts with their true count."""
    every = list(indicator_list())
    indicators = every[:SCREEN_TILES]
    readings = latest_readings([i.pk for i in indicators])
    tiles = [_tile(i, readings.get(i.pk)) for i in indicators]
    mapped = [i for i in indicators if i.group_by == GroupBy.DISTRICT]
    chosen = next((i for i in mapped if i.code == map_code), mapped[0] if mapped else None)
    values: dict[str, Any] = {}
    if chosen is not None and chosen.pk in readings:
        values = readings[chosen.pk].detail.get("districts", {})
    districts = [
        {"code": code, "name": name, "row": row, "col": col, "value": values.get(code, 0)}
        for code, name, row, col in DISTRICT_TILES
    ]
    alerts = open_alerts()
    listed = [
        {
            "indicator": a.indicator.name,
            "kind": AlertKind(a.kind).label,
            "period": a.period.isoformat(),
            "unit": a.indicator.owner.name,
            "order": a.work_order.number if a.work_order else "",
            "due": (
                a.work_order.resolution_due_at.isoformat()
                if a.work_order and a.work_order.resolution_due_at
                else ""
            ),
            "url": reverse("hotline:order", args=[a.work_order_id]) if a.work_order_id else "",
        }
        for a in alerts[:SCREEN_ALERTS]
    ]
    return {
        "tiles": tiles,
        "indicators_total": len(every),
        "map": {"code": chosen.code, "name": chosen.name} if chosen else None,
        "districts": districts,
        "alerts": listed,
        "alerts_total": alerts.count(),
        "last_reading": max((t["reading"] for t in tiles), default=0),
    }
