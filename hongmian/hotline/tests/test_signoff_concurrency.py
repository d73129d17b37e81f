"""Sign-off races on PostgreSQL: managers deciding at once, a withdrawal racing an approval,
handlers submitting at once. Exactly one wins each time; the others hear 409."""

from __future__ import annotations

import pytest

from hongmian.core.errors import ApplicationError
from hongmian.hotline.models import SignOffRequest
from hongmian.hotline.services.signoff import (
    sign_off_approve,
    sign_off_policy_set,
    sign_off_send_back,
    sign_off_submit,
    sign_off_withdraw,
)
from hongmian.hotline.states import SignOffStatus, Status
from hongmian.hotline.tests.factories import actor_of
from hongmian.hotline.tests.test_concurrency import THREADS, race
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting(flow, units):
    """An order whose reply waits for the street's managers (two of them)."""
    managers = [UserFactory(role=Role.DEPT_MANAGER, org_unit=units.shipai) for _ in range(2)]
    sign_off_policy_set(
        actor=actor_of(managers[0]),
        unit=units.shipai,
        require_reply=True,
        require_return=True,
        require_extension=True,
    )
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    return order, handler, managers


def test_two_managers_deciding_at_once_one_wins(waiting) -> None:
    order, _handler, managers = waiting

    def decide(i: int) -> object:
        actor = actor_of(managers[i % 2])
        if i % 2:
            return sign_off_send_back(actor=actor, order=order.pk, comment=f"退回 {i}")
        return sign_off_approve(actor=actor, order=order.pk)

    results, errors = race(decide)
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, ApplicationError) and e.status_code == 409 for e in errors)
    row = SignOffRequest.objects.get(order=order)
    assert row.status in (SignOffStatus.APPROVED, SignOffStatus.SENT_BACK)
    order.refresh_from_db()
    replied = order.timeline.filter(kind="replied").count()
    assert replied == (1 if row.status == SignOffStatus.APPROVED else 0)
    assert order.status == (Status.REPLIED if replied else Status.ACKNOWLEDGED)
    decided = order.timeline.filter(kind__in=["sign_off_approved", "sign_off_sent_back"])
    assert decided.count() == 1


def test_withdraw_racing_approve_one_wins(waiting) -> None:
    order, handler, managers = waiting

    def act(i: int) -> object:
        if i % 2:
            return sign_off_withdraw(actor=handler, order=order.pk)
        return sign_off_approve(actor=actor_of(managers[0]), order=order.pk)

    results, errors = race(act, n=2)
    assert len(results) == 1
    assert len(errors) == 1
    assert errors[0].status_code == 409  # type: ignore[attr-defined]
    row = SignOffRequest.objects.get(order=order)
    order.refresh_from_db()
    if row.status == SignOffStatus.APPROVED:
        assert order.status == Status.REPLIED
    else:
        assert row.status == SignOffStatus.WITHDRAWN
        assert order.status == Status.ACKNOWLEDGED


def test_handlers_submitting_at_once_leave_one_waiting(flow, units) -> None:
    manager = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.shipai)
    sign_off_policy_set(
        actor=actor_of(manager),
        unit=units.shipai,
        require_reply=True,
        require_return=False,
        require_extension=False,
    )
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    results, errors = race(
        lambda i: sign_off_submit(
            actor=handler, order=order.pk, act="reply", payload={"reply": f"答复 {i}"}
        )
    )
    assert len(results) == 1
    assert {e.code for e in errors} == {"sign_off.pending"}  # type: ignore[attr-defined]
    assert SignOffRequest.objects.filter(status=SignOffStatus.PENDING).count() == 1
