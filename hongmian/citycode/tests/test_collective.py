"""集体码 (decision 0079): an organisation's administrator invites persons, each consents
(choosing what to share) or declines, and may leave; the administrator and a terminal's
scan of the signed collective QR see statuses only within each member's consent (and, for a
terminal, its scope); every transition is audited; lists are paged with true counts."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from hongmian.citycode.models import CollectiveCode, CollectiveMember
from hongmian.citycode.selectors import citycode_key_set
from hongmian.citycode.selectors_collective import member_counts, member_list, member_statuses
from hongmian.citycode.services import collective as svc
from hongmian.citycode.services.attributes import attribute_set
from hongmian.citycode.services.codes import citycode_issue
from hongmian.citycode.states import GROUP_TOKEN_TYPE, MemberStatus
from hongmian.citycode.tests.conftest import SYSTEM, World, actor_of
from hongmian.citycode.verification import citycode_verify
from hongmian.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.models import AuditEvent
from hongmian.identity.models import Person, User
from hongmian.identity.services.api_keys import api_key_create
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import EnterpriseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class Org:
    rep: User
    code: CollectiveCode
    other: User
    other_person: Person


@pytest.fixture
def org(world: World) -> Org:
    rep = UserFactory(role=Role.ENTERPRISE_REP, username="rep-1")
    enterprise = EnterpriseFactory(representatives=[rep])
    code = svc.collective_create(
        actor=actor_of(rep),
        name="测试物流公司员工码",
        type_codes=["elder_care"],
        enterprise=enterprise,
    )
    other = UserFactory(role=Role.CITIZEN, username="lisi")
    return Org(rep=rep, code=code, other=other, other_person=PersonFactory(user=other, name="李四"))


def _invite(org: Org, person: Person) -> CollectiveMember:
    return svc.member_invite(
        actor=actor_of(org.rep),
        collective=org.code,
        resident_id=person.resident_id,
        name=person.name,
    )


def test_only_the_administrator_makes_and_invites_and_no_oracle(world: World, org: Org) -> None:
    stranger = UserFactory(role=Role.ENTERPRISE_REP)
    with pytest.raises(PermissionDenied):
        svc.collective_create(
            actor=actor_of(stranger),
            name="x",
            type_codes=[],
            enterprise=org.code.enterprise,
        )
    with pytest.raises(Conflict):  # one code per organisation
        svc.collective_create(
            actor=actor_of(org.rep), name="又一个", type_codes=[], enterprise=org.code.enterprise
        )
    with pytest.raises(NotFound):  # not its administrator: as if missing
        svc.member_invite(
            actor=actor_of(stranger),
            collective=org.code,
            resident_id=world.person.resident_id,
            name="张三",
        )
    with pytest.raises(NotFound) as wrong:  # the number and the name must agree
        svc.member_invite(
            actor=actor_of(org.rep),
            collective=org.code,
            resident_id=world.person.resident_id,
            name="王五",
        )
    assert wrong.value.code == "collective.person_not_found"
    _invite(org, world.person)
    with pytest.raises(Conflict):
        _invite(org, world.person)
    # A unit's manager administers the unit's code.
    manager = UserFactory(role=Role.DEPT_MANAGER, org_unit=world.health)
    with pytest.raises(ValidationFailed):
        svc.collective_create(
            actor=actor_of(manager), name="x", type_codes=["nope"], org_unit=world.health
        )
    unit_code = svc.collective_create(
        actor=actor_of(manager), name="卫健委集体码", type_codes=[], org_unit=world.health
    )
    assert unit_code.org_unit == world.health


def test_members_consent_decline_and_leave_each_audited(world: World, org: Org) -> None:
    mine = _invite(org, world.person)
    theirs = _invite(org, org.other_person)
    with pytest.raises(NotFound):  # someone else's invitation
        svc.member_accept(actor=actor_of(org.other), member_id=mine.pk, type_codes=[])
    with pytest.raises(ValidationFailed):  # a type the code does not ask for
        svc.member_accept(actor=actor_of(world.citizen), member_id=mine.pk, type_codes=["x"])
    svc.member_accept(actor=actor_of(world.citizen), member_id=mine.pk, type_codes=["elder_care"])
    svc.member_decline(actor=actor_of(org.other), member_id=theirs.pk)
    with pytest.raises(IllegalTransition):
        svc.member_leave(actor=actor_of(org.other), member_id=theirs.pk)
    assert member_counts(org.code) == {"invited": 0, "active": 1, "declined": 1, "left": 0}
    svc.member_leave(actor=actor_of(world.citizen), member_id=mine.pk)
    mine.refresh_from_db()
    assert (mine.status, mine.shared_types.count()) == (MemberStatus.LEFT, 0)
    actions = list(
        AuditEvent.objects.filter(action__startswith="collective.member_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "collective.member_invite",
        "collective.member_invite",
        "collective.member_active",
        "collective.member_declined",
        "collective.member_left",
    ]
    # After leaving, a new invitation is a new row; the history stays.
    again = _invite(org, world.person)
    assert again.pk != mine.pk


def test_statuses_only_within_consent_for_the_admin_and_a_terminal(
    world: World, org: Org, client: Client
) -> None:
    attribute_set(
        actor=actor_of(world.health_clerk), person=world.person, type_code="elder_care", value="是"
    )
    attribute_set(
        actor=actor_of(world.health_clerk),
        person=org.other_person,
        type_code="elder_care",
        value="是",
    )
    mine, theirs = _invite(org, world.person), _invite(org, org.other_person)
    svc.member_accept(actor=actor_of(world.citizen), member_id=mine.pk, type_codes=["elder_care"])
    svc.member_accept(actor=actor_of(org.other), member_id=theirs.pk, type_codes=[])
    rows = {r.member_id: r for r in member_statuses(org.code, list(member_list(org.code)))}
    assert (rows[mine.pk].valid, rows[mine.pk].attributes) == (True, {"elder_care": "是"})
    # 李四 has the status too, but did not consent to share it: not shown, not valid.
    assert (rows[theirs.pk].valid, rows[theirs.pk].attributes) == (False, {})
    # The signed collective QR: its own type — never read as a person's code.
    issued = svc.collective_issue(actor=actor_of(org.rep), collective=org.code)
    keys = citycode_key_set()
    assert citycode_verify(issued.payload, keys, issued.issued_at).reason == "malformed"
    assert citycode_verify(issued.payload, keys, issued.issued_at, GROUP_TOKEN_TYPE).valid
    with pytest.raises(NotFound):
        svc.collective_issue(actor=actor_of(org.other), collective=org.code)

    def scan(terminal_user: User, payload: str) -> dict[str, object]:
        _row, key = api_key_create(actor=SYSTEM, user=terminal_user, name="k")
        response = client.post(
            "/api/citycode/scans",
            data=json.dumps({"payload": payload}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 200, response.content
        body: dict[str, object] = response.json()
        return body

    hall = scan(world.hall.account, issued.payload)
    assert (hall["valid"], hall["name"], hall["checkin"]) == (True, None, None)
    group = hall["collective"]
    assert isinstance(group, dict)
    assert (group["total"], group["valid"], group["invalid"]) == (2, 1, 1)
    by_id = {m["member_id"]: m for m in group["members"]}
    assert by_id[mine.pk] == {
        "member_id": mine.pk,
        "name": "张三",
        "valid": True,
        "attributes": {"elder_care": "是"},
    }
    assert by_id[theirs.pk]["attributes"] == {}
    # A gate's scope is valid/invalid only: counts, no names, no values.
    gate = scan(
        world.gate.account,
        svc.collective_issue(actor=actor_of(org.rep), collective=org.code).payload,
    )
    members = gate["collective"]["members"]  # type: ignore[index]
    assert gate["collective"]["valid"] == 1  # type: ignore[index]
    assert all(m["name"] is None and m["attributes"] == {} for m in members)
    assert AuditEvent.objects.filter(action="collective.resolve").count() == 2
    # A person's code is still a person's code at the same endpoint.
    person = scan(world.hall.account, citycode_issue(holder=world.holder).payload)
    assert (person["name"], person["collective"]) == ("张三", None)


def test_the_pages_admin_members_and_the_persons_answers(
    world: World, org: Org, client: Client
) -> None:
    member = _invite(org, world.person)
    client.force_login(world.citizen)
    page = client.get("/me/citycode/")
    assert "测试物流公司员工码" in page.content.decode()
    assert "同意加入" in page.content.decode()
    client.force_login(org.other)  # not theirs
    assert client.post(f"/me/citycode/collective/{member.pk}/accept").status_code == 404
    client.force_login(world.citizen)
    answered = client.post(
        f"/me/citycode/collective/{member.pk}/accept", {f"m{member.pk}-types": ["elder_care"]}
    )
    assert answered.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    assert list(member.shared_types.values_list("code", flat=True)) == ["elder_care"]
    client.force_login(org.rep)
    admin = client.get(f"/citycode/collectives/{org.code.pk}/")
    body = admin.content.decode()
    assert admin.status_code == 200
    assert "张三" in body
    assert "cc-qr" in body
    assert "已加入 1" in body
    assert world.person.resident_id not in body  # masked
    invited = client.post(
        f"/citycode/collectives/{org.code.pk}/invite",
        {"resident_id": org.other_person.resident_id, "name": "李四"},
    )
    assert invited.status_code == 302
    assert member_counts(org.code)["invited"] == 1
    # The same through the API: paged, the true count per status, values within consent.
    api = client.get(f"/api/citycode/collectives/{org.code.pk}/members?status=active")
    assert api.status_code == 200
    listed = api.json()
    assert (listed["total"], listed["counts"]["active"], listed["counts"]["invited"]) == (1, 1, 1)
    assert listed["items"][0]["name"] == "张三"
    assert listed["items"][0]["masked_id"] != world.person.resident_id
    bad = client.get(f"/api/citycode/collectives/{org.code.pk}/members?status=gone")
    assert (bad.status_code, bad.json()["code"]) == (422, "collective.status")
    assert client.get("/api/citycode/collectives").json()["total"] == 1
    client.force_login(UserFactory(role=Role.ENTERPRISE_REP))
    assert client.get(f"/citycode/collectives/{org.code.pk}/").status_code == 404
    assert client.get(f"/api/citycode/collectives/{org.code.pk}/members").status_code == 404
