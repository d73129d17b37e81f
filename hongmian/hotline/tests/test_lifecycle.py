"""The main road: dispatch, 签收, reply, callback — and the guards on each step."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Assignment, SlaClock
from hongmian.hotline.services.lifecycle_closing import work_order_callback
from hongmian.hotline.services.lifecycle_dispatch import (
    work_order_acknowledge,
    work_order_direct_answer,
    work_order_dispatch,
)
from hongmian.hotline.services.lifecycle_handling import work_order_reply
from hongmian.hotline.states import (
    AssignmentRole,
    AssignmentStatus,
    ClockKind,
    CloseReason,
    Satisfaction,
    Status,
    Visibility,
)
from hongmian.hotline.tests.factories import DispatchRuleFactory, actor_of

pytestmark = pytest.mark.django_db


def kinds(order) -> list[str]:
    return list(order.timeline.values_list("kind", flat=True))


def test_happy_path(flow, units, agent_actor, sent, django_capture_on_commit_callbacks) -> None:
    handler = actor_of(flow.handler(units.shipai))
    with django_capture_on_commit_callbacks(execute=True):
        order = flow.received()
        order = work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.shipai)
        assert (order.status, order.lead_unit, order.first_unit) == (
            Status.DISPATCHED,
            units.shipai,
            units.shipai,
        )
        assert order.dispatched_at is not None
        order = work_order_acknowledge(actor=handler, order=order)
        assert order.status == Status.ACKNOWLEDGED
        assert order.acknowledged_at is not None
        order = work_order_reply(actor=handler, order=order, reply="已清运。")
        assert (order.status, order.reply) == (Status.REPLIED, "已清运。")
        order = work_order_callback(
            actor=agent_actor, order=order, reached=True, satisfaction="satisfied", resolved=True
        )
    assert order.status == Status.CLOSED
    assert (order.close_reason, order.satisfaction, order.resolved) == (
        CloseReason.CALLBACK,
        Satisfaction.SATISFIED,
        True,
    )
    assert order.version == 5
    assert kinds(order) == ["received", "dispatched", "acknowledged", "replied", "callback"]
    actions = set(
        AuditEvent.objects.filter(target_id=str(order.pk)).values_list("action", flat=True)
    )
    assert {
        "work_order.dispatch",
        "work_order.acknowledge",
        "work_order.reply",
        "work_order.callback",
    } <= actions
    assert sent == [("order_received", order.pk), ("reply_ready", order.pk)]
    assert not SlaClock.objects.filter(order=order, stopped_at__isnull=True).exists()


def test_clocks_start_at_dispatch_not_at_acknowledge(flow, units) -> None:
    order = flow.dispatched(units.shipai)
    clocks = {c.kind: c for c in SlaClock.objects.filter(order=order)}
    assert set(clocks) == {ClockKind.ACKNOWLEDGE, ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION}
    assert all(c.started_at == order.dispatched_at for c in clocks.values())
    order = work_order_acknowledge(actor=actor_of(flow.handler(units.shipai)), order=order)
    stopped = {c.kind for c in SlaClock.objects.filter(order=order, stopped_at__isnull=False)}
    assert stopped == {ClockKind.ACKNOWLEDGE}
    order = work_order_reply(actor=actor_of(flow.handler(units.shipai)), order=order, reply="好")
    assert not SlaClock.objects.filter(order=order, stopped_at__isnull=True).exists()


def test_dispatch_with_co_units(flow, units, agent_actor) -> None:
    order = flow.dispatched(units.shipai, co_units=[units.water])
    rows = {(a.unit_id, a.role) for a in Assignment.objects.filter(order=order)}
    assert rows == {(units.shipai.pk, AssignmentRole.LEAD), (units.water.pk, AssignmentRole.CO)}


def test_dispatch_from_catalogue(flow, units, agent_actor, category) -> None:
    DispatchRuleFactory(category=category, lead_unit=units.water, co_units=[units.tianhe])
    order = work_order_dispatch(actor=agent_actor, order=flow.received(category=category))
    assert order.lead_unit == units.water
    assert order.assignments.filter(unit=units.tianhe, role=AssignmentRole.CO).exists()


def test_dispatch_without_rule_asks_for_a_unit(flow, agent_actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        work_order_dispatch(actor=agent_actor, order=flow.received())
    assert caught.value.code == "work_order.lead_unit"


def test_dispatch_refuses_bad_units(flow, units, agent_actor) -> None:
    order = flow.received()
    with pytest.raises(ValidationFailed) as caught:
        work_order_dispatch(
            actor=agent_actor, order=order, lead_unit=units.shipai, co_units=[units.shipai]
        )
    assert caught.value.code == "work_order.co_units"
    units.water.is_active = False
    units.water.save()
    with pytest.raises(ValidationFailed) as caught:
        work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.water)
    assert caught.value.code == "work_order.lead_unit"


def test_redispatch_withdraws_and_restarts_clocks(flow, units, agent_actor) -> None:
    order = flow.acknowledged(units.shipai)
    order = work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.liede)
    assert order.status == Status.DISPATCHED
    assert (order.lead_unit, order.first_unit) == (units.liede, units.shipai)
    assert order.acknowledged_at is None
    statuses = dict(order.assignments.values_list("unit_id", "status"))
    assert statuses == {
        units.shipai.pk: AssignmentStatus.WITHDRAWN,
        units.liede.pk: AssignmentStatus.PENDING,
    }
    running = SlaClock.objects.filter(order=order, stopped_at__isnull=True)
    assert running.count() == 3
    assert all(c.started_at == order.dispatched_at for c in running)


@pytest.mark.parametrize("status_of", ["closed", "return_requested"])
def test_dispatch_from_wrong_state_is_409(flow, units, agent_actor, status_of) -> None:
    order = flow.received()
    if status_of == "closed":
        order = work_order_direct_answer(actor=agent_actor, order=order, answer="已答复")
    else:
        order.status = Status.RETURN_REQUESTED
        order.save()
    with pytest.raises(IllegalTransition) as caught:
        work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.shipai)
    assert caught.value.code == "work_order.illegal_transition"
    assert caught.value.status_code == 409


def test_units_and_public_cannot_dispatch(flow, units, citizen) -> None:
    order = flow.dispatched(units.shipai)
    with pytest.raises(PermissionDenied):
        work_order_dispatch(
            actor=actor_of(flow.handler(units.shipai)), order=order, lead_unit=units.liede
        )
    with pytest.raises(NotFound):
        work_order_dispatch(actor=actor_of(citizen), order=order, lead_unit=units.liede)
    with pytest.raises(NotFound):
        work_order_dispatch(actor=Actor(user=None, via="api"), order=order, lead_unit=units.liede)


def test_stale_version_is_409(flow, units, agent_actor) -> None:
    order = flow.received()
    with pytest.raises(Conflict) as caught:
        work_order_dispatch(
            actor=agent_actor,
            order=order,
            lead_unit=units.shipai,
            expected_version=order.version + 1,
        )
    assert caught.value.code == "work_order.stale"
    order = work_order_dispatch(
        actor=agent_actor, order=order, lead_unit=units.shipai, expected_version=order.version
    )
    assert order.version == 2


def test_missing_order_is_not_found(units, agent_actor) -> None:
    with pytest.raises(NotFound) as caught:
        work_order_dispatch(actor=agent_actor, order=999_999, lead_unit=units.shipai)
    assert caught.value.code == "work_order.not_found"


# --- 签收 -------------------------------------------------------------------------------------


def test_acknowledge_twice_is_409(flow, units) -> None:
    order = flow.acknowledged(units.shipai)
    with pytest.raises(IllegalTransition):
        work_order_acknowledge(actor=actor_of(flow.handler(units.shipai)), order=order)


def test_other_unit_cannot_see_the_order(flow, units, yuexiu_handler, liede_handler) -> None:
    order = flow.dispatched(units.shipai)
    for outsider in (yuexiu_handler, liede_handler):
        with pytest.raises(NotFound):
            work_order_acknowledge(actor=actor_of(outsider), order=order)


def test_parent_unit_acts_for_its_street(flow, units, tianhe_handler) -> None:
    order = flow.dispatched(units.shipai)
    order = work_order_acknowledge(actor=actor_of(tianhe_handler), order=order)
    assert order.status == Status.ACKNOWLEDGED


def test_past_unit_sees_but_may_not_act(flow, units, agent_actor) -> None:
    order = flow.dispatched(units.shipai)
    order = work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.liede)
    with pytest.raises(PermissionDenied):
        work_order_acknowledge(actor=actor_of(flow.handler(units.shipai)), order=order)


def test_co_unit_acknowledges_its_part_only(flow, units, water_handler) -> None:
    order = flow.dispatched(units.shipai, co_units=[units.water])
    order = work_order_acknowledge(actor=actor_of(water_handler), order=order)
    assert order.status == Status.DISPATCHED
    part = order.assignments.get(unit=units.water)
    assert part.status == AssignmentStatus.ACKNOWLEDGED
    assert order.timeline.get(kind="acknowledged").visibility == Visibility.STAFF
    with pytest.raises(IllegalTransition):
        work_order_acknowledge(actor=actor_of(water_handler), order=order)


def test_centre_does_not_acknowledge_for_a_unit(flow, units, agent_actor) -> None:
    with pytest.raises(PermissionDenied):
        work_order_acknowledge(actor=agent_actor, order=flow.dispatched(units.shipai))


# --- reply ----------------------------------------------------------------------------------


def test_reply_needs_acknowledge_first(flow, units) -> None:
    order = flow.dispatched(units.shipai)
    with pytest.raises(IllegalTransition):
        work_order_reply(actor=actor_of(flow.handler(units.shipai)), order=order, reply="好")


def test_reply_is_the_lead_units(flow, units, water_handler) -> None:
    order = flow.acknowledged(units.shipai, co_units=[units.water])
    with pytest.raises(PermissionDenied):
        work_order_reply(actor=actor_of(water_handler), order=order, reply="好")


def test_reply_text_required(flow, units) -> None:
    with pytest.raises(ValidationFailed) as caught:
        work_order_reply(
            actor=actor_of(flow.handler(units.shipai)), order=flow.acknowledged(), reply=" "
        )
    assert caught.value.code == "work_order.reply"


def test_reply_marks_the_lead_assignment(flow, units) -> None:
    order = flow.replied(units.shipai)
    lead = order.assignments.get(role=AssignmentRole.LEAD)
    assert (lead.status, lead.reply) == (AssignmentStatus.REPLIED, order.reply)


# --- callback -------------------------------------------------------------------------------


def test_callback_dissatisfied_goes_to_review(flow, agent_actor) -> None:
    order = work_order_callback(
        actor=agent_actor,
        order=flow.replied(),
        reached=True,
        satisfaction="dissatisfied",
        resolved=False,
    )
    assert order.status == Status.CALLBACK_REVIEW
    assert order.callbacks.get().review == "pending"


def test_callback_basic_satisfied_closes(flow, agent_actor) -> None:
    order = work_order_callback(
        actor=agent_actor, order=flow.replied(), reached=True, satisfaction="basic"
    )
    assert order.status == Status.CLOSED


def test_callback_requires_satisfaction_when_reached(flow, agent_actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        work_order_callback(actor=agent_actor, order=flow.replied(), reached=True)
    assert caught.value.code == "work_order.satisfaction"


def test_unreached_callbacks_close_after_three_tries(
    flow, agent_actor, sent, django_capture_on_commit_callbacks
) -> None:
    order = flow.replied()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            order = work_order_callback(actor=agent_actor, order=order, reached=False)
            assert order.status == Status.REPLIED
        order = work_order_callback(actor=agent_actor, order=order, reached=False)
    assert (order.status, order.close_reason) == (Status.CLOSED, CloseReason.CALLER_UNREACHABLE)
    assert sent == [("callback_requested", order.pk)] * 2


def test_callback_before_reply_is_409(flow, units, agent_actor) -> None:
    with pytest.raises(IllegalTransition):
        work_order_callback(
            actor=agent_actor, order=flow.acknowledged(), reached=True, satisfaction="satisfied"
        )


def test_units_do_not_call_back(flow, units) -> None:
    order = flow.replied(units.shipai)
    with pytest.raises(PermissionDenied):
        work_order_callback(
            actor=actor_of(flow.handler(units.shipai)),
            order=order,
            reached=True,
            satisfaction="satisfied",
        )


def test_catalogue_and_chosen_co_units_are_merged(flow, units, agent_actor, category) -> None:
    DispatchRuleFactory(category=category, lead_unit=units.water, co_units=[units.tianhe])
    order = work_order_dispatch(
        actor=agent_actor,
        order=flow.received(category=category),
        co_units=[units.tianhe, units.water, units.yuexiu],
    )
    co = set(order.assignments.filter(role=AssignmentRole.CO).values_list("unit_id", flat=True))
    assert co == {units.tianhe.pk, units.yuexiu.pk}


def test_system_actor_may_act_for_the_unit(flow, units) -> None:
    """Imports and the demo seed act as the system; an anonymous request never does."""
    system = Actor.system("seed")
    order = work_order_acknowledge(actor=system, order=flow.dispatched(units.shipai))
    order = work_order_reply(actor=system, order=order, reply="已处理")
    assert order.status == Status.REPLIED
