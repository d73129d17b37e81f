"""The telephony services on the database: CTI events (replays, any order, unknown agents),
the callback queue's transitions, inbound SMS, the outbound log and the sweep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.hotline.states import Channel, Status
from hongmian.hotline.tests.factories import WorkOrderFactory, actor_of
from hongmian.telephony.models import Call, CallbackTask, CallEvent, OutboundSms, ScreenPop
from hongmian.telephony.services import (
    CtiEvent,
    InboundSms,
    call_link_order,
    callback_task_record,
    calls_sweep_unfinished,
    cti_event_record,
    outbound_sms_record,
    sms_inbound_record,
)
from hongmian.telephony.states import CallbackStatus, CallState, SmsOutcome

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def event(
    kind: str, seconds: int, *, call: str = "c1", n: str | None = None, **kw: str
) -> CtiEvent:
    return CtiEvent(
        call_id=call,
        event_id=n or f"{call}-{kind}",
        event=kind,
        occurred_at=T0 + dt.timedelta(seconds=seconds),
        caller=kw.get("caller", "13900001111"),
        called="12345",
        agent=kw.get("agent", ""),
        recording_url=kw.get("recording_url", ""),
    )


ORDERS = {
    "in order": ["ringing", "answered", "ended"],
    "ended first": ["ringing", "ended", "answered"],
    "answered first": ["answered", "ended", "ringing"],
    "backwards": ["ended", "answered", "ringing"],
}


@pytest.mark.parametrize("arrival", ORDERS.values(), ids=ORDERS.keys())
def test_the_state_follows_event_time_not_arrival(pbx_actor, seated, arrival) -> None:
    times = {"ringing": 0, "answered": 10, "ended": 200}
    rec = "https://pbx.example/r/1.wav"
    for kind in arrival:
        cti_event_record(
            actor=pbx_actor,
            event=event(
                kind, times[kind], agent="8001", recording_url=rec if kind == "ended" else ""
            ),
        )
    call = Call.objects.get()
    assert call.state == CallState.ENDED
    assert call.ringing_at == T0
    assert call.answered_at == T0 + dt.timedelta(seconds=10)
    assert call.ended_at == T0 + dt.timedelta(seconds=200)
    assert call.agent == seated[0]
    assert call.recording_url == rec
    assert call.caller_number == "13900001111"
    assert CallEvent.objects.count() == 3
    # Answered while the call was still on: a pop; answered after its end: none, no task.
    assert ScreenPop.objects.count() == (
        1 if arrival.index("answered") < arrival.index("ended") else 0
    )
    assert not CallbackTask.objects.filter(status__in=["open", "retry"]).exists()


def test_a_replayed_event_answers_the_first_result_and_writes_nothing(pbx_actor, seated) -> None:
    first = cti_event_record(actor=pbx_actor, event=event("answered", 5, agent="8001"))
    audits = AuditEvent.objects.count()
    again = cti_event_record(actor=pbx_actor, event=event("answered", 5, agent="8001"))
    assert again.replayed
    assert not first.replayed
    assert again.event.pk == first.event.pk
    assert CallEvent.objects.count() == 1
    assert ScreenPop.objects.count() == 1
    assert AuditEvent.objects.count() == audits


def test_the_same_event_id_with_another_content_is_a_conflict(pbx_actor, seated) -> None:
    cti_event_record(actor=pbx_actor, event=event("answered", 5, agent="8001"))
    with pytest.raises(Conflict) as exc:
        cti_event_record(actor=pbx_actor, event=event("answered", 6, agent="8001"))
    assert exc.value.code == "cti.event_mismatch"
    assert CallEvent.objects.count() == 1


def test_an_unknown_agent_is_a_warning_and_the_call_is_kept(pbx_actor, seated) -> None:
    result = cti_event_record(actor=pbx_actor, event=event("answered", 5, agent="9999"))
    assert result.warnings == ["cti.unknown_agent"]
    call = Call.objects.get()
    assert call.agent is None
    assert call.agent_ref == "9999"
    assert call.state == CallState.ANSWERED
    assert not ScreenPop.objects.exists()
    # The replay says the same.
    assert cti_event_record(actor=pbx_actor, event=event("answered", 5, agent="9999")).warnings == [
        "cti.unknown_agent"
    ]


def test_an_agent_may_be_named_by_login(pbx_actor, seated) -> None:
    cti_event_record(actor=pbx_actor, event=event("answered", 5, agent=seated[1].username))
    assert ScreenPop.objects.get().agent == seated[1]


def test_only_a_registered_gateway_posts_events(agent, seated, sms_actor) -> None:
    for actor in (actor_of(agent), sms_actor, Actor.system("x")):
        with pytest.raises(PermissionDenied) as exc:
            cti_event_record(actor=actor, event=event("ringing", 0))
        assert exc.value.code == "telephony.not_a_gateway"
    assert not Call.objects.exists()


def test_a_missed_call_makes_one_callback_task(pbx_actor) -> None:
    cti_event_record(actor=pbx_actor, event=event("ringing", 0))
    cti_event_record(actor=pbx_actor, event=event("missed", 40))
    cti_event_record(actor=pbx_actor, event=event("missed", 40))
    cti_event_record(actor=pbx_actor, event=event("missed", 41, n="c1-missed-again"))
    task = CallbackTask.objects.get()
    assert task.status == CallbackStatus.OPEN
    assert task.missed_at == T0
    assert task.caller_number == "13900001111"
    assert Call.objects.get().state == CallState.MISSED


def test_an_unanswered_end_is_a_missed_call(pbx_actor) -> None:
    cti_event_record(actor=pbx_actor, event=event("ringing", 0))
    cti_event_record(actor=pbx_actor, event=event("ended", 30))
    assert Call.objects.get().state == CallState.MISSED
    assert CallbackTask.objects.get().status == CallbackStatus.OPEN


def test_a_late_answered_closes_the_task_it_caused(pbx_actor, seated) -> None:
    cti_event_record(actor=pbx_actor, event=event("ended", 300))
    assert CallbackTask.objects.get().status == CallbackStatus.OPEN
    cti_event_record(actor=pbx_actor, event=event("answered", 10, agent="8001"))
    task = CallbackTask.objects.get()
    assert task.status == CallbackStatus.ANSWERED
    assert Call.objects.get().state == CallState.ENDED
    assert AuditEvent.objects.filter(
        action="callback_task.transition", target_id=str(task.pk)
    ).exists()


@pytest.fixture
def task(pbx_actor) -> CallbackTask:
    cti_event_record(actor=pbx_actor, event=event("missed", 0))
    return CallbackTask.objects.get()


def test_no_answer_keeps_the_task_in_the_queue_and_counts(task, agent) -> None:
    for n in (1, 2):
        done = callback_task_record(
            actor=actor_of(agent), task=task, outcome="retry", note="无人接"
        )
        assert done.status == CallbackStatus.RETRY
        assert done.attempts == n
    assert done.last_attempt_by == agent


def test_reached_needs_an_order_and_links_it(task, agent) -> None:
    with pytest.raises(ValidationFailed) as exc:
        callback_task_record(actor=actor_of(agent), task=task, outcome="reached")
    assert exc.value.code == "callback_task.order_required"
    order = WorkOrderFactory()
    done = callback_task_record(actor=actor_of(agent), task=task, outcome="reached", order=order)
    assert done.status == CallbackStatus.REACHED
    assert done.order == order
    assert done.attempts == 1
    assert TimelineEntry.objects.filter(order=order, kind="missed_call_callback").exists()
    with pytest.raises(IllegalTransition):
        callback_task_record(actor=actor_of(agent), task=task, outcome="invalid")


def test_a_stale_version_and_a_unit_are_refused(task, agent, tianhe_handler) -> None:
    from hongmian.core.errors import NotFound

    with pytest.raises(Conflict):
        callback_task_record(
            actor=actor_of(agent), task=task, outcome="refused", expected_version=9
        )
    with pytest.raises(NotFound):
        callback_task_record(actor=actor_of(tianhe_handler), task=task, outcome="refused")
    task.refresh_from_db()
    assert task.status == CallbackStatus.OPEN
    assert task.attempts == 0


def test_duplicate_is_not_an_attempt(task, agent) -> None:
    done = callback_task_record(actor=actor_of(agent), task=task, outcome="duplicate")
    assert done.status == CallbackStatus.DUPLICATE
    assert done.attempts == 0


def test_the_agent_links_the_call_to_the_order(pbx_actor, seated) -> None:
    cti_event_record(actor=pbx_actor, event=event("answered", 5, agent="8001"))
    call = Call.objects.get()
    order = WorkOrderFactory()
    from hongmian.core.errors import NotFound

    with pytest.raises(NotFound):
        call_link_order(actor=actor_of(seated[1]), call=call, order=order)
    call_link_order(actor=actor_of(seated[0]), call=call, order=order)
    assert Call.objects.get().order == order


def test_the_sweep_turns_a_silent_ringing_call_into_a_callback(pbx_actor) -> None:
    cti_event_record(actor=pbx_actor, event=event("ringing", 0))
    assert calls_sweep_unfinished(actor=Actor.system("t")) == []
    later = timezone.now() + dt.timedelta(hours=1)
    assert len(calls_sweep_unfinished(actor=Actor.system("t"), now=later)) == 1
    assert CallbackTask.objects.get().status == CallbackStatus.OPEN
    assert calls_sweep_unfinished(actor=Actor.system("t"), now=later) == []


# --- SMS ------------------------------------------------------------------------------------


def sms(n: str, sender: str = "13900002222", text: str = "路灯还是不亮") -> InboundSms:
    return InboundSms(message_id=n, sender=sender, recipient="12345", text=text, sent_at=T0)


def test_an_sms_from_a_caller_with_an_open_order_supplements_it(sms_actor) -> None:
    older = WorkOrderFactory(caller_phone="13900002222", status=Status.DISPATCHED)
    newer = WorkOrderFactory(caller_phone="13900002222", status=Status.RECEIVED)
    WorkOrderFactory(caller_phone="13900002222", status=Status.CLOSED)
    result = sms_inbound_record(actor=sms_actor, message=sms("m1"))
    assert result.message.outcome == SmsOutcome.SUPPLEMENT
    assert result.message.order == newer
    entry = TimelineEntry.objects.get(order=newer, kind="citizen_supplement")
    assert entry.visibility == "public"
    assert "路灯还是不亮" in entry.text
    # Naming an order by its number picks that one.
    named = sms_inbound_record(
        actor=sms_actor, message=sms("m2", text=f"关于{older.number}：还没修")
    )
    assert named.message.order == older


def test_an_sms_without_an_open_order_becomes_one(sms_actor) -> None:
    result = sms_inbound_record(
        actor=sms_actor, message=sms("m1", text="小区门口垃圾堆积三天无人清理")
    )
    order = result.message.order
    assert result.message.outcome == SmsOutcome.NEW_ORDER
    assert order.channel == Channel.SMS
    assert order.caller_phone == "13900002222"
    assert order.title == "小区门口垃圾堆积三天无人清理"
    again = sms_inbound_record(
        actor=sms_actor, message=sms("m1", text="小区门口垃圾堆积三天无人清理")
    )
    assert again.replayed
    assert again.message.pk == result.message.pk
    assert WorkOrder.objects.count() == 1
    with pytest.raises(Conflict):
        sms_inbound_record(actor=sms_actor, message=sms("m1", text="别的内容"))


def test_an_sms_from_an_unknown_number_is_kept(sms_actor) -> None:
    result = sms_inbound_record(actor=sms_actor, message=sms("m1", sender="10690001"))
    assert result.message.outcome == SmsOutcome.UNKNOWN_SENDER
    assert result.message.order is None
    assert result.message.from_number == "10690001"
    assert not WorkOrder.objects.exists()


def test_outbound_messages_are_logged_per_order() -> None:
    order = WorkOrderFactory()
    row = outbound_sms_record(
        order_id=order.pk, phone="13900003333", text="t", kind="k", status="sent"
    )
    assert row is not None
    assert OutboundSms.objects.get().order == order
    assert (
        outbound_sms_record(order_id=order.pk + 999, phone="1", text="t", kind="k", status="sent")
        is None
    )
