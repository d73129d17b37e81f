"""Batch intake (/api/hotline/work-orders/batch): many orders in one request, for the
integrations that forward in bulk (the telephony platform, the WeChat gateway).

One request carries up to BATCH_MAX orders, each with its own idempotency key, and answers
one result per order, in order: `created` (with its number), `replayed` (the key was used
before with the same request: the first order's number) or `error` (`{code, message,
fields}`, as for a single order). Items stand alone: a bad one does not stop the others,
and retrying the whole batch after a lost answer files nothing twice. The request itself
fails only as a whole for what concerns all of it: authentication, a malformed body, or
more than BATCH_MAX orders (413 `work_order.batch_too_large`: split the batch, as for a
body over the size limit, 413 `payload_too_large`). The service writes the new orders in
one transaction (hongmian/hotline/services/intake.py, `work_order_intake_batch`).

The schemas live here rather than in schemas.py: they are this module's alone.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from pydantic import ValidationError

from hongmian.core.actors import Actor, client_address
from hongmian.core.api_errors import error_body, errors, nul_fields, refuses_nul_itself
from hongmian.core.errors import ApplicationError
from hongmian.core.schemas import ErrorOut
from hongmian.hotline.schemas import WorkOrderCreateIn
from hongmian.hotline.services.intake import BATCH_MAX, work_order_intake_batch
from hongmian.hotline.services.intake_validation import KEY_MAX, IntakeRequest

router = Router()


class WorkOrderBatchItemIn(WorkOrderCreateIn):
    """One order of a batch: the single intake's fields and its own idempotency key."""

    idempotency_key: str = Field(min_length=1, max_length=KEY_MAX)


class WorkOrderBatchIn(Schema):
    # Items are checked one by one (a bad item is that item's error, not the batch's).
    orders: list[dict[str, Any]] = Field(description=f"最多 {BATCH_MAX} 条")


class WorkOrderBatchResultOut(Schema):
    index: int
    status: Literal["created", "replayed", "error"]
    number: str | None = None
    error: ErrorOut | None = None


class WorkOrderBatchOut(Schema):
    created: int
    replayed: int
    errors: int
    results: list[WorkOrderBatchResultOut]


class BatchTooLarge(ApplicationError):
    status_code = 413
    default_code = "work_order.batch_too_large"


def _item_error(exc: ValidationError) -> dict[str, object]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors():
        key = ".".join(str(p) for p in err.get("loc", ())) or "__all__"
        fields.setdefault(key, []).append(str(err.get("msg", "invalid")))
    return error_body("validation_failed", "请求数据格式不正确", fields)


@router.post(
    "/work-orders/batch",
    response={200: WorkOrderBatchOut, **errors(413)},
    summary="批量受理工单",
    openapi_extra={
        "responses": {413: {"description": "work_order.batch_too_large: split the batch"}}
    },
)
@refuses_nul_itself  # per item, below: a NUL in one order is that order's error
def work_order_batch_create(request: HttpRequest, payload: WorkOrderBatchIn) -> dict[str, Any]:
    """Up to BATCH_MAX orders, each with its `idempotency_key`; 200 with one result per
    order (`created`, `replayed` or `error`), in the order sent."""
    if len(payload.orders) > BATCH_MAX:
        raise BatchTooLarge(
            gettext("一次最多提交 %(BATCH_MAX)s 条诉求，请分批提交") % {"BATCH_MAX": BATCH_MAX},
            fields={"orders": [f"最多 {BATCH_MAX} 条，收到 {len(payload.orders)} 条"]},
        )
    results: list[dict[str, Any]] = [{"index": i} for i in range(len(payload.orders))]
    requests: list[tuple[IntakeRequest, str | None]] = []
    positions: list[int] = []
    for index, raw in enumerate(payload.orders):
        if nul := nul_fields(raw):
            error = error_body("validation_failed", "请求数据不能包含空字符", nul)
            results[index].update(status="error", error=error)
            continue
        try:
            item = WorkOrderBatchItemIn.model_validate(raw)
        except ValidationError as exc:
            results[index].update(status="error", error=_item_error(exc))
            continue
        requests.append((item.to_intake(), item.idempotency_key))
        positions.append(index)
    actor = Actor(user=request.auth, client_address=client_address(request), via="api")  # type: ignore[attr-defined]
    for index, outcome in zip(
        positions, work_order_intake_batch(actor=actor, requests=requests), strict=True
    ):
        if outcome.error is not None:
            results[index].update(status="error", error=outcome.error.as_dict())
        else:
            assert outcome.order is not None  # noqa: S101  # the service's contract
            status = "created" if outcome.created else "replayed"
            results[index].update(status=status, number=outcome.order.number)
    counts = {s: sum(r["status"] == s for r in results) for s in ("created", "replayed", "error")}
    return {
        "created": counts["created"],
        "replayed": counts["replayed"],
        "errors": counts["error"],
        "results": results,
    }
