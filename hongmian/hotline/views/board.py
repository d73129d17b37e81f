"""督办台 — the centre's board (what must be acted on now) and the centre's acts on an
order: dispatch and re-dispatch, direct answer, return review, joint meeting, extension
decision, callback and its review, urging and supervision, and merging duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hongmian.core.errors import ApplicationError
from hongmian.hotline import forms as hf
from hongmian.hotline import insights_hook, selectors, telephony_hook
from hongmian.hotline.models import ReturnRequest, WorkOrder
from hongmian.hotline.permissions import CENTRE_ROLES
from hongmian.hotline.services import lifecycle_closing, lifecycle_dispatch, lifecycle_handling
from hongmian.hotline.states import ClockLight, ReturnStatus
from hongmian.hotline.views.attachments import with_files
from hongmian.hotline.views.common import (
    actor,
    hotline_nav,
    role_required,
    safe_next,
)
from hongmian.hotline.views.order import clock_rows, order_light, perform
from hongmian.identity.states import Role

centre_required = role_required(*CENTRE_ROLES)
supervisor_required = role_required(Role.HOTLINE_SUPERVISOR)

# A board list longer than this is cut (with the total shown): the board is for acting on,
# a complete list is the search page's.
BOARD_LIMIT = 50


def _with_light(orders: Any, now: dt.datetime) -> list[tuple[WorkOrder, ClockLight | None]]:
    return [(order, order_light(clock_rows(order, now))) for order in orders]


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    count: int


@supervisor_required
def board(request: HttpRequest, only: str = "") -> HttpResponse:
    now = timezone.now()
    data = selectors.supervisor_board(now)
    clocks = "clocks"
    pending_returns = Prefetch(
        "returns",
        queryset=ReturnRequest.objects.filter(status=ReturnStatus.PENDING).select_related("unit"),
        to_attr="pending_returns",
    )
    # Built only for the sections shown: the callback queue alone need not group duplicates.
    build: dict[str, Callable[[], Any]] = {
        "overdue": lambda: _with_light(data.overdue.prefetch_related(clocks)[:BOARD_LIMIT], now),
        "due_soon": lambda: _with_light(data.due_soon.prefetch_related(clocks)[:BOARD_LIMIT], now),
        "returns": lambda: list(data.returns.prefetch_related(pending_returns)[:BOARD_LIMIT]),
        "extensions": lambda: list(data.extensions[:BOARD_LIMIT]),
        "callback_reviews": lambda: list(data.callback_reviews[:BOARD_LIMIT]),
        "joint_meetings": lambda: list(data.joint_meetings[:BOARD_LIMIT]),
        "hotspots": insights_hook.board_hotspots,
        "merges": lambda: insights_hook.board_duplicates(now, BOARD_LIMIT),
        "callbacks": lambda: insights_hook.board_callbacks(
            list(data.awaiting_callback[:BOARD_LIMIT])
        ),
    }
    titles = {
        "overdue": _("已超时"),
        "due_soon": _("即将到期"),
        "returns": _("退单待审核"),
        "extensions": _("延期待审批"),
        "callback_reviews": _("回访不满意待审核"),
        "joint_meetings": _("待联席会商"),
        "hotspots": _("热点诉求与预警"),
        "merges": _("疑似重复（并单候选）"),
        "callbacks": _("待回访"),
    }
    # Hot spots and duplicate groups are the insights app's; without it they are left out.
    hidden = set() if insights_hook.available() else insights_hook.BOARD_SECTIONS
    keys = [only] if only in titles else [k for k in titles if k not in hidden]
    lists = {k: build[k]() for k in keys}
    sections = [Section(k, str(titles[k]), len(lists[k])) for k in keys]
    context = {
        **lists,
        "sections": sections,
        "shown": set(keys),
        "only": only,
        "board_limit": BOARD_LIMIT,
        "window_days": insights_hook.duplicate_window_days(),
        "missed_calls": telephony_hook.callback_queue_count(request.user),
        "missed_calls_url": telephony_hook.callback_queue_url(),
        "hotline_nav": hotline_nav(request, "hotline:board"),
        "here": request.get_full_path(),
    }
    return render(request, "hotline/board.html", context)


@supervisor_required
def callbacks(request: HttpRequest) -> HttpResponse:
    """回访评价: the board's callback queue alone."""
    return board(request, only="callbacks")


# --- the centre's acts on one order --------------------------------------------------------


@require_POST
@centre_required
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.DispatchForm,
        service=lifecycle_dispatch.work_order_dispatch,
        arguments=lambda d, order: {
            "order": order,
            "lead_unit": d["lead_unit"],
            "co_units": d["co_units"],
            "note": d["note"],
        },
        done=_("工单 %(number)s 已派单。"),
    )


@require_POST
@centre_required
def direct_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.DirectAnswerForm,
        service=lifecycle_dispatch.work_order_direct_answer,
        arguments=lambda d, order: {"order": order, "answer": d["answer"]},
        done=_("工单 %(number)s 已直接答复办结。"),
    )


@require_POST
@centre_required
def return_review(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.ReturnReviewForm,
        service=lifecycle_dispatch.work_order_return_review,
        arguments=lambda d, order: {
            "order": order,
            "accept": d["decision"] == "accept",
            "to_joint_meeting": d["decision"] == "joint_meeting",
            "new_unit": d["new_unit"] if d["decision"] == "accept" else None,
            "note": d["note"],
        },
        done=_("工单 %(number)s 的退单已审核。"),
    )


@require_POST
@centre_required
def joint_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.JointMeetingForm,
        service=lifecycle_dispatch.work_order_joint_meeting,
        arguments=lambda d, order: {
            "order": order,
            "units": d["units"],
            "decided_unit": d["decided_unit"],
            "minutes": d["minutes"],
        },
        done=_("已记录工单 %(number)s 的会商结果并派单。"),
    )


@require_POST
@centre_required
def extension_decide(request: HttpRequest, pk: int, extension_pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.ExtensionDecideForm,
        service=lifecycle_handling.work_order_extension_decide,
        arguments=lambda d, order: {
            "extension": _extension_of(order, extension_pk),
            "approve": d["approve"],
            "note": d["note"],
        },
        done=_("工单 %(number)s 的延期申请已审批。"),
    )


def _extension_of(order: WorkOrder, extension_pk: int) -> int:
    # The extension must belong to the order in the URL, which the reader may see; an id
    # from elsewhere is treated as a missing extension by the service.
    return extension_pk if order.extensions.filter(pk=extension_pk).exists() else 0


@require_POST
@centre_required
def callback(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.CallbackForm,
        service=with_files(lifecycle_closing.work_order_callback, "callback", "callback_unreached"),
        arguments=lambda d, order: {
            "order": order,
            "reached": d["reached"],
            "satisfaction": d["satisfaction"] if d["reached"] else "",
            "resolved": d["resolved"] if d["reached"] else None,
            "comment": d["comment"],
            "uploads": d["attachments"],
        },
        done=_("已记录工单 %(number)s 的回访。"),
    )


@require_POST
@supervisor_required
def callback_review(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.CallbackReviewForm,
        service=lifecycle_closing.work_order_callback_review,
        arguments=lambda d, order: {"order": order, "reopen": d["reopen"], "reason": d["reason"]},
        done=_("工单 %(number)s 的不满意回访已审核。"),
    )


@require_POST
@centre_required
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=hf.SuperviseForm,
        service=lifecycle_handling.work_order_supervise,
        arguments=lambda d, order: {"order": order, "kind": d["kind"], "note": d["note"]},
        done=_("已对工单 %(number)s 发出催办/督办。"),
    )


@require_POST
@centre_required
def merge(request: HttpRequest) -> HttpResponse:
    """One click on the board: the chosen master and the ticked duplicates."""
    ids = [int(v) for v in request.POST.getlist("duplicates") if v.isdigit()]
    form = hf.MergeForm(request.POST, order_ids=ids)
    back = safe_next(request, reverse("hotline:board") + "#merges")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    try:
        master = selectors.work_order_get(request.user, data["master"])
        lifecycle_closing.work_order_merge(
            actor=actor(request),
            master=master,
            duplicates=data["duplicates"],
            note=data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(
        request,
        gettext("已将 %(count)d 张工单并入 %(number)s。")
        % {"count": len(data["duplicates"]), "number": master.number},
    )
    return redirect(back)
