"""Closing: direct answer (with the knowledge article's use), the caller's own rating,
callback review and reopen (重办), merge (并单), archive."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import (
    ApplicationError,
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Callback, SlaClock, WorkOrder
from hongmian.hotline.services import lifecycle_dispatch
from hongmian.hotline.services.lifecycle_closing import (
    CALLER_RATING_NOTE,
    work_order_archive,
    work_order_callback,
    work_order_callback_review,
    work_order_caller_rate,
    work_order_merge,
)
from hongmian.hotline.services.lifecycle_dispatch import (
    work_order_acknowledge,
    work_order_direct_answer,
    work_order_dispatch,
)
from hongmian.hotline.services.lifecycle_handling import work_order_reply
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


def test_direct_answer_from_an_article_records_its_use(flow, agent_actor, article) -> None:
    from hongmian.knowledge.models import ArticleUsage

    order = work_order_direct_answer(
        actor=agent_actor, order=flow.received(), answer=article.body, article=article
    )

    assert order.answer_source == f"knowledge:{article.pk}"
    usage = ArticleUsage.objects.get()
    article.refresh_from_db()  # approval gave it its first served revision
    assert (usage.article_id, usage.order_ref, usage.revision) == (
        article.pk,
        order.number,
        article.revision,
    )


def test_an_article_that_cannot_be_used_leaves_the_order_unanswered(
    flow, agent_actor, article
) -> None:
    from hongmian.knowledge import services
    from hongmian.knowledge.models import ArticleUsage

    services.article_retire(actor=Actor.system("test"), article=article, reason="政策调整")
    order = flow.received()

    with pytest.raises(Conflict) as refused:
        work_order_direct_answer(
            actor=agent_actor, order=order, answer=article.body, article=article
        )

    assert refused.value.code == "article.not_published"
    order.refresh_from_db()
    assert (order.status, order.reply, order.version) == (Status.RECEIVED, "", 1)
    assert not order.timeline.filter(kind="direct_answer").exists()
    assert not AuditEvent.objects.filter(action="work_order.direct_answer").exists()
    assert not ArticleUsage.objects.exists()


def test_an_answer_that_fails_records_no_use(flow, agent_actor, article, monkeypatch) -> None:
    from hongmian.knowledge.models import ArticleUsage

    def fail(*_args, **_kwargs):
        raise ApplicationError("合并工单处理失败")

    # The last write of the answer, after the article's use is recorded.
    monkeypatch.setattr(lifecycle_dispatch, "settle_merged", fail)
    order = flow.received()

    with pytest.raises(ApplicationError):
        work_order_direct_answer(
            actor=agent_actor, order=order, answer=article.body, article=article
        )

    order.refresh_from_db()
    assert order.status == Status.RECEIVED
    assert not ArticleUsage.objects.exists()


# --- the caller's own rating ----------------------------------------------------------------

VISITOR = Actor(user=None, via="web", client_address="10.0.0.7")


def test_the_caller_rates_with_the_phone_on_the_order(
    flow, sent, django_capture_on_commit_callbacks
) -> None:
    order = flow.replied()

    with django_capture_on_commit_callbacks(execute=True):
        order = work_order_caller_rate(
            actor=VISITOR,
            order=order,
            phone="+86 138 0013 8000",  # the same number, written another way
            satisfaction="satisfied",
            resolved=True,
            comment="很快就清运了",
        )

    assert (order.status, order.close_reason, order.satisfaction, order.resolved) == (
        Status.CLOSED,
        CloseReason.CALLBACK,
        "satisfied",
        True,
    )
    callback = order.callbacks.get()
    assert (callback.by, callback.reached, callback.review) == (None, True, "not_needed")
    assert callback.comment == f"{CALLER_RATING_NOTE}：很快就清运了"
    entry = order.timeline.get(kind="caller_rating")
    assert entry.visibility == Visibility.PUBLIC
    assert entry.text == "满意，问题已解决；工单办结"
    assert "很快就清运了" not in entry.text
    event = AuditEvent.objects.get(action="work_order.caller_rate")
    assert (event.actor_id, event.via, event.client_address) == (None, "web", "10.0.0.7")
    assert sent == []  # as for the centre's callback: nothing to tell the caller
    assert not SlaClock.objects.filter(order=order, stopped_at__isnull=True).exists()


def test_a_dissatisfied_caller_waits_for_a_supervisor(flow, citizen, supervisor_actor) -> None:
    order = work_order_caller_rate(
        actor=actor_of(citizen),
        order=flow.replied(),
        phone="13800138000",
        satisfaction="dissatisfied",
        resolved=False,
    )

    assert order.status == Status.CALLBACK_REVIEW
    callback = order.callbacks.get()
    assert (callback.by, callback.review, callback.comment) == (
        citizen,
        CallbackReview.PENDING,
        CALLER_RATING_NOTE,
    )
    order = work_order_callback_review(
        actor=supervisor_actor, order=order, reopen=False, reason="已按政策答复"
    )
    assert order.status == Status.CLOSED


@pytest.mark.parametrize("phone", ["13900000000", "", "not a phone", "020-12345678"])
def test_a_wrong_phone_looks_like_a_missing_order(flow, phone) -> None:
    order = flow.replied()

    with pytest.raises(NotFound) as missing:
        work_order_caller_rate(
            actor=VISITOR, order=order, phone=phone, satisfaction="satisfied", resolved=True
        )

    assert missing.value.code == "work_order.not_found"
    order.refresh_from_db()
    assert (order.status, order.version) == (Status.REPLIED, 4)
    assert not Callback.objects.exists()


def test_no_rating_before_the_reply_nor_after_closing(flow, agent_actor) -> None:
    for order in (
        flow.dispatched(),
        work_order_direct_answer(actor=agent_actor, order=flow.received(), answer="已答复"),
    ):
        with pytest.raises(IllegalTransition) as refused:
            work_order_caller_rate(
                actor=VISITOR,
                order=order.pk,
                phone="13800138000",
                satisfaction="satisfied",
                resolved=True,
            )
        assert refused.value.code == "work_order.illegal_transition"
    assert not Callback.objects.exists()


def test_a_reply_is_rated_once(flow, agent_actor) -> None:
    order = flow.replied()
    work_order_caller_rate(
        actor=VISITOR, order=order, phone="13800138000", satisfaction="basic", resolved=None
    )

    with pytest.raises(Conflict) as twice:
        work_order_caller_rate(
            actor=VISITOR,
            order=order,
            phone="13800138000",
            satisfaction="dissatisfied",
            resolved=False,
        )

    assert twice.value.code == "work_order.already_rated"
    order.refresh_from_db()
    assert (order.status, order.satisfaction) == (Status.CLOSED, "basic")
    assert order.callbacks.count() == 1
    # The centre's callback counts as the rating too.
    called = flow.replied()
    work_order_callback(
        actor=agent_actor, order=called, reached=True, satisfaction="dissatisfied", resolved=False
    )
    with pytest.raises(Conflict) as after_centre:
        work_order_caller_rate(
            actor=VISITOR,
            order=called,
            phone="13800138000",
            satisfaction="satisfied",
            resolved=True,
        )
    assert after_centre.value.code == "work_order.already_rated"


def test_the_new_reply_after_a_reopen_may_be_rated(flow, units, supervisor_actor) -> None:
    order = work_order_caller_rate(
        actor=VISITOR,
        order=flow.replied(units.shipai),
        phone="13800138000",
        satisfaction="dissatisfied",
        resolved=False,
    )
    order = work_order_callback_review(
        actor=supervisor_actor, order=order, reopen=True, reason="确未清运"
    )
    handler = actor_of(flow.handler(units.shipai))
    order = work_order_acknowledge(actor=handler, order=order)
    order = work_order_reply(actor=handler, order=order, reply="已彻底清运")

    order = work_order_caller_rate(
        actor=VISITOR, order=order, phone="13800138000", satisfaction="satisfied", resolved=True
    )

    assert order.status == Status.CLOSED
    assert order.callbacks.count() == 2


def test_a_rating_needs_a_satisfaction(flow) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        work_order_caller_rate(
            actor=VISITOR, order=flow.replied(), phone="13800138000", satisfaction="", resolved=None
        )
    assert invalid.value.code == "work_order.satisfaction"


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
