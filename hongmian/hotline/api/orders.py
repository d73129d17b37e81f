"""The hotline's JSON API (/api/hotline/…): take an order, list and read orders, and one
endpoint per act of the order's life.

Authentication: an API key (`Authorization: Bearer hm_…`) or the logged-in session, whose
unsafe calls need the CSRF token (the API's one default, config/api.py) — except the caller's own
rating (`…/caller-rating`), which is open to the public: the order's number and the phone
left on it are the proof, and wrong guesses are limited per address (`hotline.tracking`).
Every operation parses its input and calls a selector or a service; the services decide who
may act, and an order the caller may not see answers exactly like a missing one (404
`work_order.not_found`). Errors are `{code, message, fields}` with a 4xx status
(core.api_errors); each operation's `response=` names the ones it answers besides those every
operation of its kind answers (401, 422 …).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import HeaderEx, P, Query, Router, Status

from hongmian.core.actors import Actor, client_address
from hongmian.core.api_errors import errors
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.schemas import DbId
from hongmian.hotline import insights_hook, knowledge_bridge, permissions, selectors, tracking
from hongmian.hotline.limits import intake_guard
from hongmian.hotline.models import ExtensionRequest, WorkOrder
from hongmian.hotline.queues import queue_apply, queue_filter_parse, queue_rows
from hongmian.hotline.schemas import (
    AssignmentHandlerIn,
    AssignmentHandlerOut,
    ExtensionDecideIn,
    ExtensionOut,
    SignOffOut,
    SuggestionsIn,
    SuggestionsOut,
    TimelineEntryOut,
    TransitionIn,
    WorkOrderAcknowledgeIn,
    WorkOrderArchiveIn,
    WorkOrderCallbackIn,
    WorkOrderCallbackReviewIn,
    WorkOrderCallerRatingIn,
    WorkOrderCallerRatingOut,
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
from hongmian.hotline.services import (
    lifecycle_closing,
    lifecycle_common,
    lifecycle_dispatch,
    lifecycle_handling,
)
from hongmian.hotline.services.assignment import assignment_assign_handler
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import KEY_MAX
from hongmian.hotline.services.signoff import Submitted, sign_off_submit
from hongmian.hotline.states import SignOffAct
from hongmian.identity.models import OrgUnit, User

router = Router()

ORDER = "/work-orders/{number}"
# What an act on an order can answer: not found or not visible (404), not this actor's to do
# (403), stale `expected_version` or not from the order's status (409).
ACT_ERRORS = errors(403, 404, 409)


def _user(request: HttpRequest) -> User:
    # The auth class lets only an active account through and puts it on request.auth.
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=_user(request), client_address=client_address(request), via="api")


def _not_found() -> NotFound:
    return NotFound(gettext("工单不存在"), code="work_order.not_found")


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
    response={200: WorkOrderSummaryOut, 201: WorkOrderSummaryOut, **errors(403, 409, 429)},
    summary="受理工单",
    openapi_extra={
        "responses": {
            200: {"description": "a retry with the same Idempotency-Key: the first order"},
            201: {"description": "the new order"},
            409: {"description": "work_order.idempotency_mismatch: the key was used before"},
        }
    },
)
def work_order_create(
    request: HttpRequest,
    payload: WorkOrderCreateIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key", max_length=KEY_MAX)] = None,
) -> Status[WorkOrder]:
    """201 with the new order. With an `Idempotency-Key` header a retry of the same request
    answers 200 with the order the first attempt made; the same key with a different
    request is refused (409 `work_order.idempotency_mismatch`). A citizen's account files at
    most HONGMIAN_PUBLIC_SUBMISSIONS_PER_HOUR an hour (429 `work_order.too_many_submissions`,
    with Retry-After); staff are not counted."""
    actor, intake = _actor(request), payload.to_intake()
    intake_guard(actor, intake.channel)
    order, created = work_order_intake(actor=actor, request=intake, idempotency_key=idempotency_key)
    return Status(201 if created else 200, order)


@router.get("/work-orders", response={200: WorkOrderPageOut, **errors(422)}, summary="工单列表")
def work_order_list(request: HttpRequest, filters: Query[WorkOrderFilterIn]) -> dict[str, Any]:
    """The orders the caller may see, filtered; no personal data. `total` (= `count`)
    counts every match. The queue contract of the web lists (docs/hotline.md, "Queues"):
    `status` (a status or a group), `category_id`, `district`, `unit`, `light`, `overdue`,
    `tag`, `from`/`to`, `satisfaction`, `sort`, `page`/`per_page`; a value that names
    nothing (a category or unit that does not exist) is 422 `queue.<param>`."""
    wanted, problems = queue_filter_parse(filters.queue_params())
    if problems:
        raise ValidationFailed(
            problems[0].message,
            code=problems[0].code,
            fields={p.param: [p.message] for p in problems},
        )
    user = _user(request)
    orders = selectors.work_order_list(
        user,
        channel=filters.channel,
        request_type=filters.request_type,
        category_code=filters.category,
        district_code=filters.district_code,
        lead_unit_id=filters.lead_unit,
        created_from=filters.created_from,
        created_to=filters.created_to,
        search=filters.q,
        ordering=filters.ordering,
    )
    # Without `sort`, the API's own `ordering` stands (queue_apply would impose its default).
    orders = queue_apply(orders, wanted, user=user, now=timezone.now(), default_sort="")
    if not wanted.sort:
        orders = orders.order_by(filters.ordering, "-id")
    if filters.page is not None or filters.per_page is not None:
        per_page = filters.per_page or filters.limit
        offset, limit = ((filters.page or 1) - 1) * per_page, per_page
    else:
        offset, limit = filters.offset, filters.limit
    total = orders.count()
    return {
        "total": total,
        "count": total,
        "limit": limit,
        "offset": offset,
        "page": offset // limit + 1,
        "per_page": limit,
        "num_pages": max(1, -(-total // limit)),
        "items": queue_rows(orders, offset, limit),
    }


@router.get(ORDER, response={200: WorkOrderOut, **errors(404)}, summary="工单详情")
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


@router.get(
    ORDER + "/timeline", response={200: list[TimelineEntryOut], **errors(404)}, summary="工单轨迹"
)
def work_order_timeline(request: HttpRequest, number: str) -> Any:
    """The entries the reader may see: the public ones for the caller, staff ones for the
    handling units, internal ones for the centre."""
    user = _user(request)
    order = selectors.access_work_order(user, _order_pk(number), actor=_actor(request))
    return selectors.timeline_for(user, order)


# --- the order's life: one endpoint per act --------------------------------------------------


@router.post(
    ORDER + "/direct-answer",
    response={200: WorkOrderSummaryOut, **ACT_ERRORS},
    summary="直接答复办结",
)
def work_order_direct_answer(
    request: HttpRequest, number: str, payload: WorkOrderDirectAnswerIn
) -> WorkOrder:
    """With `article` the answer is recorded against that knowledge article (the reader
    must be allowed to see it; an unknown, retired or expired one is 404 article.not_found)
    and `answer` may be left empty to send the article's text."""
    fields = payload.model_dump()
    article_id = fields.pop("article")
    article = None
    if article_id is not None:
        chosen = knowledge_bridge.article_get(_user(request), str(article_id))
        if chosen is None:
            raise NotFound(gettext("知识条目不存在"), code="article.not_found")
        article = chosen.article
        fields["answer"] = fields["answer"] or chosen.answer
    return lifecycle_dispatch.work_order_direct_answer(
        actor=_actor(request), order=_order_pk(number), article=article, **fields
    )


@router.post(
    ORDER + "/dispatch", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="派单（或改派）"
)
def work_order_dispatch(
    request: HttpRequest, number: str, payload: WorkOrderDispatchIn
) -> WorkOrder:
    """Without `lead_unit` the dispatch catalogue chooses the unit."""
    return lifecycle_dispatch.work_order_dispatch(
        actor=_actor(request),
        order=_order_pk(number),
        lead_unit=_unit(payload.lead_unit, "lead_unit") if payload.lead_unit is not None else None,
        co_units=_units(payload.co_units, "co_units"),
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post(
    ORDER + "/subdispatch",
    response={200: WorkOrderSummaryOut, **ACT_ERRORS},
    summary="下派到下级单位",
)
def work_order_subdispatch(
    request: HttpRequest, number: str, payload: WorkOrderSubdispatchIn
) -> WorkOrder:
    return lifecycle_dispatch.work_order_subdispatch(
        actor=_actor(request),
        order=_order_pk(number),
        unit=_unit(payload.unit, "unit"),
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post(
    ORDER + "/acknowledge", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="签收"
)
def work_order_acknowledge(
    request: HttpRequest, number: str, payload: WorkOrderAcknowledgeIn
) -> WorkOrder:
    return lifecycle_dispatch.work_order_acknowledge(
        actor=_actor(request), order=_order_pk(number), expected_version=payload.expected_version
    )


@router.post(
    ORDER + "/progress", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="记录办理过程"
)
def work_order_progress(
    request: HttpRequest, number: str, payload: WorkOrderProgressIn
) -> WorkOrder:
    return lifecycle_handling.work_order_progress(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


# The handler's reply, return and extension request go through the unit's sign-off
# (services/signoff.py): done now (200/201), or 202 with the request its manager decides.
HELD = {202: SignOffOut}


def _submit(request: HttpRequest, number: str, act: str, payload: TransitionIn) -> Submitted:
    fields = payload.model_dump(exclude={"expected_version"})
    return sign_off_submit(
        actor=_actor(request),
        order=_order_pk(number),
        act=act,
        payload=fields,
        expected_version=payload.expected_version,
    )


def _answered(done: Submitted, status: int = 200) -> Status[Any]:
    if done.sign_off is not None:
        return Status(202, done.sign_off)
    return Status(status, done.result)


@router.post(
    ORDER + "/reply",
    response={200: WorkOrderSummaryOut, **HELD, **ACT_ERRORS},
    summary="主办单位答复",
)
def work_order_reply(request: HttpRequest, number: str, payload: WorkOrderReplyIn) -> Status[Any]:
    return _answered(_submit(request, number, SignOffAct.REPLY, payload))


@router.post(
    ORDER + "/co-reply", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="协办单位意见"
)
def work_order_co_reply(
    request: HttpRequest, number: str, payload: WorkOrderCoReplyIn
) -> WorkOrder:
    return lifecycle_handling.work_order_co_reply(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(
    ORDER + "/return",
    response={200: WorkOrderSummaryOut, **HELD, **ACT_ERRORS},
    summary="申请退单",
)
def work_order_return(request: HttpRequest, number: str, payload: WorkOrderReturnIn) -> Status[Any]:
    if payload.suggested_unit is not None:
        _unit(payload.suggested_unit, "suggested_unit")
    return _answered(_submit(request, number, SignOffAct.RETURN, payload))


@router.post(
    ORDER + "/return-review", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="退单审核"
)
def work_order_return_review(
    request: HttpRequest, number: str, payload: WorkOrderReturnReviewIn
) -> WorkOrder:
    return lifecycle_dispatch.work_order_return_review(
        actor=_actor(request),
        order=_order_pk(number),
        accept=payload.accept,
        note=payload.note,
        new_unit=_unit(payload.new_unit, "new_unit") if payload.new_unit is not None else None,
        to_joint_meeting=payload.to_joint_meeting,
        expected_version=payload.expected_version,
    )


@router.post(
    ORDER + "/extension", response={201: ExtensionOut, **HELD, **ACT_ERRORS}, summary="申请延期"
)
def work_order_extension(
    request: HttpRequest, number: str, payload: WorkOrderExtensionIn
) -> Status[Any]:
    """201 with the request; the centre decides on it by its `id`. 202 with the sign-off
    request when the unit's manager signs it off first."""
    return _answered(_submit(request, number, SignOffAct.EXTENSION, payload), 201)


@router.post(
    ORDER + "/extensions/{extension_id}/decide",
    response={200: WorkOrderSummaryOut, **ACT_ERRORS},
    summary="延期审批",
)
def work_order_extension_decide(
    request: HttpRequest, number: str, extension_id: DbId, payload: ExtensionDecideIn
) -> WorkOrder:
    # The extension is looked up under its order: an id from another order is not found.
    extension = (
        ExtensionRequest.objects.filter(pk=extension_id, order__number=number)
        .select_related("order")
        .first()
    )
    if extension is None:
        raise NotFound(gettext("延期申请不存在"), code="extension.not_found")
    return lifecycle_handling.work_order_extension_decide(
        actor=_actor(request), extension=extension, **payload.model_dump()
    )


@router.post(
    ORDER + "/supervise", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="催办或督办"
)
def work_order_supervise(
    request: HttpRequest, number: str, payload: WorkOrderSuperviseIn
) -> WorkOrder:
    return lifecycle_handling.work_order_supervise(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(ORDER + "/callback", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="回访")
def work_order_callback(
    request: HttpRequest, number: str, payload: WorkOrderCallbackIn
) -> WorkOrder:
    fields = payload.model_dump()
    fields["satisfaction"] = fields["satisfaction"] or ""
    return lifecycle_closing.work_order_callback(
        actor=_actor(request), order=_order_pk(number), **fields
    )


@router.post(
    ORDER + "/caller-rating",
    auth=None,
    response={200: WorkOrderCallerRatingOut, **errors(404, 409, 429)},
    summary="市民评价（凭工单号和电话）",
)
def work_order_caller_rating(
    request: HttpRequest, number: str, payload: WorkOrderCallerRatingIn
) -> WorkOrder:
    """Open to the public: the caller rates the reply with the order's number and the phone
    they left, no key or session needed (none is used: the rating is recorded without an
    account, audited with the client's address). A wrong pair is 404
    `work_order.not_found`, like a missing order; too many wrong pairs from one address
    lock it out for a while, together with the track page (429
    `work_order.too_many_attempts`). Only while the order awaits its callback (409
    `work_order.illegal_transition`), once per reply (409 `work_order.already_rated`)."""
    if tracking.lookup_locked(request):
        raise tracking.lookup_refused(request)
    actor = Actor(user=None, client_address=client_address(request), via="api")
    try:
        order = selectors.work_order_track(number, payload.phone)
        return lifecycle_closing.work_order_caller_rate(
            actor=actor, order=order, **payload.model_dump(mode="python")
        )
    except NotFound:
        tracking.lookup_missed(request)
        raise


@router.post(
    ORDER + "/callback-review",
    response={200: WorkOrderSummaryOut, **ACT_ERRORS},
    summary="回访不满意审核",
)
def work_order_callback_review(
    request: HttpRequest, number: str, payload: WorkOrderCallbackReviewIn
) -> WorkOrder:
    return lifecycle_closing.work_order_callback_review(
        actor=_actor(request), order=_order_pk(number), **payload.model_dump()
    )


@router.post(
    ORDER + "/merge",
    response={200: WorkOrderSummaryOut, **ACT_ERRORS},
    summary="并单（本单为主单）",
)
def work_order_merge(request: HttpRequest, number: str, payload: WorkOrderMergeIn) -> WorkOrder:
    """Fold the orders numbered in `duplicates` under this one. A duplicate the caller may
    not see is refused like a missing one."""
    master = _order_pk(number)
    # Who may merge into this order answers before anything about the duplicates is said.
    lifecycle_common.ensure_can_act(_actor(request), master, permissions.can_merge)
    numbers = list(dict.fromkeys(n.strip() for n in payload.duplicates))
    visible = selectors.work_orders_visible_to(_user(request))
    found = dict(visible.filter(number__in=numbers).values_list("number", "pk"))
    if missing := [n for n in numbers if n not in found]:
        message = f"工单不存在：{'、'.join(missing)}"
        raise ValidationFailed(
            message, code="work_order.duplicates", fields={"duplicates": [message]}
        )
    return lifecycle_closing.work_order_merge(
        actor=_actor(request),
        master=master,
        duplicates=[found[n] for n in numbers],
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post(
    ORDER + "/joint-meeting",
    response={200: WorkOrderSummaryOut, **ACT_ERRORS},
    summary="联席会决定承办单位",
)
def work_order_joint_meeting(
    request: HttpRequest, number: str, payload: WorkOrderJointMeetingIn
) -> WorkOrder:
    return lifecycle_dispatch.work_order_joint_meeting(
        actor=_actor(request),
        order=_order_pk(number),
        units=_units(payload.units, "units"),
        decided_unit=_unit(payload.decided_unit, "decided_unit"),
        minutes=payload.minutes,
        held_at=payload.held_at,
        expected_version=payload.expected_version,
    )


@router.post(ORDER + "/archive", response={200: WorkOrderSummaryOut, **ACT_ERRORS}, summary="归档")
def work_order_archive(request: HttpRequest, number: str, payload: WorkOrderArchiveIn) -> WorkOrder:
    return lifecycle_closing.work_order_archive(
        actor=_actor(request), order=_order_pk(number), expected_version=payload.expected_version
    )


# --- 经办人 inside a unit ------------------------------------------------------------------------


@router.post(
    ORDER + "/handler",
    response={200: AssignmentHandlerOut, **errors(403, 404, 409)},
    summary="指定或领取经办人",
)
def work_order_handler(
    request: HttpRequest, number: str, payload: AssignmentHandlerIn
) -> dict[str, Any]:
    """Name the 经办人 of the caller's unit's assignment of this order (the unit's manager:
    anyone of the unit, or null to clear), or take it (a handler: their own id, while
    nobody holds it). 409 `assignment.not_active` when the unit no longer holds the order;
    422 `assignment.handler` for someone who is not an active handler of the unit."""
    user = _user(request)
    order = selectors.work_order_get(user, _order_pk(number))
    held = selectors.assignment_held_by(user, order)
    if held is None:
        if not permissions.is_unit_handler(user):
            raise PermissionDenied(gettext("无权指定该工单的经办人"), code="assignment.forbidden")
        raise Conflict(gettext("该工单已不在本单位办理中"), code="assignment.not_active")
    handler = None
    if payload.handler is not None:
        handler = User.objects.filter(pk=payload.handler).first()
        if handler is None:
            message = "经办人须是本单位在职的承办人员"
            raise ValidationFailed(
                message, code="assignment.handler", fields={"handler": [message]}
            )
    row = assignment_assign_handler(actor=_actor(request), assignment=held, handler=handler)
    return {
        "unit": row.unit,
        "role": row.role,
        "status": row.status,
        "handler": None
        if row.handler is None
        else {"id": row.handler.pk, "name": row.handler.display_name or row.handler.username},
    }


# --- classifier suggestions ------------------------------------------------------------------


@router.post(
    "/suggestions", response={200: SuggestionsOut, **errors(409)}, summary="分类与承办单位建议"
)
def suggestions(request: HttpRequest, payload: SuggestionsIn) -> dict[str, Any]:
    """The active classifiers' top-k categories and units for a message, with calibrated
    confidences. Holds no personal data and writes nothing. 409 `classifier.none_active`
    when no classifier is active; 422 `classifier.empty_text` for a blank message."""
    found = insights_hook.suggest(payload.title, payload.content, k=payload.k)
    if found is None or not found.any_model:  # None: the insights app is not installed
        raise Conflict(gettext("还没有启用的分类模型"), code="classifier.none_active")

    def listed(items: list[Any]) -> list[dict[str, Any]]:
        return [{"code": s.code, "name": s.name, "confidence": s.confidence} for s in items]

    return {
        "categories": listed(found.categories),
        "units": listed(found.units),
        "category_model": str(found.category_model) if found.category_model else None,
        "unit_model": str(found.unit_model) if found.unit_model else None,
    }
