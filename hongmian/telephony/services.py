"""Every write of the telephony app: CTI events, the callback queue, SMS in and out.

A CTI event is kept raw and answered idempotently: the same (call id, event id) a second
time answers the first result and writes nothing; the call's state is then derived again
from all its events by event time (`call_derive`), so an `ended` that overtakes its
`answered` on the network leaves the same call as the other order would. An unknown agent
is a warning (`cti.unknown_agent`), never a lost call.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.masking import mask_mobile
from hongmian.core.transitions import assert_transition
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest, validate_caller_phone
from hongmian.hotline.services.supplement import work_order_supplement
from hongmian.hotline.services.timeline import timeline_add
from hongmian.hotline.states import OPEN_STATUSES, Channel, RequestType, Visibility
from hongmian.identity.models import User
from hongmian.telephony import permissions
from hongmian.telephony.models import (
    Call,
    CallbackTask,
    CallEvent,
    Extension,
    Gateway,
    OutboundSms,
    ScreenPop,
    SmsMessage,
)
from hongmian.telephony.states import (
    CALLBACK_OPEN_STATUSES,
    CALLBACK_OUTCOMES,
    CALLBACK_TRANSITIONS,
    CallbackStatus,
    CallState,
    CtiEventKind,
    GatewayKind,
    OutboundStatus,
    SmsOutcome,
)

# An SMS that becomes an order gets a title from its first words.
SMS_TITLE_LENGTH = 30
# An order number in an SMS ("GZ20250301000123", "GZ-…"): the sender names which order.
_ORDER_NUMBER = re.compile(r"[A-Z]{2}[-A-Z0-9]{6,30}")


# --- the gateways ---------------------------------------------------------------------------


def gateway_of(actor: Actor, kind: str) -> Gateway:
    """The active gateway of `kind` whose account acts; 403 `telephony.not_a_gateway` for any
    other account (an agent's personal key may not post a call)."""
    gateway = permissions.gateway_for(actor.user, kind)
    if gateway is None:
        raise PermissionDenied(
            gettext("该账号不是已登记的接入网关"), code="telephony.not_a_gateway", fields={}
        )
    return gateway


# --- CTI events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CtiEvent:
    """One event as the PBX adapter posted it (the API's `CtiEventIn`, a recorded stream)."""

    call_id: str
    event_id: str
    event: str
    occurred_at: dt.datetime
    caller: str = ""
    called: str = ""
    agent: str = ""
    recording_url: str = ""

    def as_payload(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "event_id": self.event_id,
            "event": self.event,
            "occurred_at": self.occurred_at.isoformat(),
            "caller": self.caller,
            "called": self.called,
            "agent": self.agent,
            "recording_url": self.recording_url,
        }


@dataclass
class CtiResult:
    call: Call
    event: CallEvent
    replayed: bool
    warnings: list[str] = field(default_factory=list)


def agent_resolve(ref: str) -> User | None:
    """The agent an event names: an active extension's user, else an active account with
    that login. None when neither matches."""
    ref = ref.strip()
    if not ref:
        return None
    extension = Extension.objects.filter(number=ref, is_active=True).select_related("user").first()
    if extension is not None and extension.user.is_active:
        return extension.user
    user: User | None = get_user_model().objects.filter(username=ref, is_active=True).first()
    return user


def _phone(raw: str) -> str:
    """The number normalised as the hotline keeps it; a withheld or odd number as sent."""
    try:
        return validate_caller_phone(raw) or raw.strip()
    except ValidationFailed:
        return raw.strip()[:32]


def cti_event_record(*, actor: Actor, event: CtiEvent) -> CtiResult:
    """Record one CTI event of the acting PBX gateway and bring its call up to date."""
    if event.event not in CtiEventKind.values:
        raise ValidationFailed(
            gettext("未知的事件类型"), code="cti.unknown_event", fields={"event": [event.event]}
        )
    gateway = gateway_of(actor, GatewayKind.PBX)
    payload = event.as_payload()
    with transaction.atomic():
        call, _created = Call.objects.select_for_update().get_or_create(
            gateway=gateway,
            call_id=event.call_id,
            defaults={"state": CallState.RINGING, "caller_number": _phone(event.caller)},
        )
        known = CallEvent.objects.filter(call=call, event_id=event.event_id).first()
        if known is not None:
            if known.payload != payload:
                raise Conflict(
                    gettext("同一事件标识已用于不同的事件内容"),
                    code="cti.event_mismatch",
                    fields={"event_id": [event.event_id]},
                )
            return CtiResult(call=call, event=known, replayed=True, warnings=list(known.warnings))
        warnings: list[str] = []
        if event.agent and agent_resolve(event.agent) is None:
            warnings.append("cti.unknown_agent")
        if event.event == CtiEventKind.ENDED and not event.recording_url and call.answered_at:
            warnings.append("cti.no_recording")
        stored = CallEvent.objects.create(
            call=call,
            event_id=event.event_id,
            kind=event.event,
            occurred_at=event.occurred_at,
            payload=payload,
            warnings=warnings,
        )
        before = call.state
        call_derive(call)
        audit_record(
            actor=actor,
            action="call.event",
            target=call,
            before={"state": before},
            after={"event": event.event, "event_id": event.event_id, "state": call.state},
        )
        _follow_up(actor, call, stored)
    return CtiResult(call=call, event=stored, replayed=False, warnings=warnings)


def call_derive(call: Call) -> Call:
    """Set the call's state, times, agent, numbers and recording from all its events, by
    event time (ties by arrival). Call with the call locked."""
    events = list(call.events.order_by("occurred_at", "id"))
    first = {kind: next((e for e in events if e.kind == kind), None) for kind in CtiEventKind}
    last_end = next(
        (e for e in reversed(events) if e.kind in (CtiEventKind.ENDED, CtiEventKind.MISSED)), None
    )
    ringing = first[CtiEventKind.RINGING]
    call.ringing_at = ringing.occurred_at if ringing is not None else None
    answered = first[CtiEventKind.ANSWERED]
    call.answered_at = answered.occurred_at if answered else None
    call.ended_at = last_end.occurred_at if last_end else None
    caller = next((e.payload.get("caller") for e in events if e.payload.get("caller")), "")
    called = next((e.payload.get("called") for e in events if e.payload.get("called")), "")
    call.caller_number, call.called_number = _phone(caller or ""), (called or "")[:32]
    # The agent is whoever answered; before that, whom it rang.
    named = [e for e in events if e.payload.get("agent")]
    answering = [e for e in named if e.kind == CtiEventKind.ANSWERED] or named
    ref = answering[0].payload["agent"] if answering else ""
    call.agent_ref = ref[:64]
    call.agent = agent_resolve(ref) if ref else None
    recording = next(
        (
            e.payload.get("recording_url")
            for e in reversed(events)
            if e.payload.get("recording_url")
        ),
        "",
    )
    call.recording_url = recording or ""
    if answered is not None:
        call.state = CallState.ENDED if last_end is not None else CallState.ANSWERED
    elif last_end is not None:
        # A `missed`, or an `ended` that nobody answered: the caller waits for a callback.
        call.state = CallState.MISSED
    else:
        call.state = CallState.RINGING
    call.save()
    return call


def _follow_up(actor: Actor, call: Call, event: CallEvent) -> None:
    """What the new state asks for: a callback task for a missed call (once), the task
    closed when a late event shows an agent answered after all, a screen pop for the agent
    who answered a call still on the line."""
    task = CallbackTask.objects.select_for_update().filter(call=call).first()
    if call.state == CallState.MISSED and task is None:
        task = CallbackTask.objects.create(
            call=call,
            caller_number=call.caller_number,
            missed_at=call.ringing_at or call.ended_at or event.occurred_at,
        )
        audit_record(
            actor=actor,
            action="callback_task.create",
            target=task,
            after={"call": call.call_id, "caller": mask_mobile(call.caller_number)},
        )
    elif (
        call.state != CallState.MISSED
        and task is not None
        and task.status in CALLBACK_OPEN_STATUSES
    ):
        _move(actor, task, CallbackStatus.ANSWERED, note="通话事件显示已有坐席接听")
    if (
        event.kind == CtiEventKind.ANSWERED
        and call.state == CallState.ANSWERED
        and call.agent is not None
    ):
        ScreenPop.objects.get_or_create(agent=call.agent, call=call)


def call_link_order(*, actor: Actor, call: Call | int, order: WorkOrder) -> Call:
    """Link the call an agent took to the order taken during it (the console's intake
    carries the call): the order page then offers its 通话录音. The agent who answered,
    or a supervisor, may link it; a call already linked keeps its order."""
    with transaction.atomic():
        pk = call.pk if isinstance(call, Call) else call
        locked = Call.objects.select_for_update().filter(pk=pk).first()
        if locked is None or not permissions.can_link_call(actor.user, locked):
            raise NotFound(gettext("通话不存在"), code="call.not_found")
        if locked.order_id is not None:
            return locked
        locked.order = order
        locked.save(update_fields=["order", "updated_at"])
        audit_record(
            actor=actor, action="call.link_order", target=locked, after={"order": order.number}
        )
        timeline_add(
            order=order,
            actor=actor,
            kind="call_linked",
            visibility=Visibility.STAFF,
            text="来电已关联本工单（可查看通话录音）",
            data={"call": locked.call_id},
        )
    return locked


# --- the callback queue ----------------------------------------------------------------------


def _move(actor: Actor, task: CallbackTask, target: str, *, note: str = "") -> None:
    before = task.status
    assert_transition(CALLBACK_TRANSITIONS, before, target)
    task.status = target
    task.version += 1
    if note:
        task.note = note[:500]
    task.save()
    audit_record(
        actor=actor,
        action="callback_task.transition",
        target=task,
        before={"status": before},
        after={"status": target, "attempts": task.attempts, "order": task.order_id},
    )


def callback_task_record(
    *,
    actor: Actor,
    task: CallbackTask | int,
    outcome: str,
    note: str = "",
    order: WorkOrder | None = None,
    expected_version: int | None = None,
) -> CallbackTask:
    """One outcome of working a missed call: 回拨已接通 (with the order it led to, new or
    existing), 无人接听 (stays in the queue, one more attempt), 空号, 拒接, 重复来电已处理.
    Each is a transition of `CALLBACK_TRANSITIONS`; 409 once the task is done."""
    if outcome not in CALLBACK_OUTCOMES:
        raise ValidationFailed(
            gettext("回拨结果无效"), code="callback_task.outcome", fields={"outcome": [outcome]}
        )
    if outcome == CallbackStatus.REACHED and order is None:
        raise ValidationFailed(
            gettext("回拨已接通时请关联工单（新建或已有工单）"),
            code="callback_task.order_required",
            fields={"order": [gettext("必填")]},
        )
    if len(note) > 500:
        raise ValidationFailed(
            gettext("备注不能超过 500 字"),
            code="callback_task.note",
            fields={"note": [gettext("过长")]},
        )
    with transaction.atomic():
        pk = task.pk if isinstance(task, CallbackTask) else task
        locked = CallbackTask.objects.select_for_update().filter(pk=pk).first()
        if locked is None or not permissions.can_view_callbacks(actor.user):
            raise NotFound(gettext("回拨任务不存在"), code="callback_task.not_found")
        if not permissions.can_work_callbacks(actor.user):
            raise PermissionDenied(gettext("无权处理回拨任务"), code="callback_task.forbidden")
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(
                gettext("回拨任务已被他人处理，请刷新后重试"),
                code="callback_task.stale",
                fields={"version": [gettext("当前版本 {version}").format(version=locked.version)]},
            )
        if outcome != CallbackStatus.DUPLICATE:
            locked.attempts += 1
            locked.last_attempt_at = timezone.now()
            locked.last_attempt_by = actor.user
        if order is not None:
            locked.order = order
        _move(actor, locked, outcome, note=note.strip())
        if order is not None:
            timeline_add(
                order=order,
                actor=actor,
                kind="missed_call_callback",
                visibility=Visibility.STAFF,
                text=f"未接来电回拨：{CallbackStatus(outcome).label}",
                data={"callback_task": locked.pk},
            )
    return locked


# --- SMS --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundSms:
    message_id: str
    sender: str
    recipient: str
    text: str
    sent_at: dt.datetime

    def as_payload(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "to": self.recipient,
            "text": self.text,
            "sent_at": self.sent_at.isoformat(),
        }


@dataclass(frozen=True)
class SmsResult:
    message: SmsMessage
    replayed: bool


def sms_pick_order(phone: str, text: str) -> WorkOrder | None:
    """Which open order an SMS from `phone` adds to: the one its text names by number, else
    the one most recently taken (a reply usually answers the latest notice)."""
    open_orders = list(
        WorkOrder.objects.filter(caller_phone=phone, status__in=OPEN_STATUSES).order_by(
            "-created_at", "-id"
        )[:50]
    )
    named = set(_ORDER_NUMBER.findall(text.upper()))
    for order in open_orders:
        if order.number.upper() in named:
            return order
    return open_orders[0] if open_orders else None


def sms_inbound_record(*, actor: Actor, message: InboundSms) -> SmsResult:
    """Keep one inbound SMS and act on it: a supplement to the sender's open order, else a
    new order (channel SMS). A sender that is not a phone number the hotline can call back
    (a short code, a withheld number) is kept as `unknown_sender` for the centre to read.
    Idempotent on the gateway's message id."""
    gateway = gateway_of(actor, GatewayKind.SMS)
    payload = message.as_payload()
    try:
        phone = validate_caller_phone(message.sender)
    except ValidationFailed:
        phone = ""
    with transaction.atomic():
        # The row is claimed first: a second delivery of the same message at the same moment
        # waits on the unique index until this one commits, then finds it (a replay).
        stored, created = SmsMessage.objects.get_or_create(
            gateway=gateway,
            message_id=message.message_id,
            defaults={
                "from_number": phone or message.sender.strip()[:32],
                "to_number": message.recipient[:32],
                "text": message.text,
                "sent_at": message.sent_at,
                "payload": payload,
                "outcome": SmsOutcome.UNKNOWN_SENDER,
            },
        )
        if not created:
            if stored.payload != payload:
                raise Conflict(
                    gettext("同一消息标识已用于不同的短信内容"),
                    code="sms.message_mismatch",
                    fields={"message_id": [message.message_id]},
                )
            return SmsResult(message=stored, replayed=True)
        if phone:
            order = sms_pick_order(phone, message.text)
            if order is not None:
                work_order_supplement(actor=actor, order=order, text=message.text, source="sms")
                stored.outcome, stored.order = SmsOutcome.SUPPLEMENT, order
            else:
                title = " ".join(message.text.split())[:SMS_TITLE_LENGTH]
                created_order, _new = work_order_intake(
                    actor=actor,
                    request=IntakeRequest(
                        channel=Channel.SMS,
                        request_type=RequestType.HELP,
                        title=title,
                        content=message.text,
                        caller_phone=phone,
                        external_ref=f"sms:{message.message_id}"[:64],
                    ),
                )
                stored.outcome, stored.order = SmsOutcome.NEW_ORDER, created_order
            stored.save(update_fields=["outcome", "order", "updated_at"])
        audit_record(
            actor=actor,
            action="sms.inbound",
            target=stored,
            after={"outcome": stored.outcome, "from": mask_mobile(stored.from_number)},
        )
    return SmsResult(message=stored, replayed=False)


def outbound_sms_record(
    *, order_id: int, phone: str, text: str, kind: str, status: str, error: str = ""
) -> OutboundSms | None:
    """Log one attempt to text the caller of order `order_id` (the notice job calls this
    through the hotline's telephony hook, after the backend answered). The row is itself the
    record: no audit entry (the platform, not a person, sent it). None when the order is gone."""
    if status not in OutboundStatus.values:
        raise ValueError(f"unknown status {status!r}")
    if not WorkOrder.objects.filter(pk=order_id).exists():
        return None
    return OutboundSms.objects.create(
        order_id=order_id,
        phone=phone[:32],
        text=text,
        kind=kind[:32],
        status=status,
        error=error[:300],
    )


# --- calls nobody finished --------------------------------------------------------------------

# A call still ringing this long after its last event lost its `ended`/`missed` on the way.
STALE_RINGING = dt.timedelta(minutes=30)
SWEEP_EVENT_ID = "sweep:unanswered"


def calls_sweep_unfinished(*, actor: Actor, now: dt.datetime | None = None) -> list[Call]:
    """Calls that rang and then went silent (the PBX's `missed` was lost) become missed
    calls with a callback task, so that no caller is forgotten. The sweep adds a `missed`
    event of its own at the ringing time; should the PBX's own events arrive later, the
    call is derived again from all of them (an answered call closes its task)."""
    now = now or timezone.now()
    swept: list[Call] = []
    stale = Call.objects.filter(state=CallState.RINGING, updated_at__lt=now - STALE_RINGING)
    for pk in stale.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            call = Call.objects.select_for_update().filter(pk=pk, state=CallState.RINGING).first()
            if call is None or call.events.filter(event_id=SWEEP_EVENT_ID).exists():
                continue
            at = call.ringing_at or call.created_at
            event = CallEvent.objects.create(
                call=call,
                event_id=SWEEP_EVENT_ID,
                kind=CtiEventKind.MISSED,
                occurred_at=at,
                payload={"event": "missed", "source": "sweep", "occurred_at": at.isoformat()},
            )
            call_derive(call)
            audit_record(actor=actor, action="call.swept", target=call, after={"state": call.state})
            _follow_up(actor, call, event)
            swept.append(call)
    return swept


# --- set-up: gateways and extensions (the admin calls these) -----------------------------------


def gateway_register(
    *, actor: Actor, name: str, kind: str, user: User, active: bool = True
) -> Gateway:
    """Register (or update) `user`'s account as the gateway of `kind`; its API keys then
    post that kind of event."""
    if kind not in GatewayKind.values:
        raise ValidationFailed(
            gettext("网关类型无效"), code="gateway.kind", fields={"kind": [kind]}
        )
    with transaction.atomic():
        gateway, created = Gateway.objects.update_or_create(
            user=user, kind=kind, defaults={"name": name.strip()[:100], "is_active": active}
        )
        audit_record(
            actor=actor,
            action="gateway.register" if created else "gateway.update",
            target=gateway,
            after={"name": gateway.name, "kind": kind, "active": active},
        )
    return gateway


def extension_assign(*, actor: Actor, number: str, user: User, active: bool = True) -> Extension:
    """Seat `user` at extension `number` (moving the extension from whoever had it)."""
    number = number.strip()
    if not re.fullmatch(r"[0-9A-Za-z*#]{1,32}", number):
        raise ValidationFailed(
            gettext("分机号格式不正确"), code="extension.number", fields={"number": [number]}
        )
    with transaction.atomic():
        extension = Extension.objects.select_for_update().filter(number=number).first()
        before = {"user": extension.user_id, "active": extension.is_active} if extension else None
        if extension is None:
            extension = Extension(number=number)
        extension.user, extension.is_active = user, active
        extension.save()
        audit_record(
            actor=actor,
            action="extension.assign",
            target=extension,
            before=before,
            after={"user": user.pk, "active": active},
        )
    return extension
