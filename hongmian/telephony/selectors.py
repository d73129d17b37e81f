"""Reads of the telephony app. The missed-call queue, calls and messages are the centre's
(`models.CENTRE_ONLY`); a screen pop is its agent's. A caller's history read from the
queue is audited, as a read of a person's file."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound
from hongmian.core.masking import mask_mobile
from hongmian.hotline import selectors as hotline_selectors
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.permissions import caller_in_full
from hongmian.identity.models import User
from hongmian.telephony import permissions
from hongmian.telephony.models import Call, CallbackTask, OutboundSms, ScreenPop, SmsMessage
from hongmian.telephony.states import CALLBACK_OPEN_STATUSES, SmsOutcome

# The caller's history beside a callback shows this many earlier orders.
HISTORY_LIMIT = 5


def callback_tasks_visible_to(user: User | Any) -> QuerySet[CallbackTask]:
    return CallbackTask.objects.restrict(user, "view")


def callback_queue(user: User | Any) -> QuerySet[CallbackTask]:
    """未接来电回拨队列: the tasks still to call, oldest missed call first."""
    return (
        callback_tasks_visible_to(user)
        .filter(status__in=sorted(CALLBACK_OPEN_STATUSES))
        .select_related("call", "last_attempt_by")
        .order_by("missed_at", "id")
    )


def callback_queue_count() -> int:
    """The queue's true count, for the centre's board (the caller checks the role)."""
    return CallbackTask.objects.filter(status__in=sorted(CALLBACK_OPEN_STATUSES)).count()


def callback_done(user: User | Any) -> QuerySet[CallbackTask]:
    """Worked tasks, most recently worked first."""
    return (
        callback_tasks_visible_to(user)
        .exclude(status__in=sorted(CALLBACK_OPEN_STATUSES))
        .select_related("call", "order", "last_attempt_by")
        .order_by("-updated_at", "-id")
    )


def access_callback_task(user: User | Any, task_id: int | str) -> CallbackTask:
    task = (
        callback_tasks_visible_to(user).select_related("call", "order").filter(pk=task_id).first()
    )
    if task is None:
        raise NotFound(gettext("回拨任务不存在"), code="callback_task.not_found")
    return task


def access_caller_history(
    user: User | Any, phone: str, *, actor: Actor, target: CallbackTask | Call
) -> list[WorkOrder]:
    """The caller's earlier orders, for the centre, audited as `caller_history.read` on the
    task or call that led to the read. Nothing (and nothing audited) for anyone else."""
    if not permissions.can_view_callbacks(user) or not phone:
        return []
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="caller_history.read",
            target=target,
            after={"phone": mask_mobile(phone)},
        )
    return list(hotline_selectors.caller_history(phone)[:HISTORY_LIMIT])


def screen_pops_after(user: User | Any, last_id: int) -> list[ScreenPop]:
    """The agent's own pops newer than `last_id` (the SSE stream's Last-Event-ID)."""
    return list(
        ScreenPop.objects.restrict(user, "view")
        .filter(agent=user, pk__gt=last_id)
        .select_related("call")
        .order_by("id")[:20]
    )


def screen_pop_last_id(user: User | Any) -> int:
    """Where a fresh console starts: after the agent's newest pop (old calls do not pop)."""
    last = ScreenPop.objects.filter(agent=user).order_by("-id").values_list("id", flat=True).first()
    return int(last or 0)


def sms_unknown_senders(user: User | Any) -> QuerySet[SmsMessage]:
    """Messages no order could take (a short code, a withheld number), newest first."""
    return SmsMessage.objects.restrict(user, "view").filter(outcome=SmsOutcome.UNKNOWN_SENDER)


def order_calls(user: User | Any, order: WorkOrder) -> list[Call]:
    """The calls linked to `order` with their recordings: the centre's to hear."""
    if not permissions.can_hear_recordings(user):
        return []
    return list(Call.objects.filter(order=order).order_by("answered_at", "id"))


def order_outbound_sms(user: User | Any, order: WorkOrder) -> list[OutboundSms]:
    """The SMS sent to the order's caller, oldest first; the number masked for anyone who does
    not read the caller in full (a unit). The caller of `order_outbound_sms` has checked
    that `user` may see the order."""
    rows = list(OutboundSms.objects.filter(order=order).order_by("created_at", "id"))
    if not caller_in_full(user, order):
        for row in rows:
            row.phone = mask_mobile(row.phone)
    return rows
