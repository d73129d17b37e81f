"""Writing prepared intakes: the order rows with their numbers, the timeline and audit
entries and the notices, and idempotent retries — a request whose key an account already
used is answered from the order that holds it (or refused as a Conflict when the request
differs).

Two paths: on PostgreSQL one `INSERT … ON CONFLICT DO NOTHING RETURNING` for any number
of orders (a racing retry waits for the first attempt and inserts nothing), the statement
written out once below (`_INSERT_SQL`); elsewhere (SQLite) one order at a time,
looking the key up and inserting under a savepoint.

Not a public API beyond IntakeResult (each batch item's outcome): the services in
`hongmian.hotline.services.intake` call these.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DataError, IntegrityError, connection, transaction
from django.db.models import Field, ForeignObjectRel, Q, UniqueConstraint
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record_many, snapshot
from hongmian.core.errors import ApplicationError, Conflict
from hongmian.hotline import notifications
from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.hotline.services.intake_numbers import (
    NUMBER_SEQUENCE,
    NUMBER_SQL,
    number_prefix,
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
            gettext("该幂等键已用于另一条不同内容的诉求"),
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
                    ApplicationError(
                        gettext("该条诉求未能保存"), code="work_order.not_saved", fields={}
                    )
                )
    for (index, _), outcome in zip(items, stored, strict=True):
        if isinstance(outcome, ApplicationError):
            results[index].error = outcome
        else:
            results[index].order, results[index].created = outcome


# The partial unique constraint that makes a key single-use per account; the INSERT passes
# over a conflict on it, and on nothing else.
_KEY_CONSTRAINT = "hotline_order_idempotency_key"
_KEY_CONDITION = Q(idempotency_key__isnull=False)

# The one INSERT of orders on PostgreSQL. `_insert_statement` fills in the identifiers from
# the model (never a value); the values are parameters: the number prefix, the sequence,
# then one per column of `{columns}` — the order's value, or for many orders an array of
# every order's values.
# - ON CONFLICT names the key's partial unique index by its columns and condition: a key
#   already used (even by an attempt still in flight, which PostgreSQL waits for) inserts
#   nothing and returns no row; any other violation (a number an imported order holds)
#   still raises.
# - The number is made by the statement from the sequence (NUMBER_SQL), so no round trip
#   fetches it first.
_INSERT_SQL = """
    INSERT INTO {table} ({number}, {columns})
    {rows}
    ON CONFLICT ({conflict}) WHERE {key} IS NOT NULL DO NOTHING
    RETURNING {pk}, {number}, {key}
"""
# The rows of one order: its values, and its number from the sequence's next value.
_ONE_ROW = "VALUES ((SELECT {number_sql} FROM nextval(%s::regclass) AS n), {placeholders})"
# The rows of many orders, one array per column (UNNEST) rather than a placeholder per value:
# a batch of 500 is still 45 parameters, and its plan does not depend on its size. The
# sub-select that calls `nextval` is volatile, so PostgreSQL runs it once per row and never
# merges it into the outer SELECT (both uses of `n` see the same value); rows are numbered in
# array order. The casts drop the length (varchar, not varchar(200)): a value too long is
# refused by the column itself, as a plain value would be.
_MANY_ROWS = """
    SELECT {number_sql}, {row_columns}
    FROM (SELECT nextval(%s::regclass) AS n, u.* FROM UNNEST({arrays}) AS u({columns})) AS r
"""


@dataclass(frozen=True, slots=True)
class _Insert:
    one: str  # the statement for one order
    many: str  # the statement for any number of orders
    fields: list[Field[Any, Any]]  # whose values it takes, in this order


@functools.cache
def _insert_statement() -> _Insert:
    """`_INSERT_SQL` for WorkOrder, built once from the model's public metadata: its
    concrete fields but the id (and the number, which the statement makes), each field's
    `column` and `db_type`, the key constraint's fields."""
    meta = WorkOrder._meta

    def column(name: str) -> str:
        return _quoted_column(meta.get_field(name))

    fields = [
        f
        for f in meta.concrete_fields
        if f is not meta.auto_field and f.name != "number" and not f.generated
    ]
    unique = next(
        c for c in meta.constraints if isinstance(c, UniqueConstraint) and c.name == _KEY_CONSTRAINT
    )
    if unique.condition != _KEY_CONDITION:
        # ON CONFLICT finds the index by columns and condition: they must be the constraint's.
        raise RuntimeError(f"{_KEY_CONSTRAINT} no longer has the condition the INSERT names")
    columns = ", ".join(_quoted_column(f) for f in fields)

    def statement(rows: str) -> str:
        return " ".join(
            _INSERT_SQL.format(  # identifiers only, each through quote_name
                table=connection.ops.quote_name(meta.db_table),
                number=column("number"),
                columns=columns,
                rows=rows,
                conflict=", ".join(column(name) for name in unique.fields),
                key=column("idempotency_key"),
                pk=column(meta.pk.name),
            ).split()
        )

    one = _ONE_ROW.format(number_sql=NUMBER_SQL, placeholders=", ".join("%s" for _ in fields))
    many = _MANY_ROWS.format(
        number_sql=NUMBER_SQL,
        row_columns=", ".join(f"r.{_quoted_column(f)}" for f in fields),
        arrays=", ".join(f"%s::{_array_type(f)}" for f in fields),
        columns=columns,
    )
    return _Insert(one=statement(one), many=statement(many), fields=fields)


def _quoted_column(field: Field[Any, Any] | ForeignObjectRel) -> str:
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{field} is not a stored field")
    return connection.ops.quote_name(field.column)


def _array_type(field: Field[Any, Any]) -> str:
    """`varchar[]` for a varchar(200) column: without the length, as the column checks it."""
    db_type = field.db_type(connection)
    if not db_type:
        raise TypeError(f"{field} has no column type")
    return db_type.split("(")[0] + "[]"


def _insert(objs: list[WorkOrder]) -> list[tuple[int, str, str | None]]:
    """Run the INSERT for these (unsaved) orders; returns (id, number, key) of each row it
    wrote. Each value is prepared as Django prepares it for a save: `pre_save` (which stamps
    created_at and updated_at), then `get_db_prep_save` for this database."""
    statement = _insert_statement()
    rows = [
        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in statement.fields]
        for obj in objs
    ]
    if len(rows) == 1:
        sql, values = statement.one, rows[0]
    else:
        sql, values = statement.many, [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [number_prefix(), NUMBER_SEQUENCE, *values])
        written: list[tuple[int, str, str | None]] = cursor.fetchall()
    return written


def store_postgresql(
    actor: Actor, intakes: list[PreparedIntake], *, strict: bool = True
) -> list[Any]:
    """Insert the orders in ONE statement (`_INSERT_SQL`): a key already used (even by
    an attempt still in flight, which PostgreSQL waits for) inserts nothing and is answered
    from the row that holds it. Then the new orders' timeline and audit entries and their
    notices, one statement each. Call inside transaction.atomic().

    Returns `(order, created)` per intake, in order; with `strict=False` a reused key with
    a different request is returned as its Conflict instead of raised."""
    if not intakes:
        return []
    # Keys in a fixed order: two batches holding the same keys wait for each other in the
    # same order instead of deadlocking.
    ordered = sorted(
        range(len(intakes)), key=lambda i: (intakes[i].key is None, intakes[i].key or "")
    )
    rows = _insert([intakes[i].order for i in ordered])
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
