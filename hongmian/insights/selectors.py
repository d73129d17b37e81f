"""Reads of the insights app: the stored hot-spot scans and alerts (services/hotspots.py
writes them), for the board, the hot-spot page, the analytics report and the dashboard.
They hold no personal data: a hot spot names its orders by id, and whoever follows one
reads it through the hotline's `access_work_order`."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Subquery

from hongmian.insights.models import Hotspot, HotspotAlert

# A period's hot spots come from the last scan made by this long after the period's end
# (the monthly report runs on the 1st; the scan runs hourly).
PERIOD_SCAN_GRACE = dt.timedelta(days=2)


def hotspots_latest(*, limit: int | None = None) -> list[Hotspot]:
    """The hot spots of the latest scan, hottest first. One query."""
    latest = Hotspot.objects.order_by("-scanned_at").values("scanned_at")[:1]
    spots = Hotspot.objects.filter(scanned_at=Subquery(latest)).order_by("rank")
    return list(spots[:limit] if limit else spots)


def hotspots_for_period(
    *, start: dt.datetime, end: dt.datetime, limit: int | None = None
) -> list[Hotspot]:
    """The hot spots of [start, end) for a report: of the last scan made inside the period
    or up to PERIOD_SCAN_GRACE after it, the groups with an order in the period, hottest
    first. Scans are kept a week (services/hotspots.py), so an older period has none: [].
    Two queries."""
    scan = (
        Hotspot.objects.filter(scanned_at__gte=start, scanned_at__lt=end + PERIOD_SCAN_GRACE)
        .order_by("-scanned_at")
        .values_list("scanned_at", flat=True)
        .first()
    )
    if scan is None:
        return []
    spots = Hotspot.objects.filter(scanned_at=scan, ended_at__gte=start, started_at__lt=end)
    spots = spots.select_related("representative").order_by("rank")
    return list(spots[:limit] if limit else spots)


def hotspot_alerts_open() -> QuerySet[HotspotAlert]:
    """Alerts no supervisor has acknowledged yet, newest first."""
    return HotspotAlert.objects.filter(acknowledged_at__isnull=True).order_by("-created_at", "-id")


def hotspot_alerts_between(*, start: dt.date, end: dt.date) -> list[HotspotAlert]:
    """The alerts raised for burst days in [start, end), in day order (alerts are kept)."""
    alerts = HotspotAlert.objects.filter(day__gte=start, day__lt=end)
    return list(alerts.select_related("representative").order_by("day", "id"))


def hotspot_alerts_acknowledged(*, limit: int = 50) -> list[HotspotAlert]:
    """The alerts a supervisor has seen, the latest acknowledged first."""
    alerts = HotspotAlert.objects.filter(acknowledged_at__isnull=False)
    alerts = alerts.select_related("representative", "acknowledged_by")
    return list(alerts.order_by("-acknowledged_at", "-id")[:limit])
