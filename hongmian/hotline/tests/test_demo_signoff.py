"""The demo's sign-off (demo/signoff.py): the demo manager's unit requires sign-off, and its
open orders wait for the manager, asked through the service as the unit's demo handler."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.hotline.demo.signoff import WAITING_PER_UNIT, seed_sign_offs
from hongmian.hotline.models import SignOffRequest, UnitSignOffPolicy
from hongmian.hotline.selectors import sign_offs_pending_for
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.services.lifecycle_dispatch import work_order_acknowledge, work_order_dispatch
from hongmian.hotline.states import SignOffStatus
from hongmian.identity import demo as identity_demo
from hongmian.identity.models import OrgUnit, User

pytestmark = pytest.mark.django_db


def _quiet(*_: object) -> None:
    pass


def test_the_demo_manager_has_approvals_waiting() -> None:
    system = Actor.system("test")
    units = identity_demo.seed_org_units(actor=system, progress=_quiet)
    identity_demo.seed_users(actor=system, progress=_quiet, units=units)
    manager = User.objects.get(username="manager_tianhe")
    handler = Actor(user=User.objects.get(username="handler_tianhe"), via="web")
    tianhe = OrgUnit.objects.get(code="gz-440106")
    for i in range(WAITING_PER_UNIT + 2):
        order, _ = work_order_intake(
            actor=system,
            request=IntakeRequest(
                channel="phone",
                request_type="complaint",
                title=f"天河路段路灯不亮{i}",
                content="夜间路灯不亮，影响通行。",
            ),
        )
        order = work_order_dispatch(actor=system, order=order, lead_unit=tianhe)
        work_order_acknowledge(actor=handler, order=order)

    assert seed_sign_offs(actor=Actor.system("seed_demo")) == WAITING_PER_UNIT

    policy = UnitSignOffPolicy.objects.get(unit=tianhe)
    assert (policy.require_reply, policy.require_return, policy.require_extension) == (
        True,
        True,
        True,
    )
    waiting = sign_offs_pending_for(manager)
    assert waiting.count() == WAITING_PER_UNIT
    assert {row.requested_by.username for row in waiting} == {"handler_tianhe"}
    assert {row.act for row in waiting} >= {"reply", "extension"}
    assert SignOffRequest.objects.exclude(status=SignOffStatus.PENDING).count() == 0
