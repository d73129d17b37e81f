"""The telephony screens: the agent's screen-pop stream (Server-Sent Events, decision 0032),
the centre's missed-call queue (/telephony/missed/), and the order page's 通话录音与短信
panel. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.streams import Event, event_stream_response, resume_after, rows_stream
from hongmian.core.validators import DB_ID_MAX
from hongmian.hotline import selectors as hotline_selectors
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.permissions import CENTRE_ROLES
from hongmian.hotline.views.common import STAFF_ORDER_ROLES, hotline_nav, role_required
from hongmian.identity.models import User
from hongmian.telephony import selectors, services
from hongmian.telephony.models import ScreenPop
from hongmian.telephony.states import CALLBACK_OUTCOMES, CallbackStatus

centre_required = role_required(*CENTRE_ROLES)
PAGE_SIZE = 20


# --- the screen pop ---------------------------------------------------------------------------


def _pop_event(actor: Actor, pop: ScreenPop) -> Event:
    call = pop.call
    with transaction.atomic():
        # The pop shows the caller's number: a read of their data, audited.
        audit_record(actor=actor, action="call.pop", target=call, after={"pop": pop.pk})
    data = {
        "pop": pop.pk,
        "call": call.pk,
        "call_id": call.call_id,
        "caller": call.caller_number,
        "called": call.called_number,
        "answered_at": call.answered_at.isoformat() if call.answered_at else None,
    }
    return Event(id=pop.pk, name="pop", data=data)


@require_GET
@centre_required
def pops_stream(request: HttpRequest) -> HttpResponse:
    """text/event-stream of the agent's own screen pops (`event: pop`), through the shared
    bounded stream (core/streams.py). A fresh stream starts after the newest pop; a
    reconnect (Last-Event-ID) resumes after the last seen."""
    user: User = request.user  # type: ignore[assignment]
    actor = Actor.from_request(request)
    stream = rows_stream(
        after=lambda last_id: selectors.screen_pops_after(user, last_id),
        event=lambda pop: _pop_event(actor, pop),
        last_id=resume_after(request, lambda: selectors.screen_pop_last_id(user)),
        seconds=float(settings.HONGMIAN_TELEPHONY_STREAM_SECONDS),
        poll=float(settings.HONGMIAN_TELEPHONY_POLL_SECONDS),
    )
    return event_stream_response(stream)


# --- the missed-call queue --------------------------------------------------------------------


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("回拨结果"),
        choices=[(o.value, o.label) for o in CALLBACK_OUTCOMES],
    )
    order_number = forms.CharField(
        label=_("关联工单号"),
        required=False,
        max_length=32,
        help_text=_("回拨已接通时必填：新建或已有的工单号"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=DB_ID_MAX)


@require_GET
@centre_required
def missed(request: HttpRequest) -> HttpResponse:
    """未接来电回拨: the open tasks, oldest first, with the true count and pages; beside each,
    the caller's earlier orders (each read audited)."""
    user: User = request.user  # type: ignore[assignment]
    actor = Actor.from_request(request)
    queue = selectors.callback_queue(user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[dict[str, Any]] = [
        {
            "task": task,
            "history": selectors.access_caller_history(
                user, task.caller_number, actor=actor, target=task
            ),
            "form": OutcomeForm(
                prefix=f"t{task.pk}", initial={"version": task.version}, auto_id=f"t{task.pk}-%s"
            ),
        }
        for task in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "done": selectors.callback_done(user)[:10],
        "unknown_sms": selectors.sms_unknown_senders(user)[:10],
        "unknown_sms_count": selectors.sms_unknown_senders(user).count(),
        "hotline_nav": hotline_nav(request, ""),
    }
    return render(request, "telephony/missed.html", context)


@require_POST
@centre_required
def missed_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one outcome of a callback (the service's transition); back to the queue."""
    form = OutcomeForm(request.POST, prefix=f"t{pk}")
    back = reverse("telephony:missed") + (f"?page={p}" if (p := request.POST.get("page")) else "")
    if not form.is_valid():
        messages.error(request, gettext("回拨结果填写有误，请检查后重试。"))
        return redirect(back)
    data = form.cleaned_data
    order: WorkOrder | None = None
    number = data["order_number"].strip()
    try:
        if number:
            order = hotline_selectors.work_order_list(request.user).filter(number=number).first()
            if order is None:
                raise NotFound(
                    gettext("工单 %(number)s 不存在") % {"number": number},
                    code="work_order.not_found",
                )
        task = services.callback_task_record(
            actor=Actor.from_request(request),
            task=pk,
            outcome=data["outcome"],
            note=data["note"],
            order=order,
            expected_version=data["version"],
        )
    except ApplicationError as exc:
        if exc.status_code == 404 and exc.code == "callback_task.not_found":
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(
        request,
        gettext("已记录回拨结果：%(outcome)s") % {"outcome": CallbackStatus(task.status).label},
    )
    return redirect(back)


# --- the order page's panel ---------------------------------------------------------------------


@require_GET
@role_required(*STAFF_ORDER_ROLES)
def order_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """通话录音与短信 on the order page: the calls linked to the order (the centre hears the
    recordings) and every SMS sent to its caller (the number masked for units)."""
    try:
        order = hotline_selectors.work_order_get(request.user, pk)
    except NotFound:
        raise Http404 from None
    context = {
        "order": order,
        "calls": selectors.order_calls(request.user, order),
        "outbound": selectors.order_outbound_sms(request.user, order),
    }
    return render(request, "telephony/_order_panel.html", context)
