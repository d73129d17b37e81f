"""The telephony demo: missed calls in the queue, SMS kept, gateways registered; twice is once."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory
from hongmian.telephony import demo
from hongmian.telephony.models import CallbackTask, Extension, Gateway, SmsMessage


@pytest.mark.django_db
def test_the_demo_seeds_once() -> None:
    OrgUnitFactory(code=demo.CENTRE_CODE, kind=UnitKind.HOTLINE_CENTRE)
    UserFactory(username="agent", role=Role.HOTLINE_AGENT)
    for _ in range(2):
        demo.seed(actor=Actor.system("seed_demo"), progress=lambda *a: None)
    assert Gateway.objects.count() == 2
    assert Extension.objects.get().user.username == "agent"
    assert CallbackTask.objects.filter(status="open").count() == demo.MISSED_CALLS
    assert sorted(SmsMessage.objects.values_list("outcome", flat=True)) == [
        "new_order",
        "new_order",
        "unknown_sender",
    ]
