"""本单位负责人审批 — the manager's queue of requests to decide (/hotline/approvals/), the
unit's sign-off settings, and the posts of the order page's sign-off panels (同意 / 退回修改,
撤回). Each is a thin call of services/signoff.py; the handler's own acts are posted to
inbox.py, which sends them through `sign_off_submit`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hongmian.hotline import selectors
from hongmian.hotline.forms.signoff import SignOffDecideForm, SignOffPolicyForm, SignOffWithdrawForm
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.permissions import UNIT_HANDLER_ROLES
from hongmian.hotline.services.signoff import (
    Submitted,
    describe,
    sign_off_approve,
    sign_off_policy_get,
    sign_off_policy_set,
    sign_off_send_back,
    sign_off_withdraw,
)
from hongmian.hotline.views.common import actor, call_service, hotline_nav, role_required
from hongmian.hotline.views.order import perform
from hongmian.identity.states import Role

manager_required = role_required(Role.DEPT_MANAGER)
PAGE_SIZE = 20

WAITING = _("已提交本单位负责人审批（工单 %(number)s），审批同意后生效。")


def submitted(done: str | Promise) -> Callable[[Submitted], str | Promise]:
    """The message after a handler's act: done, or waiting for the manager."""
    return lambda outcome: WAITING if outcome.waiting else done


@manager_required
def approvals(request: HttpRequest) -> HttpResponse:
    """待审批: the requests this manager decides, longest waiting first, paged."""
    rows = selectors.sign_offs_pending_for(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.summary = describe(row.act, row.payload, translated=True)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "total": page.paginator.count,
        "now": timezone.now(),
        "hotline_nav": hotline_nav(request, "hotline:approvals"),
    }
    return render(request, "hotline/approvals/list.html", context)


@manager_required
def policy(request: HttpRequest) -> HttpResponse:
    """审批设置: the manager's own unit's policy."""
    unit = request.user.org_unit  # type: ignore[union-attr]
    if unit is None:
        raise DjangoPermissionDenied
    current = sign_off_policy_get(unit)
    initial = {
        "require_reply": current.require_reply,
        "require_return": current.require_return,
        "require_extension": current.require_extension,
    }
    form = SignOffPolicyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, _saved = call_service(
                form, sign_off_policy_set, actor=actor(request), unit=unit, **form.cleaned_data
            )
            if ok:
                messages.success(request, _("已保存本单位的审批设置。"))
                return redirect("hotline:approvals_settings")
        status = 400
    context = {
        "form": form,
        "unit": unit,
        "hotline_nav": hotline_nav(request, "hotline:approvals"),
    }
    return render(request, "hotline/approvals/settings.html", context, status=status)


def _decide(
    *,
    actor: Any,
    order: WorkOrder,
    decision: str,
    sign_off: int,
    comment: str,
    expected_version: int | None = None,
) -> Any:
    if decision == "approve":
        return sign_off_approve(
            actor=actor,
            order=order,
            sign_off=sign_off,
            comment=comment,
            expected_version=expected_version,
        )
    return sign_off_send_back(
        actor=actor,
        order=order,
        sign_off=sign_off,
        comment=comment,
        expected_version=expected_version,
    )


@require_POST
@manager_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = request.POST.get("sign_off_decide-decision")
    return perform(
        request,
        pk,
        form_class=SignOffDecideForm,
        service=_decide,
        arguments=lambda d, order: {
            "order": order,
            "decision": d["decision"],
            "sign_off": d["sign_off"],
            "comment": d["comment"],
        },
        done=_("已同意，工单 %(number)s 已按申请办理。")
        if decision == "approve"
        else _("已退回经办人修改（工单 %(number)s）。"),
    )


@require_POST
@role_required(*UNIT_HANDLER_ROLES)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=SignOffWithdrawForm,
        service=sign_off_withdraw,
        arguments=lambda d, order: {"order": order, "sign_off": d["sign_off"]},
        done=_("已撤回工单 %(number)s 的审批申请。"),
    )
