"""Export work orders from the database to the analytics store (Parquet, one partition per
month of `created_at` in Beijing time).

Incremental, resumable, idempotent:
- A month is always written whole, to a temporary file renamed over the old one
  (store.write_partition), so re-running never duplicates a row and a crash leaves the old
  partition in place.
- The manifest records, per month, when it was exported (`as_of`, the run's start) and how
  many rows and open orders it held. After each month it is replaced atomically, so a run
  that dies half-way has recorded every month it finished; the next run redoes only the
  rest.
- A month is rewritten when: it is new; its row count in the database differs (orders added
  or deleted); it held open orders (their on-time flags depend on the clock, not only on
  edits); or any of its orders — or their callbacks, supervisions or SLA clocks — changed
  after `as_of - OVERLAP`. The overlap covers transactions that were still open when the
  previous run read (their `updated_at` was set before they committed).
- A month whose orders are all gone is removed.

Without `commit` nothing is written: the plan is returned for the command to print.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.analytics import store as store_mod
from hongmian.analytics.schema import COLUMN_NAMES, ORDER_SCHEMA, TZ, month_bounds, month_key
from hongmian.core.errors import ApplicationError, Conflict
from hongmian.hotline.models import Callback, SlaClock, Supervision, WorkOrder
from hongmian.hotline.states import OPEN_STATUSES, ClockKind, CloseReason, SupervisionKind

OVERLAP = dt.timedelta(minutes=10)
BATCH_SIZE = 2000  # orders per query: bounded memory, and well under SQLite's variable limit

Progress = Callable[[str], None]


class StoreFull(ApplicationError):
    """The store's disk (or the process's file-size limit) ran out during an export."""

    status_code = 507
    default_code = "analytics.disk_full"


@dataclass(frozen=True, slots=True)
class MonthPlan:
    key: str
    reason: str  # new / count / open / changed / removed
    rows: int  # in the database now


@dataclass
class ExportResult:
    plan: list[MonthPlan]
    unchanged: list[str]
    committed: bool
    written: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)


# --- planning ------------------------------------------------------------------------------


def _key(month: dt.datetime | dt.date) -> str:
    if isinstance(month, dt.datetime):
        month = month.astimezone(TZ) if timezone.is_aware(month) else month
    return month_key(month if isinstance(month, dt.date) else month.date())


def _month_stats() -> dict[str, dict[str, Any]]:
    rows = (
        WorkOrder.objects.annotate(month=TruncMonth("created_at", tzinfo=TZ))
        .values("month")
        .annotate(
            rows=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            last=Max("updated_at"),
        )
        .order_by()
    )
    return {_key(r["month"]): dict(r) for r in rows}


def _related_changes(since: dt.datetime | None) -> dict[str, dt.datetime]:
    """The latest change of a handling row (callback, supervision, SLA clock), by the month
    of its order. Rows older than `since` cannot make any month stale, so they are skipped."""
    latest: dict[str, dt.datetime] = {}
    for model in (Callback, Supervision, SlaClock):
        qs = model.objects.all()
        if since is not None:
            qs = qs.filter(updated_at__gt=since)
        rows = (
            qs.annotate(month=TruncMonth("order__created_at", tzinfo=TZ))
            .values("month")
            .annotate(last=Max("updated_at"))
            .order_by()
        )
        for r in rows:
            key = _key(r["month"])
            if key not in latest or r["last"] > latest[key]:
                latest[key] = r["last"]
    return latest


def export_plan(manifest: dict[str, Any] | None) -> tuple[list[MonthPlan], list[str]]:
    """Which months to write (with the reason) and which are up to date."""
    done = manifest["partitions"] if manifest else {}
    stats = _month_stats()
    as_ofs = [dt.datetime.fromisoformat(p["as_of"]) for p in done.values()]
    since = min(as_ofs) - OVERLAP if as_ofs else None
    related = _related_changes(since)
    plan: list[MonthPlan] = []
    unchanged: list[str] = []
    for key in sorted(set(stats) | set(done)):
        s = stats.get(key)
        p = done.get(key)
        if s is None:
            plan.append(MonthPlan(key, "removed", 0))
            continue
        rows = s["rows"]
        if p is None:
            plan.append(MonthPlan(key, "new", rows))
            continue
        if p["rows"] != rows:
            plan.append(MonthPlan(key, "count", rows))
            continue
        if p.get("open", 0) or s["open"]:
            plan.append(MonthPlan(key, "open", rows))
            continue
        cutoff = dt.datetime.fromisoformat(p["as_of"]) - OVERLAP
        last = max(x for x in (s["last"], related.get(key)) if x is not None)
        if last > cutoff:
            plan.append(MonthPlan(key, "changed", rows))
        else:
            unchanged.append(key)
    return plan, unchanged


# --- rows --------------------------------------------------------------------------------


_ORDER_FIELDS = (
    "id",
    "number",
    "created_at",
    "updated_at",
    "channel",
    "request_type",
    "category__code",
    "category__name",
    "category__level",
    "category__parent__code",
    "category__parent__name",
    "category__parent__parent__code",
    "category__parent__parent__name",
    "district_code",
    "street_code",
    "lead_unit__code",
    "lead_unit__name",
    "first_unit__code",
    "first_unit__name",
    "status",
    "dispatched_at",
    "acknowledged_at",
    "replied_at",
    "closed_at",
    "close_reason",
    "satisfaction",
    "resolved",
    "is_enterprise",
    "is_emergency",
    "return_count",
    "reopen_count",
    "extension_count",
)


def _categories(o: dict[str, Any]) -> tuple[Any, ...]:
    """(l1 code, l1 name, l2 code, l2 name, l3 code, l3 name) from the order's category,
    whatever its level."""
    chain = [
        (o["category__code"], o["category__name"]),
        (o["category__parent__code"], o["category__parent__name"]),
        (o["category__parent__parent__code"], o["category__parent__parent__name"]),
    ]
    level = o["category__level"]
    if level is None:
        return (None,) * 6
    # The chain walks up from the order's own category: reverse the part that exists.
    path = [c for c in chain[:level]][::-1] + [(None, None)] * (3 - level)
    return tuple(v for pair in path for v in pair)


def _flag(stopped: dt.datetime | None, due: dt.datetime | None, now: dt.datetime) -> bool | None:
    """On time? True/False once the clock stopped; False once it is overdue; None before."""
    if due is None:
        return None
    if stopped is not None:
        return stopped <= due
    return False if now > due else None


def _batches(start: dt.datetime, end: dt.datetime, size: int) -> Iterator[list[dict[str, Any]]]:
    """Orders created in [start, end), by (created_at, id), in keyset-paginated batches so
    that memory stays flat however big the month."""
    qs = WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end).order_by(
        "created_at", "id"
    )
    last: tuple[dt.datetime, int] | None = None
    while True:
        page = qs
        if last is not None:
            page = qs.filter(Q(created_at__gt=last[0]) | Q(created_at=last[0], id__gt=last[1]))
        rows = list(page.values(*_ORDER_FIELDS)[:size])
        if not rows:
            return
        yield rows
        last = (rows[-1]["created_at"], rows[-1]["id"])


def _handling(ids: list[int]) -> dict[str, Any]:
    """Callback and supervision counts, the latest acknowledge and resolution clocks, and
    the latest change among these rows, for a batch of orders."""
    callbacks = dict(
        Callback.objects.filter(order_id__in=ids)
        .values("order_id")
        .annotate(n=Count("id"))
        .values_list("order_id", "n")
    )
    supervision: dict[tuple[int, str], int] = {}
    for order_id, kind, n in (
        Supervision.objects.filter(order_id__in=ids)
        .values("order_id", "kind")
        .annotate(n=Count("id"))
        .values_list("order_id", "kind", "n")
    ):
        supervision[(order_id, kind)] = n
    clocks: dict[tuple[int, str], tuple[dt.datetime, dt.datetime | None]] = {}
    # Oldest first, so the latest clock of each kind (the current lead unit's) wins.
    for order_id, kind, due, stopped in (
        SlaClock.objects.filter(
            order_id__in=ids, kind__in=[ClockKind.ACKNOWLEDGE, ClockKind.RESOLUTION]
        )
        .order_by("started_at", "id")
        .values_list("order_id", "kind", "due_at", "stopped_at")
    ):
        clocks[(order_id, kind)] = (due, stopped)
    changed: dict[int, dt.datetime] = defaultdict(lambda: dt.datetime.min.replace(tzinfo=dt.UTC))
    for model in (Callback, Supervision, SlaClock):
        for order_id, last in (
            model.objects.filter(order_id__in=ids)
            .values("order_id")
            .annotate(last=Max("updated_at"))
            .values_list("order_id", "last")
        ):
            changed[order_id] = max(changed[order_id], last)
    return {
        "callbacks": callbacks,
        "supervision": supervision,
        "clocks": clocks,
        "changed": changed,
    }


def _table(rows: list[dict[str, Any]], now: dt.datetime) -> pa.Table:
    h = _handling([r["id"] for r in rows])
    cols: dict[str, list[Any]] = {name: [] for name in COLUMN_NAMES}
    for o in rows:
        oid = o["id"]
        ack_due, ack_stopped = h["clocks"].get((oid, ClockKind.ACKNOWLEDGE), (None, None))
        res_due, res_stopped = h["clocks"].get((oid, ClockKind.RESOLUTION), (None, None))
        dispatched = o["dispatched_at"] is not None
        l1c, l1n, l2c, l2n, l3c, l3n = _categories(o)
        values = {
            "order_id": oid,
            "number": o["number"],
            "created_at": o["created_at"],
            "created_date": o["created_at"].astimezone(TZ).date(),
            "channel": o["channel"],
            "request_type": o["request_type"],
            "category_l1_code": l1c,
            "category_l1_name": l1n,
            "category_l2_code": l2c,
            "category_l2_name": l2n,
            "category_l3_code": l3c,
            "category_l3_name": l3n,
            "district_code": o["district_code"] or None,
            "street_code": o["street_code"] or None,
            "lead_unit_code": o["lead_unit__code"],
            "lead_unit_name": o["lead_unit__name"],
            "first_unit_code": o["first_unit__code"] or o["lead_unit__code"],
            "first_unit_name": o["first_unit__name"] or o["lead_unit__name"],
            "status": o["status"],
            "dispatched_at": o["dispatched_at"],
            "acknowledged_at": o["acknowledged_at"],
            "acknowledge_due_at": ack_due,
            "resolution_due_at": res_due,
            "replied_at": o["replied_at"],
            "closed_at": o["closed_at"],
            "close_reason": o["close_reason"] or None,
            "satisfaction": o["satisfaction"] or None,
            "resolved": o["resolved"],
            "is_enterprise": o["is_enterprise"],
            "is_emergency": o["is_emergency"],
            "direct_answer": o["close_reason"] == CloseReason.DIRECT_ANSWER,
            # The clocks say whether the unit was on time: acknowledge stops the first, the
            # reply (办结答复) stops the second (docs/hotline.md).
            "acknowledged_on_time": _flag(ack_stopped, ack_due, now) if dispatched else None,
            "on_time": _flag(res_stopped, res_due, now) if dispatched else None,
            "return_count": o["return_count"],
            "reopen_count": o["reopen_count"],
            "extension_count": o["extension_count"],
            "callback_count": h["callbacks"].get(oid, 0),
            "urge_count": h["supervision"].get((oid, SupervisionKind.URGE), 0),
            "supervision_count": h["supervision"].get((oid, SupervisionKind.SUPERVISE), 0),
            "updated_at": max(o["updated_at"], h["changed"][oid]),
        }
        for name in COLUMN_NAMES:
            cols[name].append(values[name])
    plain = {
        name: pa.array(
            cols[name],
            type=ORDER_SCHEMA.field(name).type.value_type
            if pa.types.is_dictionary(ORDER_SCHEMA.field(name).type)
            else ORDER_SCHEMA.field(name).type,
        )
        for name in COLUMN_NAMES
    }
    return pa.table(plain)


def _month_tables(key: str, now: dt.datetime, batch_size: int) -> Iterator[pa.Table]:
    first, following = month_bounds(key)
    start = dt.datetime.combine(first, dt.time(), tzinfo=TZ)
    end = dt.datetime.combine(following, dt.time(), tzinfo=TZ)
    for rows in _batches(start, end, batch_size):
        yield _table(rows, now)


# --- the export ----------------------------------------------------------------------------


def analytics_export(
    *,
    out: Path,
    commit: bool = False,
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> ExportResult:
    """Bring the store at `out` up to date with the database (see the module docstring).
    Without `commit`, only plans. Holds the store's lock while writing."""
    started = now or timezone.now()
    manifest = store_mod.read_manifest(out) if out.exists() else None
    if manifest is not None and manifest.get("source") != "export":
        raise Conflict(
            gettext("%(out)s 是模拟历史数据（来源：%(value1)s），不能导出到这里")
            % {"out": out, "value1": manifest.get("source")},
            code="analytics.store_exists",
        )
    plan, unchanged = export_plan(manifest)
    result = ExportResult(plan=plan, unchanged=unchanged, committed=commit)
    if not commit:
        return result
    try:
        _write(out, plan, result, started, batch_size, progress)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise
        # The month being written was never published (store.write_partition removes its
        # temporary file) and every month before it is recorded: a rerun resumes there.
        done = ", ".join(result.written) or "无"
        raise StoreFull(
            gettext(
                "分析库 %(store)s 所在磁盘已满（%(error)s）：已完成的月份（%(done)s）已保存，"
                "未写完的月份未发布；腾出空间后重新运行导出即可从中断处继续"
            )
            % {"store": out, "error": exc.strerror, "done": done}
        ) from exc
    return result


def _write(
    out: Path,
    plan: list[MonthPlan],
    result: ExportResult,
    started: dt.datetime,
    batch_size: int,
    progress: Progress | None,
) -> None:
    with store_mod.locked(out):
        # Re-read under the lock: another run may have finished in between.
        manifest = store_mod.read_manifest(out) or store_mod.new_manifest("export")
        store_mod.clean_temporaries(out)
        for item in plan:
            if item.reason == "removed":
                store_mod.remove_partition(out, item.key)
                manifest["partitions"].pop(item.key, None)
                result.removed.append(item.key)
            else:
                open_rows = 0

                def counted(key: str = item.key) -> Iterator[pa.Table]:
                    nonlocal open_rows
                    for table in _month_tables(key, started, batch_size):
                        statuses = table.column("status").to_pylist()
                        open_rows += sum(s in OPEN_STATUSES for s in statuses)
                        yield table

                rows = store_mod.write_partition(out, item.key, counted())
                manifest["partitions"][item.key] = {
                    "file": str(store_mod.partition_file(out, item.key).relative_to(out)),
                    "rows": rows,
                    "open": open_rows,
                    "as_of": started.isoformat(),
                }
                result.written[item.key] = rows
            # Record each month as soon as it is done: a crash after this loses nothing.
            manifest["exported_at"] = started.isoformat()
            store_mod.write_manifest(out, manifest)
            if progress:
                progress(f"{item.key}: {item.reason} → {result.written.get(item.key, 0):,}")
        if not plan:
            manifest["exported_at"] = started.isoformat()
            store_mod.write_manifest(out, manifest)


__all__ = ["OVERLAP", "ExportResult", "MonthPlan", "analytics_export", "export_plan"]
