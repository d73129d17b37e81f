"""Where an indicator's rows come from, as Ibis tables with a `day` and a `district`
column: the hotline's orders, the halls' bookings and the applications from the database
(only the columns a formula may use, no personal data, only the days evaluated), or an
ingested dataset's Parquet file in the hub's store, read by DuckDB where it lies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.analytics.selectors import DISTRICT_TILES
from hongmian.core.errors import ValidationFailed
from hongmian.opscentre.formula import memtable
from hongmian.opscentre.states import Source

# Columns each built-in source offers to formulas (name → kind).
COLUMNS: dict[str, dict[str, str]] = {
    Source.HOTLINE_ORDERS: {
        "day": "date",
        "district": "string",
        "status": "string",
        "channel": "string",
        "request_type": "string",
    },
    Source.BOOKINGS: {"day": "date", "district": "string", "status": "string", "via": "string"},
    Source.APPLICATIONS: {"day": "date", "district": "string", "status": "string"},
}
DISTRICT_CODES = {name: code for code, name, _r, _c in DISTRICT_TILES}
_NUMERIC = {"integer", "number", "year"}
_DATES = {"date", "datetime"}


def _district(code: str | None) -> str:
    # A street's or community's code belongs to its district: the first six digits.
    return f"{code[:6]}000" if code and len(code) >= 6 else ""


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def dataset_columns(dataset: Any, *, date_field: str, district_field: str) -> dict[str, str]:
    """A dataset's columns by kind, with `day` and `district` standing for the declared ones."""
    kinds = {f.name: f.type for f in dataset.fields.all()}
    if date_field not in kinds or kinds[date_field] not in _DATES:
        raise ValidationFailed(
            gettext("数据资源没有日期字段“%(f)s”") % {"f": date_field},
            code="opscentre.bad_formula",
            fields={"date_field": ["unknown"]},
        )
    if district_field and district_field not in kinds:
        raise ValidationFailed(
            gettext("数据资源没有字段“%(f)s”") % {"f": district_field},
            code="opscentre.bad_formula",
            fields={"district_field": ["unknown"]},
        )
    columns = {
        name: "number" if kind in _NUMERIC else "date" if kind in _DATES else "string"
        for name, kind in kinds.items()
    }
    return {**columns, "day": "date", "district": "string"}


def columns_of(indicator: Any) -> dict[str, str]:
    if indicator.source == Source.DATASET:
        return dataset_columns(
            indicator.dataset,
            date_field=indicator.date_field,
            district_field=indicator.district_field,
        )
    return COLUMNS[indicator.source]


def source_table(con: Any, indicator: Any, *, start: dt.date, end: dt.date) -> Any:
    """The rows of the indicator's source for the days [start, end] as an Ibis table."""
    columns = columns_of(indicator)
    if indicator.source == Source.DATASET:
        return _dataset_table(con, indicator, columns)
    return memtable(_database_rows(indicator.source, start, end), columns)


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    return low, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def _database_rows(source: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    low, high = _window(start, end)
    if source == Source.HOTLINE_ORDERS:
        from hongmian.hotline.models import WorkOrder
        from hongmian.hotline.states import Channel

        # The platform's own alerts (channel `system`, some raised by indicators) are not
        # the public's demands: counting them would feed an alarm with its own tasks.
        orders = WorkOrder.objects.filter(created_at__gte=low, created_at__lt=high).exclude(
            channel=Channel.SYSTEM
        )
        return [
            {
                "day": _local_day(r["created_at"]),
                "district": r["district_code"],
                "status": r["status"],
                "channel": r["channel"],
                "request_type": r["request_type"],
            }
            for r in orders.values(
                "created_at", "district_code", "status", "channel", "request_type"
            )
        ]
    if source == Source.BOOKINGS:
        from hongmian.appointments.models import Booking

        bookings = Booking.objects.filter(slot__day__gte=start, slot__day__lte=end)
        return [
            {
                "day": r["slot__day"],
                "district": _district(r["slot__hall__division__code"]),
                "status": r["status"],
                "via": r["via"],
            }
            for r in bookings.values("slot__day", "slot__hall__division__code", "status", "via")
        ]
    from hongmian.applications.models import Application

    applications = Application.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
    return [
        {"day": _local_day(r["submitted_at"]), "district": "", "status": r["status"]}
        for r in applications.values("submitted_at", "status")
    ]


def _dataset_table(con: Any, indicator: Any, columns: dict[str, str]) -> Any:
    from hongmian.datahub.services.ingestion import dataset_file

    path = dataset_file(indicator.dataset)
    if not path.exists():
        # Nothing loaded yet: an empty table of the right shape (every count is 0).
        return memtable([], columns)
    table = con.read_parquet(str(path))
    day = table[indicator.date_field].cast("date").name("day")
    if indicator.district_field:
        raw = table[indicator.district_field].cast("string")
        # A department writes the district's name (天河区); the map keys by code.
        district = raw.substitute(DISTRICT_CODES, else_=raw).name("district")
    else:
        district = ibis.literal("").name("district")
    keep = [table[c] for c in table.columns if c not in ("day", "district")]
    return table.select(*keep, day, district)
