"""Closing: direct answer, callback review and reopen (重办), merge (并单), archive."""

from __future__ import annotations

import pytest

from hongmian.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from hongmian.hotline.models import SlaClock, WorkOrder
from hongmian.hotline.services.lifecycle import (
    work_order_acknowledge,
    work_order_archive,
    work_order_callback,
    work_order_callback_review,
    work_order_direct_answer,
    work_order_dispatch,
    work_order_merge,
    work_order_reply,
)
from hongmian.hotline.states import (
    AssignmentRole,
    AssignmentStatus,
    CallbackReview,
    ClockKind,
    CloseReason,
    Status,
    Visibility,
)
from hongmian.hotline.tests.factories import actor_of

pytestmark = pytest.mark.django_db


def dissatisfied(flow, units, agent_actor, **fields) -> WorkOrder:
    order = flow.replied(units.shipai, **fields)
    return work_order_callback(
        actor=agent_actor, order=order, reached=True, satisfaction="dissatisfied", resolved=False
    )


# --- direct answer --------------------------------------------------------------------------


def test_direct_answer_closes_at_intake(
    flow, agent_actor, sent, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = work_order_direct_answer(
            actor=agent_actor, order=flow.received(), answer="可在穗好办办理", source="knowledge:12"
        )
    assert (order.status, order.close_reason, order.answer_source) == (
        Status.CLOSED,
        CloseReason.DIRECT_ANSWER,
        "knowledge:12",
    )
    assert order.lead_unit is None
    assert order.closed_at is not None
    assert ("reply_ready", order.pk) in sent


def test_direct_answer_only_before_dispatch(flow, units, agent_actor) -> None:
    with pytest.raises(IllegalTransition):
        work_order_direct_answer(actor=agent_actor, order=flow.dispatched(), answer="x")
    with pytest.raises(PermissionDenied):
        work_order_direct_answer(
            actor=actor_of(flow.handler(units.shipai)), order=flow.dispatched(), answer="x"
        )
    with pytest.raises(ValidationFailed):
        work_order_direct_answer(actor=agent_actor, order=flow.received(), answer="")


# --- callback review ------------------------------------------------------------------------


def test_fair_dissatisfaction_reopens_to_the_same_lead(
    flow, units, agent_actor, supervisor_actor
) -> None:
    order = dissatisfied(flow, units, agent_actor, co_units=[units.water])
    first_dispatch = order.dispatched_at
    order = work_order_callback_review(
        actor=supervisor_actor, order=order, reopen=True, reason="确未解决"
    )
    assert (order.status, order.lead_unit, order.reopen_count) == (
        Status.DISPATCHED,
        units.shipai,
        1,
    )
    assert order.dispatched_at > first_dispatch
    assert (order.reply, order.replied_at, order.acknowledged_at) == ("", None, None)
    assert order.callbacks.get().review == CallbackReview.REOPENED
    current = dict(
        order.assignments.exclude(status=AssignmentStatus.WITHDRAWN).values_list("unit_id", "role")
    )
    assert current == {units.shipai.pk: AssignmentRole.LEAD, units.water.pk: AssignmentRole.CO}
    resolution = SlaClock.objects.get(
        order=order, kind=ClockKind.RESOLUTION, stopped_at__isnull=True
    )
    assert resolution.started_at == order.dispatched_at  # a new resolution clock
    assert order.timeline.get(kind="reopened").visibility == Visibility.PUBLIC
    handler = actor_of(flow.handler(units.shipai))
    order = work_order_acknowledge(actor=handler, order=order)
    order = work_order_reply(actor=handler, order=order, reply="已彻底解决")
    assert order.status == Status.REPLIED


def test_unfair_dissatisfaction_closes(flow, units, agent_actor, supervisor_actor) -> None:
    order = dissatisfied(flow, units, agent_actor)
    order = work_order_callback_review(
        actor=supervisor_actor, order=order, reopen=False, reason="诉求超出政策范围"
    )
    assert (order.status, order.close_reason, order.satisfaction) == (
        Status.CLOSED,
        CloseReason.REVIEW,
        "dissatisfied",
    )
    assert order.callbacks.get().review == CallbackReview.CLOSED


def test_callback_review_is_the_supervisors(flow, units, agent_actor) -> None:
    order = dissatisfied(flow, units, agent_actor)
    with pytest.raises(PermissionDenied):
        work_order_callback_review(actor=agent_actor, order=order, reopen=True, reason="x")
    with pytest.raises(NotFound):
        work_order_callback_review(
            actor=actor_of(flow.handler(units.liede)), order=order, reopen=True, reason="x"
        )


def test_callback_review_needs_a_pending_review(flow, units, supervisor_actor) -> None:
    with pytest.raises(IllegalTransition):
        work_order_callback_review(
            actor=supervisor_actor, order=flow.replied(), reopen=True, reason="x"
        )
    with pytest.raises(ValidationFailed):
        work_order_callback_review(
            actor=supervisor_actor, order=flow.replied(), reopen=True, reason=""
        )


# --- merge ----------------------------------------------------------------------------------


def test_merge_then_master_reply_closes_duplicates(
    flow, units, agent_actor, sent, django_capture_on_commit_callbacks
) -> None:
    master = flow.acknowledged(units.shipai)
    dup_received = flow.received(caller_phone="13900000001")
    dup_dispatched = flow.dispatched(units.liede, caller_phone="13900000002")
    master = work_order_merge(
        actor=agent_actor,
        master=master,
        duplicates=[dup_received, dup_dispatched.pk],
        note="同一处垃圾",
    )
    for dup in (dup_received, dup_dispatched):
        dup.refresh_from_db()
        assert (dup.status, dup.master_id) == (Status.MERGED, master.pk)
    assert not SlaClock.objects.filter(order=dup_dispatched, stopped_at__isnull=True).exists()
    assert not dup_dispatched.assignments.exclude(status=AssignmentStatus.WITHDRAWN).exists()
    with django_capture_on_commit_callbacks(execute=True):
        master = work_order_reply(
            actor=actor_of(flow.handler(units.shipai)), order=master, reply="已清运"
        )
    for dup in (dup_received, dup_dispatched):
        dup.refresh_from_db()
        assert (dup.status, dup.close_reason, dup.reply) == (
            Status.CLOSED,
            CloseReason.MERGED,
            "已清运",
        )
        entry = dup.timeline.get(kind="closed_with_master")
        assert entry.visibility == Visibility.PUBLIC
        assert master.number in entry.text
    assert {
        ("reply_ready", dup_received.pk),
        ("reply_ready", dup_dispatched.pk),
        ("reply_ready", master.pk),
    } <= set(sent)


def test_merge_into_answered_master_closes_at_once(flow, units, agent_actor) -> None:
    master = work_order_direct_answer(
        actor=agent_actor, order=flow.received(), answer="已公布停水通知"
    )
    dup = flow.received()
    work_order_merge(actor=agent_actor, master=master, duplicates=[dup])
    dup.refresh_from_db()
    assert (dup.status, dup.reply) == (Status.CLOSED, "已公布停水通知")


def test_merge_moves_grandchildren_under_the_master(flow, agent_actor) -> None:
    master, middle, leaf = flow.received(), flow.received(), flow.received()
    work_order_merge(actor=agent_actor, master=middle, duplicates=[leaf])
    work_order_merge(actor=agent_actor, master=master, duplicates=[middle])
    leaf.refresh_from_db()
    assert leaf.master_id == master.pk


def test_merge_guards(flow, units, agent_actor) -> None:
    master = flow.received()
    with pytest.raises(ValidationFailed):
        work_order_merge(actor=agent_actor, master=master, duplicates=[master])
    with pytest.raises(ValidationFailed):
        work_order_merge(actor=agent_actor, master=master, duplicates=[])
    with pytest.raises(IllegalTransition):
        work_order_merge(actor=agent_actor, master=master, duplicates=[flow.replied()])
    merged = flow.received()
    work_order_merge(actor=agent_actor, master=master, duplicates=[merged])
    with pytest.raises(IllegalTransition):
        work_order_merge(actor=agent_actor, master=merged, duplicates=[flow.received()])
    with pytest.raises(PermissionDenied):
        work_order_merge(
            actor=actor_of(flow.handler(units.shipai)),
            master=flow.dispatched(),
            duplicates=[flow.received()],
        )
    assert WorkOrder.objects.filter(status=Status.MERGED).count() == 1


def test_merged_order_cannot_be_dispatched(flow, units, agent_actor) -> None:
    master, dup = flow.received(), flow.received()
    work_order_merge(actor=agent_actor, master=master, duplicates=[dup])
    with pytest.raises(IllegalTransition):
        work_order_dispatch(actor=agent_actor, order=dup, lead_unit=units.shipai)


# --- archive --------------------------------------------------------------------------------


def test_archive_closed_and_merged_only(flow, units, agent_actor) -> None:
    closed = work_order_direct_answer(actor=agent_actor, order=flow.received(), answer="答复")
    closed = work_order_archive(actor=agent_actor, order=closed)
    assert closed.status == Status.ARCHIVED
    assert closed.archived_at is not None
    master, dup = flow.received(), flow.received()
    work_order_merge(actor=agent_actor, master=master, duplicates=[dup])
    assert work_order_archive(actor=agent_actor, order=dup).status == Status.ARCHIVED
    for order in (master, closed):
        with pytest.raises(IllegalTransition):
            work_order_archive(actor=agent_actor, order=order)
    with pytest.raises(IllegalTransition):
        work_order_merge(actor=agent_actor, master=closed, duplicates=[flow.received()])


def test_archived_order_is_frozen(flow, units, agent_actor) -> None:
    order = work_order_archive(
        actor=agent_actor,
        order=work_order_direct_answer(actor=agent_actor, order=flow.received(), answer="答复"),
    )
    with pytest.raises(IllegalTransition):
        work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.shipai)
