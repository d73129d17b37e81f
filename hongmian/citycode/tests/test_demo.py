"""The demo seed: codes for the demo persons, the terminals, the attribute types and the
demo citizen's care flag, which the city hall's terminal then sees; a second run adds
nothing."""

from __future__ import annotations

import pytest

from hongmian.citycode import demo
from hongmian.citycode.models import Attribute, CodeHolder, CollectiveMember, Terminal
from hongmian.citycode.services.codes import citycode_issue
from hongmian.citycode.services.scans import scan_resolve
from hongmian.core.actors import Actor
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_seed_gives_codes_terminals_and_attributes_once() -> None:
    for code in ("hall-gz", "gz-transport", "gz-health"):
        OrgUnitFactory(code=code)
    civil = OrgUnitFactory(code="gz-civil")
    UserFactory(username="handler_civil", role=Role.DEPT_HANDLER, org_unit=civil)
    citizen = PersonFactory(user=UserFactory(username="citizen"), name="陈小棉")
    PersonFactory(user=UserFactory(username="resident-2"), name="李四")
    rep = UserFactory(username="enterprise", role=Role.ENTERPRISE_REP)
    EnterpriseFactory(representatives=[rep])
    actor = Actor.system("seed_demo")
    demo.seed(actor=actor, progress=lambda *_: None)
    assert Terminal.objects.count() == 3
    assert Attribute.objects.get().holder.person == citizen
    hall = Terminal.objects.get(code="hall-gz-checkin")
    payload = citycode_issue(holder=CodeHolder.objects.get(person=citizen)).payload
    answer = scan_resolve(actor=Actor(user=hall.account, via="api"), payload=payload)
    assert (answer.name, [a.value for a in answer.attributes]) == ("陈小棉", ["是"])
    # 集体码: the demo enterprise's code with two members who consented.
    members = CollectiveMember.objects.filter(collective__enterprise__representatives=rep)
    assert sorted(members.values_list("status", "person__name")) == [
        ("active", "李四"),
        ("active", "陈小棉"),
    ]
    counts = (CodeHolder.objects.count(), Terminal.objects.count(), Attribute.objects.count())
    demo.seed(actor=actor, progress=lambda *_: None)
    assert (CodeHolder.objects.count(), Terminal.objects.count(), Attribute.objects.count()) == (
        counts
    )
    assert CollectiveMember.objects.count() == 2
