"""历史工单导入 — orders from another system's export, for history and analysis.

`hongmian hotline_import FILE.csv` reads the file and calls `work_order_history_import` once
per batch; the columns are documented in docs/hotline.md ("Import format") and in the
command's help. What an imported order is:

- finished history only (`closed` or `archived`): a live order belongs to intake, with
  clocks and a unit that acts on it; an export cannot say where a live order's clocks stand;
- written as it was: the export's number and times (`created_at` too), its lead unit as one
  replied lead assignment (so the unit sees its past orders), one staff-only timeline entry
  saying where it came from, and one audit entry per batch (not per row: 200,000 audit rows
  would say nothing the batch entry does not);
- never notified: its callers heard about it long ago.

A batch is validated whole before anything is written and then written in one transaction:
a batch with a bad row is not written at all (its good rows are reported as not written),
so a file can be fixed and imported again. `number` makes that safe: rows whose number is
already in the database are skipped, whichever run wrote them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.geo.address import parse_address
from hongmian.geo.selectors import gazetteer
from hongmian.geo.states import DivisionLevel
from hongmian.hotline.models import Assignment, Category, TimelineEntry, WorkOrder
from hongmian.hotline.services.intake_validation import ADDRESS_MAX, CONTENT_MAX, TITLE_MAX
from hongmian.hotline.states import (
    AssignmentRole,
    AssignmentStatus,
    Channel,
    CloseReason,
    RequestType,
    Satisfaction,
    Status,
    Visibility,
)
from hongmian.identity.models import OrgUnit

IMPORT_COLUMNS = (
    "number",
    "created_at",
    "channel",
    "request_type",
    "category_code",
    "title",
    "content",
    "address",
    "district_code",
    "street_code",
    "lead_unit_code",
    "status",
    "replied_at",
    "closed_at",
    "satisfaction",
    "resolved",
    "is_enterprise",
    "is_emergency",
)
REQUIRED_COLUMNS = (
    "number",
    "created_at",
    "channel",
    "request_type",
    "title",
    "content",
    "status",
    "closed_at",
)
IMPORTABLE_STATUSES = (Status.CLOSED, Status.ARCHIVED)
NUMBER_MAX = 32
_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_\-/.]*$")
# A clock a little ahead of ours must not turn an export's last minute into an error.
_FUTURE_TOLERANCE = dt.timedelta(minutes=5)
_TRUE = frozenset({"1", "true", "t", "yes", "y", "是"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "否"})


@dataclass(frozen=True, slots=True)
class ImportRowError:
    line: int  # the line of the file where the row starts (the header is line 1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行 {self.column}: {self.message}"


@dataclass(slots=True)
class ImportBatchResult:
    rows: int
    imported: int = 0  # written (or, in a dry run, that would be)
    existing: int = 0  # skipped: the number is already in the database
    errors: list[ImportRowError] = field(default_factory=list)
    written: bool = False


def _choices(choices: Any) -> dict[str, str]:
    """Codes and their Chinese labels, both accepted (exports carry either)."""
    with translation.override("zh-hans"):
        out = {str(value): str(value) for value in choices.values}
        out.update({str(label): str(value) for value, label in choices.choices})
    return out


class ImportLookups:
    """What validating a row looks up, loaded once per file: categories, units, divisions,
    the labels of choices, and the numbers already seen earlier in the same file."""

    def __init__(self) -> None:
        self.categories: dict[str, int] = dict(Category.objects.values_list("code", "id"))
        self.units: dict[str, int] = dict(
            OrgUnit.objects.filter(is_active=True).values_list("code", "id")
        )
        self.districts: set[str] = set()
        self.street_district: dict[str, str] = {}
        for entry in gazetteer().entries:
            if entry.level == DivisionLevel.DISTRICT:
                self.districts.add(entry.code)
            elif entry.level != DivisionLevel.CITY and entry.district_code:
                self.street_district[entry.code] = entry.district_code
        self.channels = _choices(Channel)
        self.request_types = _choices(RequestType)
        self.statuses = _choices(Status)
        self.satisfaction = _choices(Satisfaction)
        self.tz = timezone.get_default_timezone()
        self.now = timezone.now()
        self.seen_numbers: set[str] = set()


@dataclass(slots=True)
class _Row:
    line: int
    order: WorkOrder
    created_at: dt.datetime
    unit_id: int | None


class _RowChecker:
    """Collects every problem of one row, so that one pass over a file reports them all."""

    def __init__(self, raw: Mapping[str, str | None], line: int, lookups: ImportLookups) -> None:
        self.raw = raw
        self.line = line
        self.lookups = lookups
        self.errors: list[ImportRowError] = []

    def fail(self, column: str, message: str) -> None:
        self.errors.append(ImportRowError(self.line, column, message))

    def text(self, column: str, *, limit: int, required: bool = False) -> str:
        value = (self.raw.get(column) or "").strip()
        if required and not value:
            self.fail(column, gettext("不能为空"))
        elif len(value) > limit:
            self.fail(column, gettext("不能超过 %(limit)s 字") % {"limit": limit})
        return value

    def choice(self, column: str, allowed: Mapping[str, str], *, required: bool = True) -> str:
        value = (self.raw.get(column) or "").strip()
        if not value:
            if required:
                self.fail(column, gettext("不能为空"))
            return ""
        if value not in allowed:
            self.fail(
                column,
                gettext("“%(value)s”不是有效的值（可用：%(value1)s）")
                % {"value": value, "value1": "、".join(sorted(set(allowed)))},
            )
            return ""
        return allowed[value]

    def when(self, column: str, *, required: bool = False) -> dt.datetime | None:
        value = (self.raw.get(column) or "").strip()
        if not value:
            if required:
                self.fail(column, gettext("不能为空"))
            return None
        try:
            parsed = dt.datetime.fromisoformat(value.replace("/", "-"))
        except ValueError:
            self.fail(
                column,
                gettext("“%(value)s”不是有效的时间（如 2025-03-01 09:15:00 或带时区的 ISO 8601）")
                % {"value": value},
            )
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.lookups.tz)
        if parsed > self.lookups.now + _FUTURE_TOLERANCE:
            self.fail(column, gettext("时间晚于当前时间"))
            return None
        return parsed

    def flag(self, column: str) -> bool | None:
        value = (self.raw.get(column) or "").strip().lower()
        if not value:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.fail(
            column,
            gettext("“%(value)s”不是是/否（可用：1/0、true/false、是/否）") % {"value": value},
        )
        return None


def history_row_clean(
    raw: Mapping[str, str | None], *, line: int, lookups: ImportLookups
) -> tuple[_Row | None, list[ImportRowError]]:
    """One row of the export as an unsaved WorkOrder, or every error it has."""
    check = _RowChecker(raw, line, lookups)
    number = check.text("number", limit=NUMBER_MAX, required=True)
    if number and not _NUMBER.match(number):
        check.fail("number", gettext("只能包含字母、数字和 - _ / ."))
    elif number in lookups.seen_numbers:
        check.fail("number", gettext("编号 %(number)s 在文件中重复") % {"number": number})
    if number:
        lookups.seen_numbers.add(number)
    created_at = check.when("created_at", required=True)
    channel = check.choice("channel", lookups.channels)
    request_type = check.choice("request_type", lookups.request_types)
    title = check.text("title", limit=TITLE_MAX, required=True)
    content = check.text("content", limit=CONTENT_MAX, required=True)
    address = check.text("address", limit=ADDRESS_MAX)
    status = check.choice("status", lookups.statuses)
    if status and status not in IMPORTABLE_STATUSES:
        check.fail("status", gettext("只能导入已办结（closed）或已归档（archived）的工单"))
        status = ""
    replied_at = check.when("replied_at")
    closed_at = check.when("closed_at", required=True)
    satisfaction = check.choice("satisfaction", lookups.satisfaction, required=False)
    resolved = check.flag("resolved")
    is_enterprise = bool(check.flag("is_enterprise"))
    is_emergency = bool(check.flag("is_emergency"))

    category_code = (raw.get("category_code") or "").strip()
    category_id = lookups.categories.get(category_code) if category_code else None
    if category_code and category_id is None:
        check.fail(
            "category_code",
            gettext("分类代码 %(category_code)s 不存在") % {"category_code": category_code},
        )
    unit_code = (raw.get("lead_unit_code") or "").strip()
    unit_id = lookups.units.get(unit_code) if unit_code else None
    if unit_code and unit_id is None:
        check.fail(
            "lead_unit_code",
            gettext("单位代码 %(unit_code)s 不存在或已停用") % {"unit_code": unit_code},
        )

    district = (raw.get("district_code") or "").strip()
    street = (raw.get("street_code") or "").strip()
    confidence = 1.0 if district or street else 0.0
    if district and district not in lookups.districts:
        check.fail(
            "district_code", gettext("%(district)s 不是广州市的区代码") % {"district": district}
        )
    if street:
        parent = lookups.street_district.get(street)
        if parent is None:
            check.fail(
                "street_code", gettext("%(street)s 不是广州市的街道或镇代码") % {"street": street}
            )
        elif district and parent != district:
            check.fail(
                "street_code",
                gettext("街镇 %(street)s 不属于区 %(district)s")
                % {"street": street, "district": district},
            )
        else:
            district = parent
    if not district and not street and address:
        # The export left the place to us: read it the way intake does.
        parsed = parse_address(address)
        district = parsed.district.code if parsed.district else ""
        street = parsed.street.code if parsed.street else ""
        confidence = parsed.confidence

    if created_at and closed_at and closed_at < created_at:
        check.fail("closed_at", gettext("办结时间早于受理时间"))
    if created_at and replied_at and replied_at < created_at:
        check.fail("replied_at", gettext("答复时间早于受理时间"))
    if replied_at and closed_at and closed_at < replied_at:
        check.fail("closed_at", gettext("办结时间早于答复时间"))
    if check.errors or created_at is None:
        return None, check.errors

    close_reason: str = ""
    if unit_id is None:
        close_reason = CloseReason.DIRECT_ANSWER
    elif satisfaction:
        close_reason = CloseReason.CALLBACK
    order = WorkOrder(
        number=number,
        channel=channel,
        request_type=request_type,
        status=status,
        title=title,
        content=content,
        address=address,
        district_code=district,
        street_code=street,
        address_confidence=confidence,
        category_id=category_id,
        is_enterprise=is_enterprise,
        is_emergency=is_emergency,
        lead_unit_id=unit_id,
        first_unit_id=unit_id,
        replied_at=replied_at,
        closed_at=closed_at,
        close_reason=close_reason,
        # The export has no archiving time; its closing time is the nearest one it knows.
        archived_at=closed_at if status == Status.ARCHIVED else None,
        satisfaction=satisfaction,
        resolved=resolved,
    )
    return _Row(line, order, created_at, unit_id), []


def _restore_created_at(orders: Sequence[WorkOrder], times: Sequence[dt.datetime]) -> None:
    """Put the export's intake times back: `created_at` is stamped with "now" on insert
    (auto_now_add). bulk_update would do it, but building its CASE expression costs more
    than the insert itself; this is one parameterised statement per batch on PostgreSQL
    (UPDATE … FROM unnest) and one prepared statement run per row elsewhere."""
    connection = connections[WorkOrder.objects.db]
    qn = connection.ops.quote_name
    # Identifiers come from the model, never from the file; every value is a parameter.
    table = qn(WorkOrder._meta.db_table)
    column = qn(str(WorkOrder._meta.get_field("created_at").column))
    pk = qn(str(WorkOrder._meta.pk.column))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS o SET {column} = v.at "  # noqa: S608  # identifiers only
                f"FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE o.{pk} = v.id",
                [[o.pk for o in orders], list(times)],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608  # identifiers only
                [
                    (connection.ops.adapt_datetimefield_value(when), order.pk)
                    for order, when in zip(orders, times, strict=True)
                ],
            )
    for order, when in zip(orders, times, strict=True):
        order.created_at = when


def work_order_history_import(
    *,
    actor: Actor,
    rows: Sequence[tuple[int, Mapping[str, str | None]]],
    lookups: ImportLookups,
    commit: bool,
    source: str = "",
) -> ImportBatchResult:
    """Validate one batch of `(line, row)` pairs and, with `commit`, write it in one
    transaction. Rows whose number exists are skipped. Any error: nothing of the batch is
    written (`written` is False) and the errors say where."""
    result = ImportBatchResult(rows=len(rows))
    cleaned: list[_Row] = []
    for line, raw in rows:
        row, errors = history_row_clean(raw, line=line, lookups=lookups)
        if row is not None:
            cleaned.append(row)
        result.errors += errors
    if result.errors:
        return result
    numbers = [r.order.number for r in cleaned]
    existing = set(WorkOrder.objects.filter(number__in=numbers).values_list("number", flat=True))
    fresh = [r for r in cleaned if r.order.number not in existing]
    result.existing = len(cleaned) - len(fresh)
    result.imported = len(fresh)
    if not commit or not fresh:
        return result
    with transaction.atomic():
        orders = WorkOrder.objects.bulk_create([r.order for r in fresh])
        _restore_created_at(orders, [r.created_at for r in fresh])
        Assignment.objects.bulk_create(
            Assignment(
                order=order,
                unit_id=row.unit_id,
                role=AssignmentRole.LEAD,
                status=AssignmentStatus.REPLIED,
                replied_at=order.replied_at,
            )
            for row, order in zip(fresh, orders, strict=True)
            if row.unit_id is not None
        )
        label = str(actor)[:150]
        TimelineEntry.objects.bulk_create(
            TimelineEntry(
                order=order,
                actor=actor.user,
                actor_label=label,
                kind="imported",
                visibility=Visibility.STAFF,
                text=f"历史工单导入（{source}）" if source else "历史工单导入",
                data={"source": source},
            )
            for order in orders
        )
        audit_record(
            actor=actor,
            action="work_order.history_import",
            target=orders[0],
            after={
                "count": len(orders),
                "first": orders[0].number,
                "last": orders[-1].number,
                "source": source,
            },
        )
    result.written = True
    return result


__all__ = [
    "IMPORTABLE_STATUSES",
    "IMPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportBatchResult",
    "ImportLookups",
    "ImportRowError",
    "history_row_clean",
    "work_order_history_import",
]
