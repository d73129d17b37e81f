"""系统预警: the platform's alerts become orders already dispatched to the unit named, with
running clocks, one per source_ref; no account files one."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.alerts import work_order_raise_alert
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.states import Channel, Status
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test-alerts")


def test_an_alert_is_dispatched_at_once_and_raised_only_once() -> None:
    unit = OrgUnitFactory(name="广州地铁集团")
    order, created = work_order_raise_alert(
        actor=SYSTEM, unit=unit, subject="终端异常", body="连续无效码", source_ref="test:1"
    )
    assert created
    assert (order.channel, order.status, order.lead_unit) == (
        Channel.SYSTEM,
        Status.DISPATCHED,
        unit,
    )
    assert order.clock_due_at is not None
    again, created = work_order_raise_alert(
        actor=SYSTEM, unit=unit, subject="终端异常", body="连续无效码", source_ref="test:1"
    )
    assert (again.pk, created) == (order.pk, False)
    assert WorkOrder.objects.filter(channel=Channel.SYSTEM).count() == 1


def test_no_account_raises_an_alert_or_files_on_the_system_channel() -> None:
    unit = OrgUnitFactory()
    agent = UserFactory(role=Role.HOTLINE_AGENT)
    actor = Actor(user=agent, via="web")
    with pytest.raises(PermissionDenied):
        work_order_raise_alert(actor=actor, unit=unit, subject="x", body="y", source_ref="z")
    request = IntakeRequest(
        channel=Channel.SYSTEM, request_type="report", title="", content="假预警"
    )
    with pytest.raises(PermissionDenied) as refused:
        work_order_intake(actor=actor, request=request)
    assert refused.value.code == "work_order.intake_forbidden"
