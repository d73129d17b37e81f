"""受理 — recording a request as a work order, one at a time or in a batch, with idempotent
retries: `work_order_intake` and `work_order_intake_batch`.

The work is done in three modules; each caller imports a name from the module that defines it:

- intake_validation  IntakeRequest, the request every door builds; checking and normalising
                     it (limits, phone, coordinates, category, the caller's records, the
                     parsed address); no writes
- intake_numbers     order numbers (GZ-YYYYMMDD-NNNNNN): the PostgreSQL sequence or the
                     counter row
- intake_store       writing orders with their timeline, audit and notices, and answering
                     a retried idempotency key from the order that holds it
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, ValidationFailed
from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.services.intake_store import (
    IntakeResult,
    replay,
    store_batch_postgresql,
    store_one,
    store_postgresql,
)
from hongmian.hotline.services.intake_validation import (
    IntakeRequest,
    PreparedIntake,
    intake_prepare,
)

# Most orders one batch intake takes (the API answers 413 `work_order.batch_too_large` above).
BATCH_MAX = 500


def work_order_intake(
    *,
    actor: Actor,
    request: IntakeRequest,
    idempotency_key: str | None = None,
) -> tuple[WorkOrder, bool]:
    """Record a request; returns `(order, created)`.

    With an `idempotency_key`, a retry by the same account — even one racing the first
    attempt — returns the first order and `created=False`; the same key with a different
    request is refused (409 `work_order.idempotency_mismatch`). Invalid input raises
    ValidationFailed with a `work_order.<field>` code; an actor who may not file through
    the request's channel gets PermissionDenied. The caller is told the number once the
    order commits.
    """
    intake = intake_prepare(actor=actor, request=request, idempotency_key=idempotency_key)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            [(order, created)] = store_postgresql(actor, [intake])
        return order, created
    return store_one(actor, intake)


def work_order_intake_batch(
    *, actor: Actor, requests: Sequence[tuple[IntakeRequest, str | None]]
) -> list[IntakeResult]:
    """Record up to BATCH_MAX requests, each `(request, idempotency_key)` as for
    `work_order_intake`, in one transaction; returns one result per request, in order.

    Each item stands alone: an invalid one (or a key reused with a different request) is
    an error result and does not stop the others; a retried item (or a whole retried
    batch) answers with its first order and `created=False`. On PostgreSQL the new orders,
    their timeline and audit entries and their notices are written with one statement
    each; a savepoint per item is taken only if that bulk write fails.
    """
    if len(requests) > BATCH_MAX:
        raise ValidationFailed(
            gettext("一次最多提交 %(BATCH_MAX)s 条诉求") % {"BATCH_MAX": BATCH_MAX},
            code="work_order.batch_too_large",
            fields={"orders": [f"最多 {BATCH_MAX} 条"]},
        )
    results = [IntakeResult() for _ in requests]
    categories: dict[str, Category | None] = {}
    valid: list[tuple[int, PreparedIntake]] = []
    for index, (request, key) in enumerate(requests):
        try:
            prepared = intake_prepare(
                actor=actor, request=request, idempotency_key=key, categories=categories
            )
            valid.append((index, prepared))
        except ApplicationError as exc:
            results[index].error = exc
    # The same key twice in one batch: the first stands, the others are its retries.
    firsts: dict[str, tuple[int, PreparedIntake]] = {}
    repeats: list[tuple[int, PreparedIntake, int]] = []
    unique: list[tuple[int, PreparedIntake]] = []
    for index, intake in valid:
        if intake.key is not None and intake.key in firsts:
            repeats.append((index, intake, firsts[intake.key][0]))
            continue
        if intake.key is not None:
            firsts[intake.key] = (index, intake)
        unique.append((index, intake))

    with transaction.atomic():
        if connection.vendor == "postgresql":
            store_batch_postgresql(actor, unique, results)
        else:
            for index, intake in unique:
                try:
                    with transaction.atomic():
                        results[index].order, results[index].created = store_one(actor, intake)
                except ApplicationError as exc:
                    results[index].error = exc
    for index, intake, first in repeats:
        first_order = results[first].order
        if first_order is None:
            results[index].error = results[first].error
            continue
        try:
            results[index].order, _ = replay(first_order, intake.fingerprint)
        except ApplicationError as exc:
            results[index].error = exc
    return results
