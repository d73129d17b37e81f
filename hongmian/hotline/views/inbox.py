"""承办单位待办 — the unit's inbox and the unit's acts on an order: 签收, progress notes, the
reply (and a co-handler's part), 退单, 延期 and 下派. Each act is a thin call of its service;
the order page (views/order.py) shows the forms."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hongmian.hotline import selectors
from hongmian.hotline.forms.common import VersionForm
from hongmian.hotline.forms.inbox import (
    ExtensionForm,
    ProgressForm,
    ReplyForm,
    ReturnForm,
    SubdispatchForm,
)
from hongmian.hotline.models import Assignment, WorkOrder
from hongmian.hotline.permissions import (
    ACTIVE_ASSIGNMENT_STATUSES,
    UNIT_HANDLER_ROLES,
    acts_for_unit,
    can_assign_handler,
)
from hongmian.hotline.services import lifecycle_dispatch, lifecycle_handling
from hongmian.hotline.services.signoff import sign_off_submit
from hongmian.hotline.states import AssignmentRole, ClockKind, ClockLight, SignOffAct
from hongmian.hotline.views import lists
from hongmian.hotline.views.approvals import submitted
from hongmian.hotline.views.attachments import with_files
from hongmian.hotline.views.common import hotline_nav, role_required
from hongmian.hotline.views.handlers import unit_members
from hongmian.hotline.views.order import clock_rows, order_light, perform
from hongmian.hotline.views.order_panels import subdispatch_units
from hongmian.identity.states import Role

unit_role_required = role_required(*UNIT_HANDLER_ROLES)


@dataclass(frozen=True, slots=True)
class InboxRow:
    order: WorkOrder
    role: str  # 主办 / 协办 for the reader's unit
    light: ClockLight | None
    due_at: datetime | None
    assignment: Assignment | None  # the reader's unit's assignment still in hand, lead first
    may_take: bool  # the reader may take it (领取)
    may_assign: bool  # the reader may name its handler (the unit's manager)


def _row(user: Any, order: WorkOrder, now: datetime) -> InboxRow:
    clocks = clock_rows(order, now)
    resolution = next((c for c in clocks if c.clock.kind == ClockKind.RESOLUTION), None)
    mine = [
        a
        for a in order.assignments.all()
        if acts_for_unit(user, a.unit) and a.status in ACTIVE_ASSIGNMENT_STATUSES
    ]
    mine.sort(key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))
    held = mine[0] if mine else None
    return InboxRow(
        order=order,
        role="、".join(sorted({a.get_role_display() for a in mine})),
        light=order_light(clocks),
        due_at=resolution.clock.due_at if resolution else None,
        assignment=held,
        may_take=held is not None and can_assign_handler(user, held, user),
        may_assign=held is not None and user.role == Role.DEPT_MANAGER,
    )


@unit_role_required
def inbox(request: HttpRequest) -> HttpResponse:
    """待办工单: what is in the hands of the reader's unit (and the units below it), with
    the queue contract's filters, sorts and pages (hotline/queues.py); the most urgent
    first by default. Tabs: 全部待办, 待签收, 我的 (the reader is its handler), 即将超时,
    已超时, and the reader's saved views."""
    now = timezone.now()
    base = selectors.unit_inbox(request.user)
    if lists.tabs_requested(request):
        return lists.tabs_fragment(request, base, "inbox", now=now)
    # The prefetches run for the page's rows only (a count ignores them).
    shown = base.prefetch_related("clocks", Prefetch("assignments", queryset=_ASSIGNMENTS))
    found = lists.listing(request, shown, now=now, default_sort="lateness")
    rows = [_row(request.user, o, now) for o in found.page.items]
    context = {
        "rows": rows,
        "listing": found,
        "page": found.page,
        "choices": lists.filter_choices(found, units=lists.units_for(request.user)),
        "action": reverse("hotline:inbox"),
        "base": reverse("hotline:inbox"),
        "members": unit_members(request.user),
        "hotline_nav": hotline_nav(request, "hotline:inbox"),
        "now": now,
        **lists.view_tabs(request, base, "inbox", found, now=now),
    }
    return render(request, "hotline/inbox.html", context, status=found.status)


_ASSIGNMENTS = Assignment.objects.select_related("unit", "handler")


@require_POST
@unit_role_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=VersionForm,
        service=lifecycle_dispatch.work_order_acknowledge,
        arguments=lambda data, order: {"order": order},
        done=_("工单 %(number)s 已签收。"),
    )


@require_POST
@unit_role_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=ProgressForm,
        service=with_files(lifecycle_handling.work_order_progress, "progress"),
        arguments=lambda d, order: {
            "order": order,
            "text": d["text"],
            "visibility": d["visibility"],
            "uploads": d["attachments"],
        },
        done=_("已记录工单 %(number)s 的办理进展。"),
    )


@require_POST
@unit_role_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=ReplyForm,
        # Through the unit's sign-off: done now, or held for the manager (services/signoff.py);
        # the files go on the reply's entry, or on the held request's until it is approved.
        service=with_files(
            functools.partial(sign_off_submit, act=SignOffAct.REPLY),
            "replied",
            "sign_off_requested",
        ),
        arguments=lambda d, order: {
            "order": order,
            "payload": {k: v for k, v in d.items() if k != "attachments"},
            "uploads": d["attachments"],
        },
        done=submitted(_("工单 %(number)s 已答复，等待热线中心回访。")),
    )


@require_POST
@unit_role_required
def co_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=ReplyForm,
        service=with_files(lifecycle_handling.work_order_co_reply, "co_replied"),
        arguments=lambda d, order: {
            "order": order,
            "reply": d["reply"],
            "uploads": d["attachments"],
        },
        done=_("已提交工单 %(number)s 的协办意见。"),
    )


@require_POST
@unit_role_required
def return_request(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=ReturnForm,
        service=sign_off_submit,
        arguments=lambda d, order: {"order": order, "act": SignOffAct.RETURN, "payload": d},
        done=submitted(_("已申请退回工单 %(number)s，等待热线中心审核。")),
    )


@require_POST
@unit_role_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=ExtensionForm,
        service=sign_off_submit,
        arguments=lambda d, order: {"order": order, "act": SignOffAct.EXTENSION, "payload": d},
        done=submitted(_("已申请延期办理工单 %(number)s，等待热线中心审批。")),
    )


@require_POST
@unit_role_required
def subdispatch(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=SubdispatchForm,
        form_kwargs=lambda order: {"units": subdispatch_units(order)},
        service=lifecycle_dispatch.work_order_subdispatch,
        arguments=lambda d, order: {"order": order, "unit": d["unit"], "note": d["note"]},
        done=_("工单 %(number)s 已下派。"),
    )
