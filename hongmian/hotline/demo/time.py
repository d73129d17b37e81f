"""Giving the demo's orders their past: the seeder runs every step through the real services
in a few seconds of real time, then moves each timestamp to the historical moment its step
stands for.

The services stamp their rows with `timezone.now()` and take no `at=` argument, and patching
the clock in production code is not an option. So `HistoryClock` notes the real instant at
which each step began together with the historical instant it represents; a timestamp
written during step k is moved to `history[k] + (t - real[k])` (the few milliseconds inside
a step keep the order of its rows). Steps never overlap: the seeder runs them one by one.
Timestamps outside the seeding run (an SLA deadline in the future, a meeting time the seeder
passed itself) are left alone; clock deadlines are then recomputed from their new start.

Order numbers carry the intake date (GZ-YYYYMMDD-NNNNNN); they are renumbered to the
historical date with the same counter, and texts that quote a number follow.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.utils import timezone

from hongmian.core import deadlines
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import (
    Assignment,
    Callback,
    ExtensionRequest,
    JointMeeting,
    ReturnRequest,
    SlaClock,
    Supervision,
    TimelineEntry,
    WorkOrder,
)
from hongmian.hotline.services import sla

# Every model the lifecycle services write while the seeder runs.
WRITTEN_MODELS: tuple[type[models.Model], ...] = (
    WorkOrder,
    Assignment,
    TimelineEntry,
    SlaClock,
    ReturnRequest,
    ExtensionRequest,
    Supervision,
    Callback,
    JointMeeting,
    AuditEvent,
)


class HistoryClock:
    """Real instants of the seeding run → the historical instants they stand for."""

    def __init__(self) -> None:
        self.real: list[dt.datetime] = []
        self.history: list[dt.datetime] = []
        self._last = timezone.now()
        self.started = self._last

    def step(self, at: dt.datetime) -> None:
        """Call right before the services of a step that happened at `at`."""
        now = timezone.now()
        while now <= self._last:  # a new microsecond: no row can belong to two steps
            now = timezone.now()
        self.real.append(now)
        self.history.append(at)

    def done(self) -> None:
        """Call right after the step's services return."""
        self._last = timezone.now()

    def map(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None or not self.real or not self.real[0] <= value <= self._last:
            return value
        k = bisect_right(self.real, value) - 1
        return self.history[k] + (value - self.real[k])


def _datetime_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and not f.primary_key
    ]


def _update_rows(
    model: type[models.Model], columns: Sequence[models.Field[Any, Any]], rows: list[list[Any]]
) -> None:
    """Set `columns` of many rows by primary key (each row: pk, then the values). One
    statement per chunk on PostgreSQL (UPDATE … FROM unnest), a prepared statement run per
    row elsewhere; both are far cheaper than bulk_update's CASE for tens of thousands."""
    if not rows:
        return
    connection = connections[model._default_manager.db]
    qn = connection.ops.quote_name
    # Identifiers come from the model; every value is a parameter.
    table, pk = qn(model._meta.db_table), qn(str(model._meta.pk.column))
    names = [qn(str(f.column)) for f in columns]
    prepared = [
        [
            row[0],
            *(f.get_db_prep_save(v, connection) for f, v in zip(columns, row[1:], strict=True)),
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = ["bigint", *((f.db_type(connection) or "text").split("(")[0] for f in columns)]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            aliases = ", ".join(["id", *(f"c{i}" for i in range(len(columns)))])
            sets = ", ".join(f"{n} = v.c{i}" for i, n in enumerate(names))
            sql = (
                f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({aliases}) "  # noqa: S608  # identifiers only
                f"WHERE t.{pk} = v.id"
            )
            for start in range(0, len(prepared), 5000):
                chunk = prepared[start : start + 5000]
                cursor.execute(sql, [list(col) for col in zip(*chunk, strict=True)])
        else:
            sets = ", ".join(f"{n} = %s" for n in names)
            sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608  # identifiers only
            cursor.executemany(sql, [[*row[1:], row[0]] for row in prepared])


def history_apply(clock: HistoryClock, orders: models.QuerySet[WorkOrder]) -> dict[str, int]:
    """Move every timestamp written since `clock` started to its historical moment,
    renumber `orders` to their historical dates and recompute their clocks' deadlines.
    Returns the rows changed per model."""
    changed: dict[str, int] = {}
    numbers = _renumber(clock, orders)
    pattern = _number_pattern()
    for model in WRITTEN_MODELS:
        fields = _datetime_fields(model)
        texts = _number_fields(model) if numbers else []
        columns = [*fields, *texts]
        qs = model._default_manager.filter(created_at__gte=clock.started)
        rows: list[list[Any]] = []
        for pk, *old in qs.values_list("pk", *(f.attname for f in columns)).iterator(2000):
            new = [clock.map(v) for v in old[: len(fields)]]
            new += [_replace_numbers(v, numbers, pattern) for v in old[len(fields) :]]
            if new != old:
                rows.append([pk, *new])
        _update_rows(model, columns, rows)
        changed[model._meta.label] = len(rows)
    changed["deadlines"] = _recompute_deadlines(orders)
    changed["knowledge.ArticleUsage"] = _article_usages(clock, numbers, pattern)
    return changed


def _article_usages(clock: HistoryClock, numbers: dict[str, str], pattern: re.Pattern[str]) -> int:
    """The knowledge app's records of direct answers read from an article name the order
    by number and stamp `used_at`: both follow the order into its history."""
    if not apps.is_installed("hongmian.knowledge"):
        return 0
    from hongmian.knowledge.models import ArticleUsage

    fields = [
        cast(models.Field[Any, Any], ArticleUsage._meta.get_field(name))
        for name in ("used_at", "order_ref")
    ]
    rows: list[list[Any]] = []
    for pk, used_at, order_ref in ArticleUsage.objects.filter(
        used_at__gte=clock.started
    ).values_list("pk", "used_at", "order_ref"):
        rows.append([pk, clock.map(used_at), _replace_numbers(order_ref, numbers, pattern)])
    _update_rows(ArticleUsage, fields, rows)
    return len(rows)


def _number_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Fields that may quote an order number: the number itself, texts and JSON."""
    names = {"number", "text", "before", "after", "data", "note", "minutes", "reply"}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name in names and isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def _number_pattern() -> re.Pattern[str]:
    return re.compile(re.escape(settings.HONGMIAN_HOTLINE_NUMBER_PREFIX) + r"-\d{8}-\d+")


def _renumber(clock: HistoryClock, orders: models.QuerySet[WorkOrder]) -> dict[str, str]:
    """Old number → new number: the date part becomes the historical intake date; the
    counter after it (unique on its own) stays."""
    out: dict[str, str] = {}
    tz = timezone.get_default_timezone()
    pattern = _number_pattern()
    for number, created in orders.values_list("number", "created_at"):
        when = clock.map(created)
        if when is None or not pattern.fullmatch(number):
            continue
        prefix, _date, counter = number.rsplit("-", 2)
        new = f"{prefix}-{timezone.localtime(when, tz):%Y%m%d}-{counter}"
        if new != number:
            out[number] = new
    return out


def _replace_numbers(value: Any, numbers: dict[str, str], pattern: re.Pattern[str]) -> Any:
    if value is None or not numbers:
        return value
    if isinstance(value, str):
        if settings.HONGMIAN_HOTLINE_NUMBER_PREFIX not in value:
            return value
        return pattern.sub(lambda m: numbers.get(m[0], m[0]), value)
    dumped = json.dumps(value, ensure_ascii=False)
    if settings.HONGMIAN_HOTLINE_NUMBER_PREFIX not in dumped:
        return value
    replaced = pattern.sub(lambda m: numbers.get(m[0], m[0]), dumped)
    return value if replaced == dumped else json.loads(replaced)


def _recompute_deadlines(orders: models.QuerySet[WorkOrder]) -> int:
    """A clock's warning and deadline follow from its (now historical) start, its unit and
    its limit plus approved extensions — the SLA service's own arithmetic."""
    rows: list[list[Any]] = []
    default_ratio = sla.FALLBACK_LIMITS.yellow_ratio
    for pk, start, unit, limit, extra, ratio in SlaClock.objects.filter(
        order__in=orders
    ).values_list("pk", "started_at", "unit", "limit", "extra", "rule__yellow_ratio"):
        due = deadlines.deadline(start, unit, Decimal(limit) + Decimal(extra))
        yellow = deadlines.warning_at(start, due, unit, Decimal(ratio or default_ratio))
        rows.append([pk, yellow, due])
    fields = [SlaClock._meta.get_field("yellow_at"), SlaClock._meta.get_field("due_at")]
    _update_rows(SlaClock, fields, rows)
    # The orders' copy of their running clocks follows the moved deadlines.
    sla.sla_orders_clocks_sync(orders=WorkOrder.objects.filter(pk__in=orders.values("pk")))
    return len(rows)


__all__ = ["WRITTEN_MODELS", "HistoryClock", "history_apply"]
