"""本单位负责人审批 (services/signoff.py): each act with and without a policy, approval, sending
back, revising, withdrawing, illegal moves, the clocks, the audit and the timeline."""

from __future__ import annotations

import functools
from decimal import Decimal

import pytest

from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import (
    Attachment,
    ExtensionRequest,
    ReturnRequest,
    SignOffRequest,
    SlaClock,
)
from hongmian.hotline.selectors import sign_off_current, sign_offs_pending_for
from hongmian.hotline.services.attachments import work_order_act_with_attachments
from hongmian.hotline.services.lifecycle_dispatch import work_order_dispatch
from hongmian.hotline.services.signoff import (
    sign_off_approve,
    sign_off_policy_get,
    sign_off_policy_set,
    sign_off_send_back,
    sign_off_submit,
    sign_off_withdraw,
)
from hongmian.hotline.states import ClockKind, SignOffAct, SignOffStatus, Status, Visibility
from hongmian.hotline.tests.attachment_files import photo
from hongmian.hotline.tests.factories import actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RETURN = {
    "reason": "not_our_duty",
    "legal_basis": "《广州市供水用水条例》第五条",
    "explanation": "供水管网属市水务局管理。",
    "suggested_unit": None,
}
EVERY_ACT = {"require_reply": True, "require_return": True, "require_extension": True}


@pytest.fixture
def manager(units):
    return UserFactory(role=Role.DEPT_MANAGER, org_unit=units.shipai)


@pytest.fixture
def policy(units, manager):
    return sign_off_policy_set(actor=actor_of(manager), unit=units.shipai, **EVERY_ACT)


def clocks(order) -> dict[str, tuple[object, object]]:
    return {
        c.kind: (c.due_at, c.stopped_at)
        for c in SlaClock.objects.filter(order=order, stopped_at__isnull=True)
    }


# --- without a policy: the act happens at once ----------------------------------------------


@pytest.mark.parametrize("act", list(SignOffAct.values))
def test_without_policy_the_act_happens_now(flow, units, act) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    payload = {
        SignOffAct.REPLY: {"reply": "已清运。"},
        SignOffAct.RETURN: RETURN,
        SignOffAct.EXTENSION: {"reason": "需勘查", "amount": "3"},
    }[act]
    done = sign_off_submit(actor=handler, order=order, act=act, payload=payload)
    assert not done.waiting
    assert done.result is not None
    assert not SignOffRequest.objects.exists()
    order.refresh_from_db()
    expected = {
        SignOffAct.REPLY: Status.REPLIED,
        SignOffAct.RETURN: Status.RETURN_REQUESTED,
        SignOffAct.EXTENSION: Status.ACKNOWLEDGED,
    }[act]
    assert order.status == expected
    if act == SignOffAct.EXTENSION:
        assert isinstance(done.result, ExtensionRequest)


def test_a_policy_box_left_empty_does_not_hold_that_act(flow, units, manager) -> None:
    sign_off_policy_set(
        actor=actor_of(manager),
        unit=units.shipai,
        require_reply=False,
        require_return=True,
        require_extension=False,
    )
    order = flow.acknowledged(units.shipai)
    done = sign_off_submit(
        actor=actor_of(flow.handler(units.shipai)),
        order=order,
        act="reply",
        payload={"reply": "已处理"},
    )
    assert not done.waiting


# --- with a policy: it waits for the manager -------------------------------------------------


def test_reply_waits_then_approval_replies_with_clocks_untouched(
    flow, units, manager, policy
) -> None:
    order = flow.acknowledged(units.shipai)
    before = clocks(order)
    handler = actor_of(flow.handler(units.shipai))
    done = sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": " 已清运。 "})
    assert done.waiting
    row = done.sign_off
    assert row.status == SignOffStatus.PENDING
    assert row.payload == {"reply": "已清运。"}
    order.refresh_from_db()
    assert order.status == Status.ACKNOWLEDGED
    assert order.reply == ""
    # Nothing pauses and nothing stops while the manager has it.
    assert clocks(order) == before
    assert list(sign_offs_pending_for(manager)) == [row]
    assert sign_off_current(order) == row

    sign_off_approve(actor=actor_of(manager), order=order, comment="同意")
    order.refresh_from_db()
    row.refresh_from_db()
    assert row.status == SignOffStatus.APPROVED
    assert row.decided_by == manager
    assert order.status == Status.REPLIED
    assert order.reply == "已清运。"
    assert not SlaClock.objects.filter(
        order=order, kind=ClockKind.RESOLUTION, stopped_at__isnull=True
    ).exists()
    kinds = list(order.timeline.order_by("created_at", "pk").values_list("kind", "visibility"))
    assert kinds[-3:] == [
        ("sign_off_requested", Visibility.STAFF),
        ("sign_off_approved", Visibility.STAFF),
        ("replied", Visibility.PUBLIC),
    ]
    actions = set(
        AuditEvent.objects.filter(target_id=str(order.pk)).values_list("action", flat=True)
    )
    assert {"sign_off.request", "sign_off.approve", "work_order.reply"} <= actions
    assert not sign_offs_pending_for(manager).exists()


def test_return_waits_then_goes_to_the_centre(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    done = sign_off_submit(actor=handler, order=order, act="return", payload=RETURN)
    assert done.waiting
    assert not ReturnRequest.objects.exists()
    order.refresh_from_db()
    assert order.return_count == 0
    sign_off_approve(actor=actor_of(manager), order=order)
    order.refresh_from_db()
    assert order.status == Status.RETURN_REQUESTED
    assert order.return_count == 1
    assert ReturnRequest.objects.get(order=order).explanation == RETURN["explanation"]


def test_extension_waits_then_goes_to_the_centre(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    before = clocks(order)
    done = sign_off_submit(
        actor=handler, order=order, act="extension", payload={"reason": "需勘查", "amount": 3}
    )
    assert done.waiting
    assert not ExtensionRequest.objects.exists()
    sign_off_approve(actor=actor_of(manager), order=order)
    extension = ExtensionRequest.objects.get(order=order)
    assert extension.amount == Decimal(3)
    assert extension.requested_by == manager
    # The centre has not decided yet: the deadline stays where it was.
    assert clocks(order) == before


def test_send_back_then_revise_then_approve(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler_user = flow.handler(units.shipai)
    handler = actor_of(handler_user)
    first = sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    with pytest.raises(ValidationFailed):
        sign_off_send_back(actor=actor_of(manager), order=order, comment=" ")
    sign_off_send_back(actor=actor_of(manager), order=order, comment="请写明清运时间")
    first.sign_off.refresh_from_db()
    assert first.sign_off.status == SignOffStatus.SENT_BACK
    assert first.sign_off.comment == "请写明清运时间"
    # The handler sees what came back.
    assert sign_off_current(order) == first.sign_off
    entry = order.timeline.get(kind="sign_off_sent_back")
    assert "请写明清运时间" in entry.text
    assert entry.visibility == Visibility.STAFF
    order.refresh_from_db()
    assert order.status == Status.ACKNOWLEDGED

    second = sign_off_submit(
        actor=handler, order=order, act="reply", payload={"reply": "已于3月2日清运完毕"}
    )
    assert second.sign_off.revision_of == first.sign_off
    sign_off_approve(actor=actor_of(manager), order=order)
    order.refresh_from_db()
    assert order.status == Status.REPLIED
    assert order.reply == "已于3月2日清运完毕"


def test_one_request_waits_at_a_time(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    for act, payload in (("reply", {"reply": "再答"}), ("return", RETURN)):
        with pytest.raises(Conflict) as caught:
            sign_off_submit(actor=handler, order=order, act=act, payload=payload)
        assert caught.value.code == "sign_off.pending"
    # Not even the manager acts past a waiting request: they decide it instead.
    with pytest.raises(Conflict):
        sign_off_submit(
            actor=actor_of(manager), order=order, act="reply", payload={"reply": "直接答复"}
        )


def test_the_manager_acts_directly(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    done = sign_off_submit(
        actor=actor_of(manager), order=order, act="reply", payload={"reply": "已处理"}
    )
    assert not done.waiting
    order.refresh_from_db()
    assert order.status == Status.REPLIED


def test_what_the_act_would_refuse_is_refused_at_submission(flow, units, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    with pytest.raises(ValidationFailed) as caught:
        sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "  "})
    assert caught.value.code == "work_order.reply"
    with pytest.raises(ValidationFailed):
        sign_off_submit(
            actor=handler, order=order, act="extension", payload={"reason": "x", "amount": "-1"}
        )
    with pytest.raises(ValidationFailed):
        sign_off_submit(actor=handler, order=order, act="close", payload={})
    # The rehearsal left nothing behind.
    assert not SignOffRequest.objects.exists()
    assert not ExtensionRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="work_order.reply").exists()


def test_a_dispatched_order_cannot_be_replied_even_for_sign_off(flow, units, policy) -> None:
    order = flow.dispatched(units.shipai)
    from hongmian.core.errors import IllegalTransition

    with pytest.raises(IllegalTransition):
        sign_off_submit(
            actor=actor_of(flow.handler(units.shipai)),
            order=order,
            act="reply",
            payload={"reply": "已处理"},
        )


# --- illegal moves --------------------------------------------------------------------------


def test_decided_requests_do_not_move_again(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    row = sign_off_submit(
        actor=handler, order=order, act="extension", payload=dict(reason="需勘查", amount="2")
    ).sign_off
    sign_off_send_back(actor=actor_of(manager), order=order, comment="理由不充分")
    for call in (
        lambda: sign_off_approve(actor=actor_of(manager), order=order, sign_off=row),
        lambda: sign_off_send_back(
            actor=actor_of(manager), order=order, sign_off=row, comment="再"
        ),
        lambda: sign_off_withdraw(actor=handler, order=order, sign_off=row),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.code == "sign_off.illegal_transition"
        assert caught.value.status_code == 409
    with pytest.raises(Conflict) as caught:
        sign_off_approve(actor=actor_of(manager), order=order)
    assert caught.value.code == "sign_off.none_pending"


def test_withdraw_is_the_requesters(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    colleague = actor_of(UserFactory(role=Role.DEPT_HANDLER, org_unit=units.shipai))
    sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    with pytest.raises(PermissionDenied):
        sign_off_withdraw(actor=colleague, order=order)
    row = sign_off_withdraw(actor=handler, order=order)
    assert row.status == SignOffStatus.WITHDRAWN
    assert order.timeline.filter(kind="sign_off_withdrawn").exists()
    # Free to act again.
    assert sign_off_submit(
        actor=handler, order=order, act="reply", payload={"reply": "已处理"}
    ).waiting


def test_stale_version_is_refused(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    with pytest.raises(Conflict) as caught:
        sign_off_approve(actor=actor_of(manager), order=order, expected_version=order.version)
    assert caught.value.code == "work_order.stale"


def test_a_refused_act_at_approval_leaves_the_request_waiting(
    flow, units, manager, policy, agent_actor
) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    sign_off_submit(
        actor=handler, order=order, act="extension", payload={"reason": "x", "amount": 1}
    )
    # The resolution deadline passes while the manager has it: the act is refused then.
    SlaClock.objects.filter(order=order, kind=ClockKind.RESOLUTION).update(due_at=order.created_at)
    with pytest.raises(Conflict) as caught:
        sign_off_approve(actor=actor_of(manager), order=order)
    assert caught.value.code == "work_order.extension_too_late"
    assert SignOffRequest.objects.get(order=order).status == SignOffStatus.PENDING
    assert not order.timeline.filter(kind="sign_off_approved").exists()


def test_redispatch_retires_the_waiting_request(flow, units, manager, policy, agent_actor) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    order = work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.liede)
    assert not sign_offs_pending_for(manager).exists()
    # The order is no longer the street's: its manager has nothing to decide on it.
    with pytest.raises(PermissionDenied):
        sign_off_approve(actor=actor_of(manager), order=order)
    # The new unit may ask: the orphan is withdrawn first.
    liede = actor_of(flow.handler(units.liede))
    from hongmian.hotline.services.lifecycle_dispatch import work_order_acknowledge

    work_order_acknowledge(actor=liede, order=order)
    assert not sign_off_submit(
        actor=liede, order=order, act="reply", payload={"reply": "已处理"}
    ).waiting
    assert SignOffRequest.objects.get().status == SignOffStatus.WITHDRAWN


# --- who ------------------------------------------------------------------------------------


def test_a_handler_cannot_approve(flow, units, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    with pytest.raises(PermissionDenied):
        sign_off_approve(actor=handler, order=order)
    with pytest.raises(PermissionDenied):
        sign_off_send_back(actor=handler, order=order, comment="自己退回")


def test_a_manager_of_another_unit_cannot_approve(flow, units, policy) -> None:
    order = flow.acknowledged(units.shipai)
    sign_off_submit(
        actor=actor_of(flow.handler(units.shipai)),
        order=order,
        act="reply",
        payload={"reply": "已处理"},
    )
    yuexiu = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.yuexiu)
    with pytest.raises(NotFound):
        sign_off_approve(actor=actor_of(yuexiu), order=order)
    assert not sign_offs_pending_for(yuexiu).exists()
    # A sibling street's manager neither.
    liede = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.liede)
    with pytest.raises(NotFound):
        sign_off_approve(actor=actor_of(liede), order=order)


def test_the_district_manager_decides_for_its_streets(flow, units, policy) -> None:
    order = flow.acknowledged(units.shipai)
    sign_off_submit(
        actor=actor_of(flow.handler(units.shipai)),
        order=order,
        act="reply",
        payload={"reply": "已处理"},
    )
    district = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.tianhe)
    assert sign_offs_pending_for(district).count() == 1
    sign_off_approve(actor=actor_of(district), order=order)
    order.refresh_from_db()
    assert order.status == Status.REPLIED


def test_policy_is_set_by_the_units_own_manager(units, manager) -> None:
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=units.shipai)
    district = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.tianhe)
    for who in (handler, district):
        with pytest.raises(PermissionDenied):
            sign_off_policy_set(actor=actor_of(who), unit=units.shipai, **EVERY_ACT)
    assert not sign_off_policy_get(units.shipai).require_reply
    sign_off_policy_set(actor=actor_of(manager), unit=units.shipai, **EVERY_ACT)
    assert sign_off_policy_get(units.shipai).require_reply
    event = AuditEvent.objects.get(action="sign_off.policy_set")
    assert event.after == EVERY_ACT


def test_a_request_left_behind_by_a_redispatch_is_not_approved(
    flow, units, policy, agent_actor
) -> None:
    order = flow.acknowledged(units.shipai)
    sign_off_submit(
        actor=actor_of(flow.handler(units.shipai)),
        order=order,
        act="reply",
        payload={"reply": "已处理"},
    )
    order = work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.liede)
    # The district's manager still acts for the order (now with 猎德), but not on this one.
    district = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.tianhe)
    assert not sign_offs_pending_for(district).exists()
    with pytest.raises(Conflict) as caught:
        sign_off_approve(actor=actor_of(district), order=order)
    assert caught.value.code == "sign_off.assignment_withdrawn"


def test_a_units_acknowledge_does_not_settle_its_own_return(flow, units) -> None:
    from hongmian.core.errors import IllegalTransition
    from hongmian.hotline.services.lifecycle_dispatch import (
        work_order_acknowledge,
        work_order_return_request,
    )

    order = flow.dispatched(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    order = work_order_return_request(actor=handler, order=order, **RETURN)
    with pytest.raises(IllegalTransition):
        work_order_acknowledge(actor=handler, order=order)
    order.refresh_from_db()
    assert order.status == Status.RETURN_REQUESTED


def test_files_of_a_held_reply_become_the_replys_evidence(flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    done = work_order_act_with_attachments(
        actor=handler,
        act=functools.partial(sign_off_submit, act=SignOffAct.REPLY),
        entry_kinds=("replied", "sign_off_requested"),
        uploads=[photo("清理后.jpg")],
        order=order,
        payload={"reply": "已清理完毕。"},
    )
    assert done.waiting
    held = Attachment.objects.get()
    # While the manager has it, only staff see the photo (on the request's entry).
    assert (held.entry.kind, held.visibility) == ("sign_off_requested", Visibility.STAFF)

    sign_off_approve(actor=actor_of(manager), order=order)
    held.refresh_from_db()
    # Approved, it is the reply's evidence: the caller sees it with the reply.
    assert (held.entry.kind, held.visibility) == ("replied", Visibility.PUBLIC)
