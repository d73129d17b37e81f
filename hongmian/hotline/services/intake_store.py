"""Writing prepared intakes: the order rows with their numbers, the timeline and audit
entries and the notices, and idempotent retries — a request whose key an account already
used is answered from the order that holds it (or refused as a Conflict when the request
differs).

Two paths: on PostgreSQL one `INSERT … ON CONFLICT DO NOTHING RETURNING` for any number
of orders (a racing retry waits for the first attempt and inserts nothing); elsewhere
(SQLite) one order at a time, looking the key up and inserting under a savepoint.

Not a public API beyond IntakeResult (each batch item's outcome): the services in
`hongmian.hotline.services.intake` call these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DataError, IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record_many, snapshot
from hongmian.core.errors import ApplicationError, Conflict
from hongmian.hotline import notifications
from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.hotline.services.intake_numbers import (
    number_expression,
    numbers_next,
    work_order_number_next,
)
from hongmian.hotline.services.intake_validation import PreparedIntake
from hongmian.hotline.services.timeline import timeline_entry
from hongmian.hotline.states import Visibility

# Under the intake module's name, as before the split: log filters and alerts name it.
logger = logging.getLogger(__name__)

# What the audit entry keeps of a new order: no caller data, which is not the audit's to copy.
_AUDITED = ["number", "channel", "request_type", "priority", "status", "category", "confidential"]


@dataclass
class IntakeResult:
    """One item of a batch: the order (new or replayed), or the error that refused it."""

    order: WorkOrder | None = None
    created: bool = False
    error: ApplicationError | None = None


def replay(order: WorkOrder, fingerprint: str) -> tuple[WorkOrder, bool]:
    """A retry of the request that made `order`: `(order, False)`, or Conflict when the same
    key comes with a different request."""
    if order.idempotency_fingerprint and order.idempotency_fingerprint != fingerprint:
        raise Conflict(
            "该幂等键已用于另一条不同内容的诉求",
            code="work_order.idempotency_mismatch",
            fields={"idempotency_key": ["该幂等键已用于不同内容的请求"]},
        )
    return order, False


def store_batch_postgresql(
    actor: Actor, items: list[tuple[int, PreparedIntake]], results: list[IntakeResult]
) -> None:
    """Store a batch's items (index, intake) on PostgreSQL, filling `results` at each index
    with the order or the error. Call inside transaction.atomic()."""
    try:
        # A savepoint around the bulk write: if a row breaks a constraint that validation
        # cannot see, the batch goes on item by item instead of failing as a whole.
        with transaction.atomic():
            stored = store_postgresql(actor, [intake for _, intake in items], strict=False)
    except (IntegrityError, DataError):
        stored = []
        for _, intake in items:
            try:
                with transaction.atomic():
                    stored += store_postgresql(actor, [intake], strict=False)
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


def store_postgresql(
    actor: Actor, intakes: list[PreparedIntake], *, strict: bool = True
) -> list[Any]:
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
        objs[0].number = number_expression()
    else:
        # Many rows: the numbers first, in one statement, so that the INSERT carries plain
        # values and Django can send it as one UNNEST per column (a per-row expression
        # would make it thousands of placeholders to plan and bind).
        for obj, number in zip(objs, numbers_next(len(objs)), strict=True):
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
                outcomes[i] = replay(first, intakes[i].fingerprint)
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


def store_one(actor: Actor, intake: PreparedIntake) -> tuple[WorkOrder, bool]:
    """The portable path (SQLite): look the key up, then insert under a savepoint that
    catches a racing retry's unique violation."""
    order, key, user = intake.order, intake.key, intake.order.submitted_by
    if key is not None:
        first = WorkOrder.objects.filter(submitted_by=user, idempotency_key=key).first()
        if first is not None:
            return replay(first, intake.fingerprint)
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
            return replay(first, intake.fingerprint)
        _record_intakes(actor, [order], {id(order): intake.email})
    return order, True
