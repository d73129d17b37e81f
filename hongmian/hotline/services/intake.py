"""受理 — recording a request as a work order: validation, numbering, address parsing and
idempotent retries.

Numbers read `GZ-20261128-000123`: the prefix, the Beijing date of intake and a running
counter. On PostgreSQL the counter is a SEQUENCE, so concurrent intakes never wait for one
another; on SQLite (one writer at a time anyway) it is the NumberCounter row. The counter
does not restart each day and may skip values (a rolled-back intake uses one up): the number
identifies an order, it does not count them (docs/decisions/0007-work-order-numbers.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Model
from django.db.models.constants import OnConflict
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record_many, snapshot
from hongmian.core.calendar import CALENDAR_TZ
from hongmian.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from hongmian.core.validators import validate_mobile
from hongmian.geo.address import parse_address
from hongmian.hotline import notifications, permissions
from hongmian.hotline.models import Category, NumberCounter, TimelineEntry, WorkOrder
from hongmian.hotline.services.timeline import timeline_entry
from hongmian.hotline.states import Channel, Priority, RequestType, Visibility
from hongmian.identity.models import Enterprise, Person, User
from hongmian.identity.states import Role

# The PostgreSQL sequence behind order numbers (created by migration 0002, and after every
# `migrate` by apps.py so that databases built without migrations — the tests' — have it).
NUMBER_SEQUENCE = "hotline_work_order_number_seq"
NUMBER_COUNTER = "work_order"

logger = logging.getLogger(__name__)

TITLE_MAX = 200
CONTENT_MAX = 5_000
CALLER_NAME_MAX = 50
ADDRESS_MAX = 300
KEY_MAX = 100
# Guangzhou spans about 22°26′–23°56′ N and 112°57′–114°03′ E; the box adds a small margin.
# A point outside it is a client's mistake (most often latitude and longitude swapped), and a
# unit sent to the wrong end of the map is worse than an order without a point.
GUANGZHOU_LATITUDE = (Decimal("22.35"), Decimal("24.00"))
GUANGZHOU_LONGITUDE = (Decimal("112.90"), Decimal("114.10"))
# A fixed line: area code, 7–8 digits, an optional extension (分机). Area codes that start
# 01 or 02 have three digits (010 Beijing, 020 Guangzhou …), all others four (0757 Foshan),
# which is what tells 02012345678 apart without a dash.
_LANDLINE = re.compile(
    r"^(0[12]\d|0[3-9]\d{2})-?(\d{7,8})(?:(?:-|转|#|ext\.?)(\d{1,6}))?$", re.IGNORECASE
)
# A Guangzhou number dialled without its area code (8 digits, never starting with 0 or 1).
_LOCAL_LANDLINE = re.compile(r"^[2-9]\d{7}$")
# What the audit entry keeps of a new order: no caller data, which is not the audit's to copy.
_AUDITED = ["number", "channel", "request_type", "priority", "status", "category", "confidential"]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=f"work_order.{field}", fields={field: [message]})


def validate_caller_phone(value: str) -> str:
    """A mobile (13812345678, +86 138 1234 5678) or a fixed line (020-12345678,
    02012345678-123, or 87654321 meaning Guangzhou's 020). Returns the normalised number:
    11 digits for a mobile, "AREA-NUMBER[-EXT]" for a fixed line."""
    raw = re.sub(r"[\s()（）]", "", value or "")
    if not raw:
        return ""
    try:
        return validate_mobile(raw)
    except ValidationFailed:
        pass
    if match := _LANDLINE.match(raw):
        area, number, extension = match.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    if _LOCAL_LANDLINE.match(raw):
        return f"020-{raw}"
    raise _invalid("caller_phone", "联系电话应为手机号码或带区号的固定电话（如 020-12345678）")


def _text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(field, "应为文本")
    cleaned = value.strip()
    if required and not cleaned:
        raise _invalid(field, "不能为空")
    if len(cleaned) > limit:
        raise _invalid(field, f"不能超过 {limit} 字")
    return cleaned


# The choices' values, computed once (`Choices.values` builds a new list on every access).
_CHOICE_VALUES = {cls: frozenset(cls.values) for cls in (Channel, RequestType, Priority)}


def _choice(value: Any, field: str, choices: type[Channel | RequestType | Priority]) -> str:
    if not isinstance(value, str) or value not in _CHOICE_VALUES[choices]:
        raise _invalid(field, f"“{value}”不是有效的选项")
    return str(value)


def _coordinate(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, "坐标应为数字") from None
    if not number.is_finite():
        raise _invalid(field, "坐标应为数字")
    return number.quantize(Decimal("0.000001"))


def _coordinates(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        message = "经度和纬度须同时填写"
        raise ValidationFailed(
            message,
            code="work_order.coordinates",
            fields={"latitude": [message], "longitude": [message]},
        )
    lat, lon = _coordinate(latitude, "latitude"), _coordinate(longitude, "longitude")
    if not GUANGZHOU_LATITUDE[0] <= lat <= GUANGZHOU_LATITUDE[1] or not (
        GUANGZHOU_LONGITUDE[0] <= lon <= GUANGZHOU_LONGITUDE[1]
    ):
        message = "坐标不在广州市范围内（请检查经纬度是否填反）"
        raise ValidationFailed(
            message,
            code="work_order.coordinates",
            fields={"latitude": [message], "longitude": [message]},
        )
    return lat, lon


def _category(value: Category | str | None) -> Category | None:
    """A Category, or its code (the Open311 service_code). Unknown or inactive: refused."""
    if value is None or value == "":
        return None
    if isinstance(value, Category):
        category: Category | None = value
    else:
        category = Category.objects.filter(code=str(value)).first()
    if category is None or not category.is_active:
        raise _invalid("category", "诉求分类不存在或已停用")
    return category


def _caller_records(
    user: User | None, person: Person | None, enterprise: Enterprise | None
) -> tuple[Person | None, Enterprise | None]:
    """The public file for themselves: their own person record, an enterprise they act for."""
    if user is None or user.role not in (Role.CITIZEN, Role.ENTERPRISE_REP):
        return person, enterprise
    own = Person.objects.filter(user=user).first()
    if person is None:
        person = own
    elif own is None or person.pk != own.pk:
        raise _invalid("caller_person", "只能以本人身份提交诉求")
    if enterprise is not None and not enterprise.representatives.filter(pk=user.pk).exists():
        raise _invalid("caller_enterprise", "只能代表本人所属企业提交诉求")
    return person, enterprise


def _fingerprint(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- numbers --------------------------------------------------------------------------------


def work_order_number_sequence_ensure(*, using: str = "default") -> None:
    """Create the number sequence if it is missing (PostgreSQL only; idempotent)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {NUMBER_SEQUENCE}")


def _next_counter(using: str) -> int:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [NUMBER_SEQUENCE])
            return int(cursor.fetchone()[0])
    # Elsewhere (SQLite) writers are serialised by the database, so a counter row is safe
    # and costs nothing that the database does not already impose.
    with transaction.atomic(using=using):
        counters = NumberCounter.objects.using(using).filter(name=NUMBER_COUNTER)
        if not counters.update(value=F("value") + 1):
            NumberCounter.objects.using(using).get_or_create(name=NUMBER_COUNTER)
            counters.update(value=F("value") + 1)
        return int(counters.values_list("value", flat=True).get())


def work_order_number_next(*, using: str = "default") -> str:
    """A new, never used order number: PREFIX-YYYYMMDD-NNNNNN (Beijing date; the counter
    widens past six digits when it must)."""
    prefix = settings.HONGMIAN_HOTLINE_NUMBER_PREFIX
    # Beijing time whatever TIME_ZONE says: the number must match the caller's calendar.
    day = timezone.localdate(timezone.now(), timezone=CALENDAR_TZ)
    return f"{prefix}-{day:%Y%m%d}-{_next_counter(using):06d}"


# --- intake ---------------------------------------------------------------------------------

# Most orders one batch intake takes (the API answers 413 `work_order.batch_too_large` above).
BATCH_MAX = 500


@dataclass
class _Intake:
    """A validated request: the unsaved order (no number yet), its key and fingerprint."""

    order: WorkOrder
    key: str | None
    fingerprint: str
    email: bool  # whether the caller has an address the e-mail notice could go to


@dataclass
class IntakeResult:
    """One item of a batch: the order (new or replayed), or the error that refused it."""

    order: WorkOrder | None = None
    created: bool = False
    error: ApplicationError | None = None


def _replay(order: WorkOrder, fingerprint: str) -> tuple[WorkOrder, bool]:
    if order.idempotency_fingerprint and order.idempotency_fingerprint != fingerprint:
        raise Conflict(
            "该幂等键已用于另一条不同内容的诉求",
            code="work_order.idempotency_mismatch",
            fields={"idempotency_key": ["该幂等键已用于不同内容的请求"]},
        )
    return order, False


def _prepare(
    *,
    actor: Actor,
    channel: str,
    request_type: str,
    title: str,
    content: str,
    caller_name: str = "",
    caller_phone: str = "",
    confidential: bool = False,
    caller_person: Person | None = None,
    caller_enterprise: Enterprise | None = None,
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    category: Category | str | None = None,
    priority: str = Priority.NORMAL,
    is_enterprise: bool = False,
    is_emergency: bool = False,
    idempotency_key: str | None = None,
    external_ref: str = "",
    categories: dict[str, Category | None] | None = None,
) -> _Intake:
    """Validate one request (no writes). `categories` caches category look-ups by code
    across the items of a batch."""
    user = actor.user
    channel = _choice(channel, "channel", Channel)
    if not permissions.is_system_actor(actor) and not permissions.can_intake(user, channel):
        raise PermissionDenied("无权通过该渠道登记诉求", code="work_order.intake_forbidden")
    request_type = _choice(request_type, "request_type", RequestType)
    priority = _choice(priority, "priority", Priority)
    title = _text(title, "title", limit=TITLE_MAX, required=True)
    content = _text(content, "content", limit=CONTENT_MAX, required=True)
    caller_name = _text(caller_name, "caller_name", limit=CALLER_NAME_MAX)
    caller_phone = validate_caller_phone(_text(caller_phone, "caller_phone", limit=40))
    address = _text(address, "address", limit=ADDRESS_MAX)
    external_ref = _text(external_ref, "external_ref", limit=KEY_MAX)
    lat, lon = _coordinates(latitude, longitude)
    if categories is not None and isinstance(category, str) and category:
        if category not in categories:
            categories[category] = Category.objects.filter(code=category).first()
        category = categories[category] or Category(code=category, is_active=False)
    category_row = _category(category)
    caller_person, caller_enterprise = _caller_records(user, caller_person, caller_enterprise)
    key = None
    if idempotency_key is not None:
        key = _text(idempotency_key, "idempotency_key", limit=KEY_MAX, required=True)
        if user is None:
            # Keys are scoped to an account; without one a retry could not be recognised.
            raise _invalid("idempotency_key", "幂等键需要登录账号")

    fields: dict[str, Any] = {
        "channel": channel,
        "request_type": request_type,
        "priority": priority,
        "title": title,
        "content": content,
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "confidential": bool(confidential),
        "caller_person": caller_person,
        "caller_enterprise": caller_enterprise,
        "address": address,
        "latitude": lat,
        "longitude": lon,
        "category": category_row,
        "is_enterprise": bool(is_enterprise) or caller_enterprise is not None,
        "is_emergency": bool(is_emergency),
        "external_ref": external_ref,
    }
    fingerprint = ""
    if key is not None:
        fingerprint = _fingerprint(
            {name: getattr(value, "pk", value) for name, value in fields.items()}
        )
    parsed = parse_address(address) if address else None
    order = WorkOrder(
        **fields,
        submitted_by=user,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
        district_code=parsed.district.code if parsed and parsed.district else "",
        street_code=parsed.street.code if parsed and parsed.street else "",
        address_confidence=parsed.confidence if parsed else 0,
    )
    email = notifications.email_known(user=user, person=caller_person)
    return _Intake(order=order, key=key, fingerprint=fingerprint, email=email)


def work_order_intake(
    *,
    actor: Actor,
    channel: str,
    request_type: str,
    title: str,
    content: str,
    caller_name: str = "",
    caller_phone: str = "",
    confidential: bool = False,
    caller_person: Person | None = None,
    caller_enterprise: Enterprise | None = None,
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    category: Category | str | None = None,
    priority: str = Priority.NORMAL,
    is_enterprise: bool = False,
    is_emergency: bool = False,
    idempotency_key: str | None = None,
    external_ref: str = "",
) -> tuple[WorkOrder, bool]:
    """Record a request; returns `(order, created)`.

    With an `idempotency_key`, a retry by the same account — even one racing the first
    attempt — returns the first order and `created=False`; the same key with a different
    request is refused (409 `work_order.idempotency_mismatch`). Invalid input raises
    ValidationFailed with a `work_order.<field>` code; an actor who may not file through
    `channel` gets PermissionDenied. The caller is told the number once the order commits.
    """
    intake = _prepare(
        actor=actor,
        channel=channel,
        request_type=request_type,
        title=title,
        content=content,
        caller_name=caller_name,
        caller_phone=caller_phone,
        confidential=confidential,
        caller_person=caller_person,
        caller_enterprise=caller_enterprise,
        address=address,
        latitude=latitude,
        longitude=longitude,
        category=category,
        priority=priority,
        is_enterprise=is_enterprise,
        is_emergency=is_emergency,
        idempotency_key=idempotency_key,
        external_ref=external_ref,
    )
    if connection.vendor == "postgresql":
        with transaction.atomic():
            [(order, created)] = _store_postgresql(actor, [intake])
        return order, created
    return _store_one(actor, intake)


def work_order_intake_batch(
    *, actor: Actor, requests: Sequence[Mapping[str, Any]]
) -> list[IntakeResult]:
    """Record up to BATCH_MAX requests (each with its own `idempotency_key`, as for
    `work_order_intake`) in one transaction; returns one result per request, in order.

    Each item stands alone: an invalid one (or a key reused with a different request) is
    an error result and does not stop the others; a retried item (or a whole retried
    batch) answers with its first order and `created=False`. On PostgreSQL the new orders,
    their timeline and audit entries and their notices are written with one statement
    each; a savepoint per item is taken only if that bulk write fails.
    """
    if len(requests) > BATCH_MAX:
        raise ValidationFailed(
            f"一次最多提交 {BATCH_MAX} 条诉求",
            code="work_order.batch_too_large",
            fields={"orders": [f"最多 {BATCH_MAX} 条"]},
        )
    results = [IntakeResult() for _ in requests]
    categories: dict[str, Category | None] = {}
    valid: list[tuple[int, _Intake]] = []
    for index, request in enumerate(requests):
        try:
            valid.append((index, _prepare(actor=actor, categories=categories, **request)))
        except ApplicationError as exc:
            results[index].error = exc
    # The same key twice in one batch: the first stands, the others are its retries.
    firsts: dict[str, tuple[int, _Intake]] = {}
    repeats: list[tuple[int, _Intake, int]] = []
    unique: list[tuple[int, _Intake]] = []
    for index, intake in valid:
        if intake.key is not None and intake.key in firsts:
            repeats.append((index, intake, firsts[intake.key][0]))
            continue
        if intake.key is not None:
            firsts[intake.key] = (index, intake)
        unique.append((index, intake))

    with transaction.atomic():
        if connection.vendor == "postgresql":
            _store_batch_postgresql(actor, unique, results)
        else:
            for index, intake in unique:
                try:
                    with transaction.atomic():
                        results[index].order, results[index].created = _store_one(actor, intake)
                except ApplicationError as exc:
                    results[index].error = exc
    for index, intake, first in repeats:
        first_order = results[first].order
        if first_order is None:
            results[index].error = results[first].error
            continue
        try:
            results[index].order, _ = _replay(first_order, intake.fingerprint)
        except ApplicationError as exc:
            results[index].error = exc
    return results


def _store_batch_postgresql(
    actor: Actor, items: list[tuple[int, _Intake]], results: list[IntakeResult]
) -> None:
    try:
        # A savepoint around the bulk write: if a row breaks a constraint that validation
        # cannot see, the batch goes on item by item instead of failing as a whole.
        with transaction.atomic():
            stored = _store_postgresql(actor, [intake for _, intake in items], strict=False)
    except (IntegrityError, DataError):
        stored = []
        for _, intake in items:
            try:
                with transaction.atomic():
                    stored += _store_postgresql(actor, [intake], strict=False)
            except (IntegrityError, DataError) as exc:
                logger.warning("batch intake item refused by the database: %s", exc)
                stored.append(
                    ApplicationError("该条诉求未能保存", code="work_order.not_saved", fields={})
                )
    for (index, _), outcome in zip(items, stored, strict=True):
        if isinstance(outcome, ApplicationError):
            results[index].error = outcome
        else:
            results[index].order, results[index].created = outcome


def _number_expression() -> RawSQL:
    """The next number, computed by PostgreSQL inside the INSERT: prefix, Beijing date and
    the sequence's next value, padded to six digits and widening past them."""
    return RawSQL(
        "(SELECT %s || lpad(n::text, greatest(6, length(n::text)), '0')"
        " FROM nextval(%s::regclass) AS n)",
        (_number_prefix(), NUMBER_SEQUENCE),
    )


def _number_prefix() -> str:
    prefix = settings.HONGMIAN_HOTLINE_NUMBER_PREFIX
    day = timezone.localdate(timezone.now(), timezone=CALENDAR_TZ)
    return f"{prefix}-{day:%Y%m%d}-"


def _numbers_next(count: int) -> list[str]:
    """`count` new numbers in one statement (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s || lpad(n::text, greatest(6, length(n::text)), '0')"
            " FROM (SELECT nextval(%s::regclass) AS n FROM generate_series(1, %s)) AS s",
            [_number_prefix(), NUMBER_SEQUENCE, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _store_postgresql(actor: Actor, intakes: list[_Intake], *, strict: bool = True) -> list[Any]:
    """Insert the orders in ONE statement, `INSERT … ON CONFLICT DO NOTHING RETURNING`: a key
    already used (even by an attempt still in flight, which PostgreSQL waits for) inserts
    nothing and is answered from the row that holds it. Then the new orders' timeline and
    audit entries and their notices, one statement each. Call inside transaction.atomic().

    Returns `(order, created)` per intake, in order; with `strict=False` a reused key with
    a different request is returned as its Conflict instead of raised."""
    if not intakes:
        return []
    meta = WorkOrder._meta
    # Keys in a fixed order: two batches holding the same keys wait for each other in the
    # same order instead of deadlocking.
    ordered = sorted(
        range(len(intakes)), key=lambda i: (intakes[i].key is None, intakes[i].key or "")
    )
    objs = [intakes[i].order for i in ordered]
    if len(objs) == 1:
        objs[0].number = _number_expression()
    else:
        # Many rows: the numbers first, in one statement, so that the INSERT carries plain
        # values and Django can send it as one UNNEST per column (a per-row expression
        # would make it thousands of placeholders to plan and bind).
        for obj, number in zip(objs, _numbers_next(len(objs)), strict=True):
            obj.number = number
    query = InsertQuery(WorkOrder, on_conflict=OnConflict.IGNORE)
    query.insert_values(
        [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated],
        list[Model](objs),
    )
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    compiler.returning_fields = [
        meta.pk,
        meta.get_field("number"),
        meta.get_field("idempotency_key"),
    ]
    [(sql, params)] = compiler.as_sql()
    # Only a used idempotency key is passed over (the partial unique index's own terms);
    # any other violation (a number taken by an imported order …) still raises.
    sql = sql.replace(
        " ON CONFLICT DO NOTHING ",
        ' ON CONFLICT ("submitted_by_id", "idempotency_key")'
        ' WHERE "idempotency_key" IS NOT NULL DO NOTHING ',
        1,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_key = {key: (pk, num) for pk, num, key in rows if key is not None}
    unkeyed = iter([(pk, num) for pk, num, key in rows if key is None])

    outcomes: list[Any] = [None] * len(intakes)
    created: list[WorkOrder] = []
    replays: list[int] = []
    for i in ordered:
        intake = intakes[i]
        got = by_key.get(intake.key) if intake.key is not None else next(unkeyed)
        if got is None:
            replays.append(i)
            continue
        order = intake.order
        order.pk, order.number = got
        order._state.adding, order._state.db = False, DEFAULT_DB_ALIAS
        outcomes[i] = (order, True)
        created.append(order)
    if replays:
        user = intakes[replays[0]].order.submitted_by
        keys = [intakes[i].key for i in replays]
        firsts = {
            o.idempotency_key: o
            for o in WorkOrder.objects.filter(submitted_by=user, idempotency_key__in=keys)
        }
        for i in replays:
            first = firsts.get(intakes[i].key)
            if first is None:  # pragma: no cover - a conflict on something other than the key
                raise IntegrityError("work order insert conflicted without an existing key")
            try:
                outcomes[i] = _replay(first, intakes[i].fingerprint)
            except Conflict as exc:
                if strict:
                    raise
                outcomes[i] = exc
    if created:
        _record_intakes(actor, created, {id(i.order): i.email for i in intakes})
    return outcomes


def _record_intakes(actor: Actor, orders: list[WorkOrder], emails: dict[int, bool]) -> None:
    """The new orders' timeline and audit entries and their notices: one INSERT each."""
    TimelineEntry.objects.bulk_create(
        [
            timeline_entry(
                order=order,
                actor=actor,
                kind="received",
                visibility=Visibility.PUBLIC,
                text=f"诉求已受理，工单号 {order.number}",
                data={"channel": order.channel},
            )
            for order in orders
        ]
    )
    audit_record_many(
        [
            audit_event(
                actor=actor,
                action="work_order.intake",
                target=order,
                after=snapshot(order, _AUDITED),
            )
            for order in orders
        ]
    )
    notifications.in_transaction(
        notifications.orders_received, [(order.pk, emails[id(order)]) for order in orders]
    )


def _store_one(actor: Actor, intake: _Intake) -> tuple[WorkOrder, bool]:
    """The portable path (SQLite): look the key up, then insert under a savepoint that
    catches a racing retry's unique violation."""
    order, key, user = intake.order, intake.key, intake.order.submitted_by
    if key is not None:
        first = WorkOrder.objects.filter(submitted_by=user, idempotency_key=key).first()
        if first is not None:
            return _replay(first, intake.fingerprint)
    with transaction.atomic():
        order.number = work_order_number_next()
        try:
            # A savepoint: a racing retry's unique violation must not doom the transaction.
            with transaction.atomic():
                order.save(force_insert=True)
        except IntegrityError:
            if key is None:
                raise
            first = WorkOrder.objects.filter(submitted_by=user, idempotency_key=key).first()
            if first is None:
                raise
            return _replay(first, intake.fingerprint)
        _record_intakes(actor, [order], {id(order): intake.email})
    return order, True
