"""Handling: notes, co-handling, 下派, 退单 and its review, joint meetings, extensions,
urging and supervision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.hotline.models import Assignment, JointMeeting, SlaClock, Supervision
from hongmian.hotline.services.lifecycle_dispatch import (
    return_deadline,
    work_order_acknowledge,
    work_order_joint_meeting,
    work_order_return_request,
    work_order_return_review,
    work_order_subdispatch,
)
from hongmian.hotline.services.lifecycle_handling import (
    work_order_co_reply,
    work_order_extension_decide,
    work_order_extension_request,
    work_order_progress,
    work_order_reply,
    work_order_supervise,
)
from hongmian.hotline.states import (
    AssignmentStatus,
    ClockKind,
    ExtensionStatus,
    ReturnStatus,
    Status,
    Visibility,
)
from hongmian.hotline.tests.factories import actor_of

pytestmark = pytest.mark.django_db

RETURN = {
    "reason": "not_our_duty",
    "legal_basis": "《广州市供水用水条例》第五条",
    "explanation": "供水管网属市水务局管理。",
}


def running(order, kind: str) -> SlaClock:
    return SlaClock.objects.get(order=order, kind=kind, stopped_at__isnull=True)


# --- progress -------------------------------------------------------------------------------


def test_unit_note_stops_first_response(flow, units) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    order = work_order_progress(actor=handler, order=order, text="已派人核查")
    assert not SlaClock.objects.filter(
        order=order, kind=ClockKind.FIRST_RESPONSE, stopped_at__isnull=True
    ).exists()
    assert running(order, ClockKind.RESOLUTION)
    assert order.timeline.filter(kind="progress", visibility=Visibility.PUBLIC).exists()


def test_unit_note_needs_acknowledge(flow, units) -> None:
    with pytest.raises(Conflict) as caught:
        work_order_progress(
            actor=actor_of(flow.handler(units.shipai)), order=flow.dispatched(), text="x"
        )
    assert caught.value.code == "work_order.not_acknowledged"


def test_unit_cannot_write_internal_notes(flow, units) -> None:
    with pytest.raises(ValidationFailed) as caught:
        work_order_progress(
            actor=actor_of(flow.handler(units.shipai)),
            order=flow.acknowledged(),
            text="x",
            visibility=Visibility.INTERNAL,
        )
    assert caught.value.code == "work_order.visibility"


def test_centre_note_keeps_clocks(flow, units, agent_actor) -> None:
    order = work_order_progress(
        actor=agent_actor, order=flow.acknowledged(), text="已电话联系", visibility="staff"
    )
    assert running(order, ClockKind.FIRST_RESPONSE)


def test_note_on_closed_order_is_409(flow, agent_actor) -> None:
    from hongmian.hotline.services.lifecycle_dispatch import work_order_direct_answer

    order = work_order_direct_answer(actor=agent_actor, order=flow.received(), answer="答复")
    with pytest.raises(IllegalTransition):
        work_order_progress(actor=agent_actor, order=order, text="x")


def test_bad_visibility(flow, agent_actor) -> None:
    with pytest.raises(ValidationFailed):
        work_order_progress(actor=agent_actor, order=flow.received(), text="x", visibility="secret")


# --- co-handling ----------------------------------------------------------------------------


def test_co_reply_once_then_lead_replies(flow, units, water_handler) -> None:
    order = flow.acknowledged(units.shipai, co_units=[units.water])
    water = actor_of(water_handler)
    order = work_order_co_reply(actor=water, order=order, reply="管网已检修")
    part = Assignment.objects.get(order=order, unit=units.water)
    assert (part.status, part.reply) == (AssignmentStatus.REPLIED, "管网已检修")
    assert order.timeline.get(kind="co_replied").visibility == Visibility.STAFF
    with pytest.raises(IllegalTransition):
        work_order_co_reply(actor=water, order=order, reply="again")
    # A co-handler that has replied is still the order's unit: it may note, not lead.
    work_order_progress(actor=water, order=order, text="已复查", visibility="staff")
    with pytest.raises(PermissionDenied):
        work_order_reply(actor=water, order=order, reply="x")
    order = work_order_reply(
        actor=actor_of(flow.handler(units.shipai)), order=order, reply="已解决"
    )
    assert order.status == Status.REPLIED


def test_lead_cannot_co_reply(flow, units) -> None:
    with pytest.raises(PermissionDenied):
        work_order_co_reply(
            actor=actor_of(flow.handler(units.shipai)), order=flow.acknowledged(), reply="x"
        )


# --- 下派 -------------------------------------------------------------------------------------


def test_district_subdispatches_to_its_street(flow, units, tianhe_handler, liede_handler) -> None:
    order = flow.acknowledged(units.tianhe)
    due = running(order, ClockKind.RESOLUTION).due_at
    order = work_order_subdispatch(actor=actor_of(tianhe_handler), order=order, unit=units.liede)
    assert (order.status, order.lead_unit, order.first_unit) == (
        Status.DISPATCHED,
        units.liede,
        units.tianhe,
    )
    assert running(order, ClockKind.RESOLUTION).due_at == due  # no fresh time downwards
    order = work_order_acknowledge(actor=actor_of(liede_handler), order=order)
    order = work_order_reply(actor=actor_of(liede_handler), order=order, reply="已处理")
    assert order.status == Status.REPLIED


def test_subdispatch_only_downwards(flow, units, tianhe_handler) -> None:
    order = flow.acknowledged(units.tianhe)
    for wrong in (units.yuexiu, units.tianhe, units.water):
        with pytest.raises(ValidationFailed) as caught:
            work_order_subdispatch(actor=actor_of(tianhe_handler), order=order, unit=wrong)
        assert caught.value.code == "work_order.unit"


def test_subdispatch_needs_acknowledge(flow, units, tianhe_handler) -> None:
    with pytest.raises(IllegalTransition):
        work_order_subdispatch(
            actor=actor_of(tianhe_handler), order=flow.dispatched(units.tianhe), unit=units.liede
        )


def test_street_cannot_subdispatch_sideways_or_for_others(
    flow, units, agent_actor, shipai_handler
) -> None:
    order = flow.acknowledged(units.tianhe)
    with pytest.raises(NotFound):
        work_order_subdispatch(actor=actor_of(shipai_handler), order=order, unit=units.liede)
    with pytest.raises(PermissionDenied):
        work_order_subdispatch(actor=agent_actor, order=order, unit=units.liede)


# --- 退单 -------------------------------------------------------------------------------------


def test_return_accepted_goes_to_new_unit(flow, units, agent_actor, water_handler) -> None:
    order = flow.dispatched(units.shipai)
    order = work_order_return_request(
        actor=actor_of(flow.handler(units.shipai)),
        order=order,
        suggested_unit=units.water,
        **RETURN,
    )
    assert (order.status, order.return_count) == (Status.RETURN_REQUESTED, 1)
    order = work_order_return_review(actor=agent_actor, order=order, accept=True, note="同意")
    assert (order.status, order.lead_unit, order.first_unit) == (
        Status.DISPATCHED,
        units.water,
        units.shipai,
    )
    assert order.returns.get().status == ReturnStatus.ACCEPTED
    assert running(order, ClockKind.ACKNOWLEDGE).started_at == order.dispatched_at
    work_order_acknowledge(actor=actor_of(water_handler), order=order)


def test_return_refused_keeps_the_unit_acknowledged(flow, units, agent_actor) -> None:
    order = flow.dispatched(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    order = work_order_return_request(actor=handler, order=order, **RETURN)
    order = work_order_return_review(actor=agent_actor, order=order, accept=False, note="属本辖区")
    assert (order.status, order.lead_unit) == (Status.ACKNOWLEDGED, units.shipai)
    assert order.acknowledged_at is not None
    assert order.assignments.get().status == AssignmentStatus.ACKNOWLEDGED
    with pytest.raises(Conflict) as caught:
        work_order_return_request(actor=handler, order=order, **RETURN)
    assert caught.value.code == "work_order.return_already_requested"


def test_return_window(flow, units, settings) -> None:
    order = flow.acknowledged(units.shipai)
    lead = order.assignments.get()
    assert return_deadline(lead.created_at) > timezone.now()
    Assignment.objects.filter(pk=lead.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    with pytest.raises(Conflict) as caught:
        work_order_return_request(actor=actor_of(flow.handler(units.shipai)), order=order, **RETURN)
    assert caught.value.code == "work_order.return_window_closed"
    assert order.returns.count() == 0


def test_return_window_counts_working_hours(settings) -> None:
    from zoneinfo import ZoneInfo

    settings.HONGMIAN_HOTLINE_RETURN_WINDOW_HOURS = 8
    friday_5pm = dt.datetime(2026, 11, 27, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    # One hour on Friday, seven on Monday (09–12, 14–18) is all of Monday.
    assert return_deadline(friday_5pm) == dt.datetime(
        2026, 11, 30, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai")
    )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"reason": "lazy"}, "work_order.reason"),
        ({"legal_basis": ""}, "work_order.legal_basis"),
        ({"explanation": " "}, "work_order.explanation"),
    ],
)
def test_return_request_validation(flow, units, overrides, code) -> None:
    with pytest.raises(ValidationFailed) as caught:
        work_order_return_request(
            actor=actor_of(flow.handler(units.shipai)),
            order=flow.dispatched(),
            **(RETURN | overrides),
        )
    assert caught.value.code == code


def test_return_guards(flow, units, agent_actor, water_handler) -> None:
    order = flow.dispatched(units.shipai, co_units=[units.water])
    with pytest.raises(PermissionDenied):
        work_order_return_request(actor=actor_of(water_handler), order=order, **RETURN)
    with pytest.raises(IllegalTransition):
        work_order_return_review(
            actor=agent_actor, order=order, accept=True, note="x", new_unit=units.water
        )
    order = work_order_return_request(
        actor=actor_of(flow.handler(units.shipai)), order=order, **RETURN
    )
    with pytest.raises(PermissionDenied):
        work_order_return_review(
            actor=actor_of(flow.handler(units.shipai)), order=order, accept=True, note="x"
        )
    with pytest.raises(ValidationFailed) as caught:
        work_order_return_review(actor=agent_actor, order=order, accept=True, note="同意")
    assert caught.value.code == "work_order.new_unit"
    with pytest.raises(ValidationFailed):
        work_order_return_review(
            actor=agent_actor, order=order, accept=True, note="同意", new_unit=units.shipai
        )


def test_joint_meeting_decides_the_unit(flow, units, agent_actor) -> None:
    order = flow.dispatched(units.shipai)
    order = work_order_return_request(
        actor=actor_of(flow.handler(units.shipai)), order=order, **RETURN
    )
    order = work_order_return_review(
        actor=agent_actor, order=order, accept=True, note="会商", to_joint_meeting=True
    )
    assert order.status == Status.JOINT_MEETING
    assert not SlaClock.objects.filter(order=order, stopped_at__isnull=True).exists()
    assert not order.assignments.exclude(status=AssignmentStatus.WITHDRAWN).exists()
    order = work_order_joint_meeting(
        actor=agent_actor,
        order=order,
        units=[units.shipai, units.water],
        decided_unit=units.tianhe,
        minutes="由天河区牵头",
    )
    assert (order.status, order.lead_unit) == (Status.DISPATCHED, units.tianhe)
    meeting = JointMeeting.objects.get(order=order)
    assert set(meeting.units.values_list("pk", flat=True)) == {
        units.shipai.pk,
        units.water.pk,
        units.tianhe.pk,
    }
    assert running(order, ClockKind.RESOLUTION).started_at == order.dispatched_at


def test_joint_meeting_only_when_convened(flow, units, agent_actor) -> None:
    with pytest.raises(IllegalTransition):
        work_order_joint_meeting(
            actor=agent_actor,
            order=flow.dispatched(),
            units=[],
            decided_unit=units.water,
            minutes="x",
        )
    with pytest.raises(ValidationFailed):
        work_order_joint_meeting(
            actor=agent_actor,
            order=flow.dispatched(),
            units=[],
            decided_unit=units.water,
            minutes="",
        )


# --- extensions -----------------------------------------------------------------------------


def test_extension_approved_moves_the_deadline(flow, units, agent_actor) -> None:
    order = flow.acknowledged(units.shipai)
    due = running(order, ClockKind.RESOLUTION).due_at
    extension = work_order_extension_request(
        actor=actor_of(flow.handler(units.shipai)), order=order, reason="需现场勘查", amount="2"
    )
    assert extension.status == ExtensionStatus.PENDING
    order = work_order_extension_decide(
        actor=agent_actor, extension=extension, approve=True, note="同意"
    )
    assert order.extension_count == 1
    assert running(order, ClockKind.RESOLUTION).due_at > due
    with pytest.raises(Conflict) as caught:
        work_order_extension_decide(actor=agent_actor, extension=extension, approve=False)
    assert caught.value.code == "work_order.extension_decided"


def test_extension_refused_leaves_the_deadline(flow, units, agent_actor) -> None:
    order = flow.acknowledged(units.shipai)
    due = running(order, ClockKind.RESOLUTION).due_at
    extension = work_order_extension_request(
        actor=actor_of(flow.handler(units.shipai)), order=order, reason="r", amount=1
    )
    order = work_order_extension_decide(
        actor=agent_actor, extension=extension.pk, approve=False, note="理由不充分"
    )
    assert (order.extension_count, running(order, ClockKind.RESOLUTION).due_at) == (0, due)


def test_one_pending_extension_at_a_time(flow, units) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    work_order_extension_request(actor=handler, order=order, reason="r", amount=1)
    with pytest.raises(Conflict) as caught:
        work_order_extension_request(actor=handler, order=order, reason="r", amount=1)
    assert caught.value.code == "work_order.extension_pending"


def test_extension_only_before_the_deadline(flow, units) -> None:
    order = flow.acknowledged(units.shipai)
    SlaClock.objects.filter(order=order, kind=ClockKind.RESOLUTION).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(Conflict) as caught:
        work_order_extension_request(
            actor=actor_of(flow.handler(units.shipai)), order=order, reason="r", amount=1
        )
    assert caught.value.code == "work_order.extension_too_late"


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "1000", "1.005", "NaN"])
def test_extension_amount_validated(flow, units, amount) -> None:
    with pytest.raises(ValidationFailed) as caught:
        work_order_extension_request(
            actor=actor_of(flow.handler(units.shipai)),
            order=flow.acknowledged(),
            reason="r",
            amount=amount,
        )
    assert caught.value.code == "work_order.amount"


def test_extension_guards(flow, units, agent_actor) -> None:
    handler = actor_of(flow.handler(units.shipai))
    with pytest.raises(IllegalTransition):
        work_order_extension_request(actor=handler, order=flow.dispatched(), reason="r", amount=1)
    with pytest.raises(PermissionDenied):
        work_order_extension_request(
            actor=agent_actor, order=flow.acknowledged(), reason="r", amount=1
        )
    extension = work_order_extension_request(
        actor=handler, order=flow.acknowledged(), reason="r", amount=1
    )
    with pytest.raises(PermissionDenied):
        work_order_extension_decide(actor=handler, extension=extension, approve=True)
    with pytest.raises(ValidationFailed):
        work_order_extension_decide(actor=agent_actor, extension=999_999, approve=True)


# --- urging and supervision -----------------------------------------------------------------


def test_urge_and_supervise(flow, units, agent_actor, supervisor_actor) -> None:
    order = flow.dispatched(units.shipai)
    order = work_order_supervise(actor=agent_actor, order=order, kind="urge", note="请尽快签收")
    with pytest.raises(PermissionDenied):
        work_order_supervise(actor=agent_actor, order=order, kind="supervise")
    order = work_order_supervise(
        actor=supervisor_actor, order=order, kind="supervise", note="已超时"
    )
    kinds = list(Supervision.objects.filter(order=order).values_list("kind", "unit_id", "by_id"))
    assert sorted(kinds) == [
        ("supervise", units.shipai.pk, supervisor_actor.user.pk),
        ("urge", units.shipai.pk, agent_actor.user.pk),
    ]


def test_supervise_guards(flow, units, agent_actor) -> None:
    with pytest.raises(ValidationFailed):
        work_order_supervise(actor=agent_actor, order=flow.dispatched(), kind="shout")
    with pytest.raises(IllegalTransition):
        work_order_supervise(actor=agent_actor, order=flow.received(), kind="urge")
    with pytest.raises(PermissionDenied):
        work_order_supervise(
            actor=actor_of(flow.handler(units.shipai)), order=flow.dispatched(), kind="urge"
        )
