"""/api/hotline/…: 本单位负责人审批 (services/signoff.py) — the manager's list of requests to
decide, and 同意 / 退回修改 / 撤回 of an order's request. The handler's acts themselves are the
order's `reply`, `return` and `extension` operations (api/orders.py), which answer 202 with
the request when the unit's policy holds them for its manager.

Errors as everywhere in the hotline's API: an order the caller may not see is 404
`work_order.not_found`; a manager of another unit, or a handler deciding, 403; a request
decided meanwhile 409 `sign_off.illegal_transition`, none waiting 409 `sign_off.none_pending`;
a stale `expected_version` 409 `work_order.stale`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from hongmian.core.api_errors import errors
from hongmian.hotline import selectors
from hongmian.hotline.api.orders import ACT_ERRORS, ORDER, _actor, _order_pk, _user
from hongmian.hotline.models import SignOffRequest
from hongmian.hotline.schemas import (
    SignOffApproveIn,
    SignOffFilterIn,
    SignOffOut,
    SignOffPageOut,
    SignOffSendBackIn,
    SignOffWithdrawIn,
)
from hongmian.hotline.services.signoff import (
    sign_off_approve,
    sign_off_send_back,
    sign_off_withdraw,
)

router = Router()

SIGN_OFF = ORDER + "/sign-off"


@router.get("/sign-offs", response={200: SignOffPageOut, **errors()}, summary="待审批列表")
def sign_off_list(request: HttpRequest, filters: Query[SignOffFilterIn]) -> dict[str, Any]:
    """The requests the caller decides as a unit's manager, longest waiting first (empty for
    everyone else). `total` counts them all."""
    rows = selectors.sign_offs_pending_for(_user(request)).select_related(
        "order__category", "order__lead_unit"
    )
    return {
        "total": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


def _fresh(row: SignOffRequest) -> SignOffRequest:
    # The approval changed the order (replied, return requested): answer it as it is now.
    return SignOffRequest.objects.select_related("order", "unit", "requested_by").get(pk=row.pk)


@router.post(
    SIGN_OFF + "/approve", response={200: SignOffOut, **ACT_ERRORS}, summary="本单位负责人同意"
)
def sign_off_approve_op(
    request: HttpRequest, number: str, payload: SignOffApproveIn
) -> SignOffRequest:
    """The act happens now with the request's arguments (the order's own rules apply then:
    a return window that closed meanwhile is 409 and the request stays waiting)."""
    row = sign_off_approve(actor=_actor(request), order=_order_pk(number), **payload.model_dump())
    return _fresh(row)


@router.post(
    SIGN_OFF + "/send-back", response={200: SignOffOut, **ACT_ERRORS}, summary="退回经办人修改"
)
def sign_off_send_back_op(
    request: HttpRequest, number: str, payload: SignOffSendBackIn
) -> SignOffRequest:
    row = sign_off_send_back(actor=_actor(request), order=_order_pk(number), **payload.model_dump())
    return _fresh(row)


@router.post(
    SIGN_OFF + "/withdraw", response={200: SignOffOut, **ACT_ERRORS}, summary="撤回审批申请"
)
def sign_off_withdraw_op(
    request: HttpRequest, number: str, payload: SignOffWithdrawIn
) -> SignOffRequest:
    """The handler who asked takes the request back (403 for anyone else)."""
    row = sign_off_withdraw(actor=_actor(request), order=_order_pk(number), **payload.model_dump())
    return _fresh(row)


__all__ = ["router"]
