"""The hotline's JSON API (/api/hotline/…): take an order, list and read orders, and one
endpoint per act of the order's life.

Authentication: an API key (`Authorization: Bearer hm_…`) or the logged-in session, whose
unsafe calls need the CSRF token (`identity.auth.ApiKeyOrSession`). Every operation parses
its input and calls a selector or a service; the services decide who may act, and an order
the caller may not see answers exactly like a missing one (404 `work_order.not_found`).
Errors are `{code, message, fields}` with a 4xx status (core.api_errors).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import HeaderEx, P, Query, Router, Status

from hongmian.core.actors import Actor, client_address
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.hotline import permissions, selectors
from hongmian.hotline.models import ExtensionRequest, WorkOrder
from hongmian.hotline.schemas import (
    ExtensionDecideIn,
    ExtensionOut,
    TimelineEntryOut,
    WorkOrderAcknowledgeIn,
    WorkOrderArchiveIn,
    WorkOrderCallbackIn,
    WorkOrderCallbackReviewIn,
    WorkOrderCoReplyIn,
    WorkOrderCreateIn,
    WorkOrderDirectAnswerIn,
    WorkOrderDispatchIn,
    WorkOrderExtensionIn,
    WorkOrderFilterIn,
    WorkOrderJointMeetingIn,
    WorkOrderMergeIn,
    WorkOrderOut,
    WorkOrderPageOut,
    WorkOrderProgressIn,
    WorkOrderReplyIn,
    WorkOrderReturnIn,
    WorkOrderReturnReviewIn,
    WorkOrderSubdispatchIn,
    WorkOrderSummaryOut,
    WorkOrderSuperviseIn,
)
from hongmian.hotline.services import lifecycle
from hongmian.hotline.services.intake import KEY_MAX, work_order_intake
from hongmian.identity.auth import api_key_or_session
from hongmian.identity.models import OrgUnit, User

router = Router(tags=["hotline"], auth=api_key_or_session)

ORDER = "/work-orders/{number}"


def _user(request: HttpRequest) -> User:
    # The auth class lets only an active account through and puts it on request.auth.
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=_user(request), client_address=client_address(request), via="api")


def _not_found() -> NotFound:
    return NotFound("工单不存在", code="work_order.not_found")


def _order_pk(number: str) -> int:
    """The id behind a number. Says nothing about visibility: every service and selector
    it is handed to answers NotFound for an order the caller may not see."""
    pk = WorkOrder.objects.filter(number=number).values_list("pk", flat=True).first()
    if pk is None:
        raise _not_found()
    return pk


def _unit(unit_id: int, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        message = "单位不存在或已停用"
        raise ValidationFailed(message, code=f"work_order.{field}", fields={field: [message]})
    return unit


def _units(unit_ids: Iterable[int], field: str) -> list[OrgUnit]:
    return [_unit(pk, field) for pk in unit_ids]


# --- take, list, read ------------------------------------------------------------------------


@router.post(
    "/work-orders",
    response={200: WorkOrderSummaryOut, 201: WorkOrderSummaryOut},
    summary="受理工单",
)
def work_order_create(
    request: HttpRequest,
    payload: WorkOrderCreateIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key", max_length=KEY_MAX)] = None,
) -> Status[WorkOrder]:
    """201 with the new order. With an `Idempotency-Key` header a retry of the same request
    answers 200 with the order the first attempt made; the same key with a different
    request is refused (409 `work_order.idempotency_mismatch`)."""
    order, created = work_order_intake(
        actor=_actor(request),
        **payload.model_dump(),
        idempotency_key=idempotency_key,
    )
    return Status(201 if created else 200, order)


def _filtered(orders: QuerySet[WorkOrder], f: WorkOrderFilterIn) -> QuerySet[WorkOrder]:
    if f.status:
        orders = orders.filter(status__in=f.status)
    if f.channel:
        orders = orders.filter(channel__in=f.channel)
    if f.request_type:
        orders = orders.filter(request_type__in=f.request_type)
    if f.category:
        # A category stands for itself and everything below it (two levels at most).
        orders = orders.filter(
            Q(category__code=f.category)
            | Q(category__parent__code=f.category)
            | Q(category__parent__parent__code=f.category)
        )
    if f.district_code:
        orders = orders.filter(district_code=f.district_code)
    if f.lead_unit is not None:
        orders = orders.filter(lead_unit_id=f.lead_unit)
    if f.created_from is not None:
        orders = orders.filter(created_at__gte=_aware(f.created_from))
    if f.created_to is not None:
        orders = orders.filter(created_at__lte=_aware(f.created_to))
    if f.q and (q := f.q.strip()):
        orders = orders.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(content__icontains=q)
        )
    return orders


def _aware(value: Any) -> Any:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@router.get("/work-orders", response=WorkOrderPageOut, summary="工单列表")
def work_order_list(request: HttpRequest, filters: Query[WorkOrderFilterIn]) -> dict[str, Any]:
    """The orders the caller may see, filtered; no personal data. `total` counts every
    match, `items` holds at most `limit` of them from `offset` on."""
    orders = _filtered(selectors.work_orders_visible_to(_user(request)), filters)
    page = orders.select_related("category", "lead_unit").order_by(filters.ordering, "-id")
    return {
        "total": orders.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": list(page[filters.offset : filters.offset + filters.limit]),
    }


@router.get(ORDER, response=WorkOrderOut, summary="工单详情")
def work_order_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    """One order with its caller as the reader may see them (masked for handling units,
    hidden when confidential); the read is audited."""
    user = _user(request)
    # access_work_order has already put the caller's fields as this reader may see them.
    order = selectors.access_work_order(user, _order_pk(number), actor=_actor(request))
    return {
        **WorkOrderSummaryOut.from_orm(order).model_dump(),
        "content": order.content,
        "caller": {
            "name": order.caller_name,
            "phone": order.caller_phone,
            "hidden": permissions.caller_hidden(user, order),
        },
        "confidential": order.confidential,
        "address": order.address,
        "latitude": order.latitude,
        "longitude": order.longitude,
        "reply": order.reply,
        "close_reason": order.close_reason,
        "satisfaction": order.satisfaction,
        "resolved": order.resolved,
        "master": order.master.number if order.master is not None else None,
        "return_count": order.return_count,
        "reopen_count": order.reopen_count,
        "extension_count": order.extension_count,
        "assignments": list(order.assignments.select_related("unit").order_by("created_at", "id")),
        "clocks": list(order.clocks.order_by("started_at", "id")),
    }


@router.get(ORDER + "/timeline", response=list[TimelineEntryOut], summary="工单轨迹")
def work_order_timeline(request: HttpRequest, number: str) -> Any:
    """The entries the reader may see: the public ones for the caller, staff ones for the
    handling units, internal ones for the centre."""
    user = _user(request)
    order = selectors.access_work_order(user, _order_pk(number), actor=_actor(request))
    return selectors.timeline_for(user, order)


# --- the order's life: one endpoint per act --------------------------------------------------


@router.post(ORDER + "/direct-answer", response=WorkOrderSummaryOut, summary="直接答复办结")
def work_order_direct_answer(
    request: HttpRequest, number: str, payload: WorkOrderDirectAnswerIn
) -> WorkOrder:
    return lifecycle.work_order_direct_answer(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(ORDER + "/dispatch", response=WorkOrderSummaryOut, summary="派单（或改派）")
def work_order_dispatch(
    request: HttpRequest, number: str, payload: WorkOrderDispatchIn
) -> WorkOrder:
    """Without `lead_unit` the dispatch catalogue chooses the unit."""
    return lifecycle.work_order_dispatch(
        actor=_actor(request),
        order=_order_pk(number),
        lead_unit=_unit(payload.lead_unit, "lead_unit") if payload.lead_unit is not None else None,
        co_units=_units(payload.co_units, "co_units"),
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post(ORDER + "/subdispatch", response=WorkOrderSummaryOut, summary="下派到下级单位")
def work_order_subdispatch(
    request: HttpRequest, number: str, payload: WorkOrderSubdispatchIn
) -> WorkOrder:
    return lifecycle.work_order_subdispatch(
        actor=_actor(request),
        order=_order_pk(number),
        unit=_unit(payload.unit, "unit"),
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post(ORDER + "/acknowledge", response=WorkOrderSummaryOut, summary="签收")
def work_order_acknowledge(
    request: HttpRequest, number: str, payload: WorkOrderAcknowledgeIn
) -> WorkOrder:
    return lifecycle.work_order_acknowledge(
        actor=_actor(request), order=_order_pk(number), expected_version=payload.expected_version
    )


@router.post(ORDER + "/progress", response=WorkOrderSummaryOut, summary="记录办理过程")
def work_order_progress(
    request: HttpRequest, number: str, payload: WorkOrderProgressIn
) -> WorkOrder:
    return lifecycle.work_order_progress(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(ORDER + "/reply", response=WorkOrderSummaryOut, summary="主办单位答复")
def work_order_reply(request: HttpRequest, number: str, payload: WorkOrderReplyIn) -> WorkOrder:
    return lifecycle.work_order_reply(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(ORDER + "/co-reply", response=WorkOrderSummaryOut, summary="协办单位意见")
def work_order_co_reply(
    request: HttpRequest, number: str, payload: WorkOrderCoReplyIn
) -> WorkOrder:
    return lifecycle.work_order_co_reply(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(ORDER + "/return", response=WorkOrderSummaryOut, summary="申请退单")
def work_order_return(request: HttpRequest, number: str, payload: WorkOrderReturnIn) -> WorkOrder:
    return lifecycle.work_order_return_request(
        actor=_actor(request),
        order=_order_pk(number),
        reason=payload.reason,
        legal_basis=payload.legal_basis,
        explanation=payload.explanation,
        suggested_unit=(
            _unit(payload.suggested_unit, "suggested_unit")
            if payload.suggested_unit is not None
            else None
        ),
        expected_version=payload.expected_version,
    )


@router.post(ORDER + "/return-review", response=WorkOrderSummaryOut, summary="退单审核")
def work_order_return_review(
    request: HttpRequest, number: str, payload: WorkOrderReturnReviewIn
) -> WorkOrder:
    return lifecycle.work_order_return_review(
        actor=_actor(request),
        order=_order_pk(number),
        accept=payload.accept,
        note=payload.note,
        new_unit=_unit(payload.new_unit, "new_unit") if payload.new_unit is not None else None,
        to_joint_meeting=payload.to_joint_meeting,
        expected_version=payload.expected_version,
    )


@router.post(ORDER + "/extension", response={201: ExtensionOut}, summary="申请延期")
def work_order_extension(
    request: HttpRequest, number: str, payload: WorkOrderExtensionIn
) -> Status[ExtensionRequest]:
    """201 with the request; the centre decides on it by its `id`."""
    extension = lifecycle.work_order_extension_request(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )
    return Status(201, extension)


@router.post(
    ORDER + "/extensions/{extension_id}/decide", response=WorkOrderSummaryOut, summary="延期审批"
)
def work_order_extension_decide(
    request: HttpRequest, number: str, extension_id: int, payload: ExtensionDecideIn
) -> WorkOrder:
    # The extension is looked up under its order: an id from another order is not found.
    extension = (
        ExtensionRequest.objects.filter(pk=extension_id, order__number=number)
        .select_related("order")
        .first()
    )
    if extension is None:
        raise NotFound("延期申请不存在", code="extension.not_found")
    return lifecycle.work_order_extension_decide(
        actor=_actor(request), extension=extension, **payload.model_dump()
    )


@router.post(ORDER + "/supervise", response=WorkOrderSummaryOut, summary="催办或督办")
def work_order_supervise(
    request: HttpRequest, number: str, payload: WorkOrderSuperviseIn
) -> WorkOrder:
    return lifecycle.work_order_supervise(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(ORDER + "/callback", response=WorkOrderSummaryOut, summary="回访")
def work_order_callback(
    request: HttpRequest, number: str, payload: WorkOrderCallbackIn
) -> WorkOrder:
    fields = payload.model_dump()
    fields["satisfaction"] = fields["satisfaction"] or ""
    return lifecycle.work_order_callback(actor=_actor(request), order=_order_pk(number), **fields)


@router.post(ORDER + "/callback-review", response=WorkOrderSummaryOut, summary="回访不满意审核")
def work_order_callback_review(
    request: HttpRequest, number: str, payload: WorkOrderCallbackReviewIn
) -> WorkOrder:
    return lifecycle.work_order_callback_review(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(ORDER + "/merge", response=WorkOrderSummaryOut, summary="并单（本单为主单）")
def work_order_merge(request: HttpRequest, number: str, payload: WorkOrderMergeIn) -> WorkOrder:
    """Fold the orders numbered in `duplicates` under this one. A duplicate the caller may
    not see is refused like a missing one."""
    numbers = list(dict.fromkeys(n.strip() for n in payload.duplicates))
    visible = selectors.work_orders_visible_to(_user(request))
    found = dict(visible.filter(number__in=numbers).values_list("number", "pk"))
    if missing := [n for n in numbers if n not in found]:
        message = f"工单不存在：{'、'.join(missing)}"
        raise ValidationFailed(
            message, code="work_order.duplicates", fields={"duplicates": [message]}
        )
    return lifecycle.work_order_merge(
        actor=_actor(request),
        master=_order_pk(number),
        duplicates=[found[n] for n in numbers],
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post(ORDER + "/joint-meeting", response=WorkOrderSummaryOut, summary="联席会决定承办单位")
def work_order_joint_meeting(
    request: HttpRequest, number: str, payload: WorkOrderJointMeetingIn
) -> WorkOrder:
    return lifecycle.work_order_joint_meeting(
        actor=_actor(request),
        order=_order_pk(number),
        units=_units(payload.units, "units"),
        decided_unit=_unit(payload.decided_unit, "decided_unit"),
        minutes=payload.minutes,
        held_at=payload.held_at,
        expected_version=payload.expected_version,
    )


@router.post(ORDER + "/archive", response=WorkOrderSummaryOut, summary="归档")
def work_order_archive(request: HttpRequest, number: str, payload: WorkOrderArchiveIn) -> WorkOrder:
    return lifecycle.work_order_archive(
        actor=_actor(request), order=_order_pk(number), expected_version=payload.expected_version
    )
