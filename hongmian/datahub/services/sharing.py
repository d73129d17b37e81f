"""Sharing between departments (issue 15 item 3, decision 0081): a consumer's request for a
有条件共享 dataset, the provider's answer (approve with fewer fields and a daily row quota,
or refuse with a reason), revocation and expiry — each an audited transition — and the one
read of shared rows, `dataset_rows_fetch`, which applies the grant (fields, row filter,
period, quota), masks by grade and records every call, refused ones too.

A department that may not read a dataset's rows is told the dataset does not exist
(`datahub.dataset_not_found`), exactly as for a code that names nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core import ratelimit
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from hongmian.core.transitions import assert_transition
from hongmian.datahub import permissions
from hongmian.datahub.masking import Technique, apply_plan, mask_plan
from hongmian.datahub.models import Dataset, DatasetField, SharingCall, SharingRequest
from hongmian.datahub.services.ingestion import dataset_file
from hongmian.datahub.states import (
    SHARING_TRANSITIONS,
    CallOutcome,
    Grade,
    RequestStatus,
    SharingType,
)

PURPOSE_MAX = 2000
REASON_MAX = 2000
FILTER_FIELDS_MAX = 10
FILTER_VALUES_MAX = 50
PERIOD_DAYS_MAX = 366 * 3  # a grant is reviewed at least every three years
QUOTA_MAX = 10_000_000
PAGE_SIZE_MAX = 500

AUDIT_FIELDS = [
    "status",
    "requested_fields",
    "row_filter",
    "valid_from",
    "valid_to",
    "granted_fields",
    "core_granted",
    "quota_rows_per_day",
    "reason",
]

_CASTS: dict[str, Callable[[Any], Any]] = {
    "integer": int,
    "number": float,
    "string": str,
    "date": dt.date.fromisoformat,
}


def _invalid(message: str, code: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _today() -> dt.date:
    return timezone.localdate()


def _user_of(actor: Actor) -> Any:
    if actor.user is None:
        raise NotAuthenticated(gettext("需要登录后操作"))
    return actor.user


def _fields_of(dataset: Dataset) -> dict[str, DatasetField]:
    return {f.name: f for f in dataset.fields.all()}


def _clean_fields(names: Sequence[str], known: Mapping[str, Any], *, field: str) -> list[str]:
    wanted = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    if not wanted:
        raise _invalid(gettext("请至少选择一个字段"), "datahub.no_fields", field)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise _invalid(
            gettext("数据资源没有这些字段：%(names)s") % {"names": "、".join(unknown)},
            "datahub.unknown_field",
            field,
        )
    return [n for n in known if n in wanted]  # the dataset's order


def _clean_filter(raw: Mapping[str, Any], known: Mapping[str, DatasetField]) -> dict[str, Any]:
    """`field → value` or `field → [values]`; each value cast to the field's type now, so a
    filter that cannot match (an integer field asked for "abc") is refused, not silently
    empty."""
    if len(raw) > FILTER_FIELDS_MAX:
        raise _invalid(
            gettext("行过滤条件最多 %(n)s 个字段") % {"n": FILTER_FIELDS_MAX},
            "datahub.bad_filter",
            "row_filter",
        )
    cleaned: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known:
            raise _invalid(
                gettext("行过滤条件的字段不存在：%(name)s") % {"name": name},
                "datahub.unknown_field",
                "row_filter",
            )
        values = value if isinstance(value, list) else [value]
        if not values or len(values) > FILTER_VALUES_MAX:
            raise _invalid(
                gettext("字段 %(name)s 的取值应为 1 至 %(n)s 个")
                % {"name": name, "n": FILTER_VALUES_MAX},
                "datahub.bad_filter",
                "row_filter",
            )
        cast = _CASTS.get(known[name].type, str)
        try:
            typed = [cast(v) if not isinstance(v, bool) else v for v in values]
        except (TypeError, ValueError):
            raise _invalid(
                gettext("字段 %(name)s 的取值与类型 %(type)s 不符")
                % {"name": name, "type": known[name].type},
                "datahub.bad_filter",
                "row_filter",
            ) from None
        # Stored as JSON: dates as ISO text, cast back when the rows are read.
        out = [v.isoformat() if isinstance(v, dt.date) else v for v in typed]
        cleaned[name] = out if isinstance(value, list) else out[0]
    return cleaned


def sharing_request_create(
    *,
    actor: Actor,
    dataset: Dataset,
    purpose: str,
    fields: Sequence[str],
    row_filter: Mapping[str, Any] | None = None,
    valid_from: dt.date,
    valid_to: dt.date,
) -> SharingRequest:
    """The actor's unit asks for `dataset`. A 不予共享 dataset is refused at once
    (`datahub.not_shared`, with its legal basis); an unconditional one needs no request."""
    user = _user_of(actor)
    if not permissions.can_request_sharing(user, dataset):
        raise PermissionDenied(
            gettext("只有使用单位的数据管理员或负责人可以申请共享"),
            code="datahub.cannot_request",
        )
    if dataset.sharing_type == SharingType.NOT_SHARED:
        raise ValidationFailed(
            gettext("该数据资源不予共享，不能申请。依据：%(basis)s")
            % {"basis": dataset.legal_basis or gettext("（未填写）")},
            code="datahub.not_shared",
            fields={"dataset": [dataset.code]},
        )
    if dataset.sharing_type == SharingType.UNCONDITIONAL:
        raise ValidationFailed(
            gettext("该数据资源无条件共享，各部门可直接通过接口调用，无需申请"),
            code="datahub.no_request_needed",
            fields={"dataset": [dataset.code]},
        )
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > PURPOSE_MAX:
        raise _invalid(
            gettext("请填写用途（不超过 %(n)s 字）") % {"n": PURPOSE_MAX},
            "datahub.bad_purpose",
            "purpose",
        )
    known = _fields_of(dataset)
    wanted = _clean_fields(fields, known, field="fields")
    cleaned_filter = _clean_filter(row_filter or {}, known)
    if valid_to < valid_from or valid_to < _today():
        raise _invalid(
            gettext("使用期限应从开始日到结束日，且结束日不早于今天"),
            "datahub.bad_period",
            "valid_to",
        )
    if (valid_to - valid_from).days > PERIOD_DAYS_MAX:
        raise _invalid(
            gettext("使用期限最长 %(n)s 天") % {"n": PERIOD_DAYS_MAX},
            "datahub.bad_period",
            "valid_to",
        )
    with transaction.atomic():
        pending = SharingRequest.objects.select_for_update().filter(
            dataset=dataset, consumer=user.org_unit, status=RequestStatus.REQUESTED
        )
        if pending.exists():
            raise Conflict(
                gettext("本单位对该数据资源已有待审核的申请"), code="datahub.request_pending"
            )
        request = SharingRequest.objects.create(
            dataset=dataset,
            consumer=user.org_unit,
            requested_by=user,
            purpose=purpose,
            requested_fields=wanted,
            row_filter=cleaned_filter,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        audit_record(
            actor=actor,
            action="datahub.sharing_request_create",
            target=request,
            after=snapshot(request, AUDIT_FIELDS),
        )
    return request


def _move(
    *,
    actor: Actor,
    request: SharingRequest,
    target: str,
    action: str,
    change: Mapping[str, Any],
) -> SharingRequest:
    """Lock, check the transition table, apply `change`, save and audit: one transaction."""
    with transaction.atomic():
        locked = SharingRequest.objects.select_for_update().get(pk=request.pk)
        assert_transition(SHARING_TRANSITIONS, locked.status, target)
        before = snapshot(locked, AUDIT_FIELDS)
        locked.status = target
        for name, value in change.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            action=action,
            target=locked,
            before=before,
            after=snapshot(locked, AUDIT_FIELDS),
        )
    return locked


def _answerer(actor: Actor, request: SharingRequest) -> Any:
    user = _user_of(actor)
    if not permissions.can_answer_sharing(user, request):
        raise PermissionDenied(
            gettext("只有提供单位的数据管理员、负责人或首席数据官可以审核"),
            code="datahub.cannot_answer",
        )
    return user


def sharing_request_approve(
    *,
    actor: Actor,
    request: SharingRequest,
    fields: Sequence[str],
    core_granted: Sequence[str] = (),
    quota_rows_per_day: int,
) -> SharingRequest:
    """Approve with `fields` (the requested ones or fewer). A core-grade field is returned
    only when it is also in `core_granted` (an explicit grant); otherwise it is suppressed."""
    user = _answerer(actor, request)
    known = {n: n for n in request.requested_fields}
    granted = _clean_fields(fields, known, field="fields")
    grades = dict(request.dataset.fields.values_list("name", "grade"))
    core = [n for n in core_granted if n]
    wrong = [n for n in core if n not in granted or grades.get(n) != Grade.CORE]
    if wrong:
        raise _invalid(
            gettext("只能对已批准的核心数据字段明确授权：%(names)s") % {"names": "、".join(wrong)},
            "datahub.bad_core_grant",
            "core_granted",
        )
    if not 1 <= quota_rows_per_day <= QUOTA_MAX:
        raise _invalid(
            gettext("每日行数配额应在 1 至 %(n)s 之间") % {"n": QUOTA_MAX},
            "datahub.bad_quota",
            "quota_rows_per_day",
        )
    return _move(
        actor=actor,
        request=request,
        target=RequestStatus.APPROVED,
        action="datahub.sharing_request_approve",
        change={
            "granted_fields": granted,
            "core_granted": core,
            "quota_rows_per_day": quota_rows_per_day,
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise _invalid(gettext("请填写理由"), "datahub.reason_required", "reason")
    return reason


def sharing_request_refuse(*, actor: Actor, request: SharingRequest, reason: str) -> SharingRequest:
    user = _answerer(actor, request)
    return _move(
        actor=actor,
        request=request,
        target=RequestStatus.REFUSED,
        action="datahub.sharing_request_refuse",
        change={"reason": _reason(reason), "decided_by": user, "decided_at": timezone.now()},
    )


def sharing_request_revoke(*, actor: Actor, request: SharingRequest, reason: str) -> SharingRequest:
    _answerer(actor, request)
    return _move(
        actor=actor,
        request=request,
        target=RequestStatus.REVOKED,
        action="datahub.sharing_request_revoke",
        change={"reason": _reason(reason)},
    )


def sharing_requests_expire(*, actor: Actor, today: dt.date | None = None) -> int:
    """Approved grants whose period ended become expired (the daily job). Reads enforce the
    period on their own: this keeps the lists truthful."""
    day = today or _today()
    due = SharingRequest.objects.filter(status=RequestStatus.APPROVED, valid_to__lt=day)
    count = 0
    for request in due:
        _move(
            actor=actor,
            request=request,
            target=RequestStatus.EXPIRED,
            action="datahub.sharing_request_expire",
            change={},
        )
        count += 1
    return count


# --- reading shared rows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowsPage:
    dataset: str
    count: int  # rows that match the grant's filter (all pages)
    page: int
    size: int
    techniques: dict[str, Technique]  # per field asked for; suppressed ones say so
    rows: list[dict[str, Any]]
    quota_left: int | None  # rows left today under the grant's quota; None: no quota


def _not_found() -> NotFound:
    return NotFound(gettext("数据资源不存在"), code="datahub.dataset_not_found")


def _grant(dataset: Dataset, unit_id: int, today: dt.date) -> SharingRequest | None:
    """The consumer's live grant; PermissionDenied(datahub.grant_expired) when its latest
    grant has run out; None when it has none (the caller answers not found)."""
    grants = SharingRequest.objects.filter(
        dataset=dataset,
        consumer_id=unit_id,
        status__in=[RequestStatus.APPROVED, RequestStatus.EXPIRED],
        valid_from__lte=today,
    ).order_by("-valid_to", "-id")
    latest = grants.first()
    if latest is None:
        return None
    if latest.status == RequestStatus.APPROVED and latest.valid_to >= today:
        return latest
    return latest  # expired: the caller records the call and refuses it


def _read(
    dataset: Dataset,
    columns: list[str],
    row_filter: Mapping[str, Any],
    known: Mapping[str, DatasetField],
    *,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    """Count the rows the filter keeps and read one page of them, ordered by primary key,
    from the Parquet file ingestion writes (Ibis over DuckDB, the analytics engine)."""
    path = dataset_file(dataset)
    if not path.exists():
        return 0, []
    from hongmian.analytics.engines import duckdb_connect

    con = duckdb_connect(memory_limit="256MB", threads=1)
    try:
        table = con.read_parquet(str(path))
        for name, value in row_filter.items():
            cast = _CASTS.get(known[name].type, str)
            values = [cast(v) for v in (value if isinstance(value, list) else [value])]
            table = table.filter(table[name].isin(values))
        total = int(table.count().execute())
        declared = (dataset.schema or {}).get("primaryKey") or []
        key = [declared] if isinstance(declared, str) else list(declared)
        page = table.order_by(key or columns).select(columns).limit(limit, offset=offset)
        rows = page.to_pyarrow().to_pylist() if limit else []
    finally:
        con.disconnect()
    return total, rows


def _record(
    *,
    actor: Actor,
    dataset: Dataset,
    grant: SharingRequest | None,
    unit_id: int,
    fields: list[str],
    rows: int,
    page: int,
    outcome: str,
) -> None:
    SharingCall.objects.create(
        dataset=dataset,
        request=grant,
        consumer_id=unit_id,
        user=actor.user,
        via=actor.via[:16],
        purpose=grant.purpose if grant else gettext("无条件共享"),
        returned_fields=fields,
        rows=rows,
        page=page,
        outcome=outcome,
    )


def dataset_rows_fetch(*, actor: Actor, code: str, page: int = 1, size: int = 100) -> RowsPage:
    """One page of `code`'s rows for the actor's unit, as its grant allows, masked by grade;
    every call recorded (SharingCall). Not found for a dataset the unit may not read."""
    user = _user_of(actor)
    unit_id = getattr(user, "org_unit_id", None)
    dataset = Dataset.objects.select_related("provider").filter(code=code).first()
    if dataset is None or unit_id is None or not permissions.can_read_rows(user):
        raise _not_found()
    if not 1 <= size <= PAGE_SIZE_MAX or page < 1:
        raise _invalid(
            gettext("每页 1 至 %(n)s 行") % {"n": PAGE_SIZE_MAX}, "datahub.bad_page", "size"
        )
    known = _fields_of(dataset)
    own = dataset.provider_id == unit_id
    today = _today()
    grant: SharingRequest | None = None
    if own or dataset.sharing_type == SharingType.UNCONDITIONAL:
        names, core, row_filter = list(known), [], {}
    elif dataset.sharing_type == SharingType.CONDITIONAL:
        grant = _grant(dataset, unit_id, today)
        if grant is None:
            raise _not_found()
        names, core, row_filter = grant.granted_fields, grant.core_granted, grant.row_filter
        if grant.status != RequestStatus.APPROVED or grant.valid_to < today:
            _record(
                actor=actor,
                dataset=dataset,
                grant=grant,
                unit_id=unit_id,
                fields=[],
                rows=0,
                page=page,
                outcome=CallOutcome.EXPIRED,
            )
            raise PermissionDenied(
                gettext("共享授权已于 %(day)s 到期，请重新申请") % {"day": grant.valid_to},
                code="datahub.grant_expired",
            )
    else:
        raise _not_found()
    plan = mask_plan(
        [known[n] for n in names if n in known],
        core_granted=core,
        consumer_code=user.org_unit.code,
        own=own,
    )
    columns = plan.returned
    total, rows = _read(dataset, columns, row_filter, known, offset=(page - 1) * size, limit=size)
    quota_left: int | None = None
    if grant is not None:
        # The rows count against the day's quota in one atomic step (core.ratelimit, shared
        # by every process): what was used before this call is `count - len(rows)`.
        key = f"datahub:quota:{grant.pk}:{today.isoformat()}"
        limit = grant.quota_rows_per_day
        if rows:
            decision = ratelimit.hit(key, limit=limit, window=2 * 86400, amount=len(rows))
            allowed = min(len(rows), limit - (decision.count - len(rows)))
        else:
            decision = ratelimit.peek(key, limit=limit)
            allowed = 0 if decision.allowed else -1
        if allowed < 0 or (rows and allowed <= 0):
            _record(
                actor=actor,
                dataset=dataset,
                grant=grant,
                unit_id=unit_id,
                fields=[],
                rows=0,
                page=page,
                outcome=CallOutcome.QUOTA,
            )
            raise RateLimited(
                gettext("今日行数配额（%(n)s 行）已用完") % {"n": limit},
                code="datahub.quota_exceeded",
                retry_after=_seconds_to_midnight(),
            )
        rows = rows[:allowed]
        quota_left = max(0, limit - min(decision.count, limit))
    masked = apply_plan(plan, rows)
    _record(
        actor=actor,
        dataset=dataset,
        grant=grant,
        unit_id=unit_id,
        fields=columns,
        rows=len(masked),
        page=page,
        outcome=CallOutcome.SERVED,
    )
    return RowsPage(
        dataset=dataset.code,
        count=total,
        page=page,
        size=size,
        techniques=plan.techniques,
        rows=masked,
        quota_left=quota_left,
    )


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))
