from __future__ import annotations

import datetime as dt

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity import fakes, services
from hongmian.identity.models import Enterprise, Person
from hongmian.identity.states import Role
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.factories import EnterpriseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

RID = fakes.resident_id("440106", dt.date(1990, 1, 1), 123)
CODE = fakes.credit_code("440106", "MA5ABCDE1")


def _person(actor: Actor, **kw: object) -> Person:
    values: dict[str, object] = {"name": "陈大文", "resident_id": RID, "mobile": "13812345678"}
    values.update(kw)
    return services.person_create(actor=actor, **values)  # type: ignore[arg-type]


def test_person_create_normalises_and_audits_masked(system: Actor) -> None:
    person = _person(system, resident_id=RID.lower() + " ", address="广州市天河区石牌街道华师路1号")
    assert person.resident_id == RID
    event = AuditEvent.objects.get(action="person.create")
    assert event.after["resident_id"] == RID[:4] + "*" * 10 + RID[-4:]
    assert event.after["mobile"] == "138****5678"
    assert event.after["address"] == "广州市天河区石牌街道****"
    assert RID not in str(event.after)
    assert "13812345678" not in str(event.after)


@pytest.mark.parametrize(
    ("resident_id", "code"),
    [
        ("12345", "resident_id.format"),
        (RID[:17] + ("0" if RID[17] != "0" else "1"), "resident_id.checksum"),
        ("990106199001011230", "resident_id.region"),
        ("440106199002301234", "resident_id.birthdate"),
    ],
)
def test_person_create_refuses_bad_ids(system: Actor, resident_id: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _person(system, resident_id=resident_id)
    assert exc.value.code == code
    assert "resident_id" in exc.value.fields


def test_person_create_refuses_duplicates_and_taken_accounts(system: Actor) -> None:
    owner = UserFactory()
    _person(system, user=owner)
    with pytest.raises(Conflict) as exc:
        _person(system)
    assert exc.value.code == "person.duplicate"
    with pytest.raises(Conflict) as taken:
        _person(system, resident_id=fakes.resident_id("440104", dt.date(1980, 5, 5), 7), user=owner)
    assert taken.value.code == "person.user_taken"


def test_person_create_checks_mobile_and_name(system: Actor) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _person(system, mobile="0201234567")
    assert exc.value.code == "mobile.format"
    with pytest.raises(ValidationFailed) as blank:
        _person(system, name="  ")
    assert blank.value.code == "name.required"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.HOTLINE_AGENT, True),
        (Role.HALL_STAFF, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.DEPT_HANDLER, False),
        (Role.CITY_LEADER, False),
        (Role.CITIZEN, False),
    ],
)
def test_who_may_register_persons(role: Role, allowed: bool) -> None:
    actor = actor_of(UserFactory(role=role))
    if allowed:
        assert _person(actor).pk
    else:
        with pytest.raises(PermissionDenied):
            _person(actor)


def test_anonymous_requests_write_nothing() -> None:
    with pytest.raises(NotAuthenticated):
        _person(Actor(user=None, via="api"))


def test_person_update_by_staff(system: Actor) -> None:
    person = PersonFactory()
    agent = UserFactory(role=Role.HOTLINE_AGENT)
    services.person_update(actor=actor_of(agent), person=person, mobile="13600001111", name="新名")
    person.refresh_from_db()
    assert (person.mobile, person.name) == ("13600001111", "新名")
    event = AuditEvent.objects.get(action="person.update")
    assert event.after == {"name": "新*", "mobile": "136****1111"}
    services.person_update(actor=actor_of(agent), person=person, mobile="13600001111")
    assert AuditEvent.objects.filter(action="person.update").count() == 1


def test_person_updates_own_contact_only() -> None:
    owner = UserFactory()
    person = PersonFactory(user=owner)
    services.person_update(actor=actor_of(owner), person=person, address="广州市越秀区北京街道")
    with pytest.raises(PermissionDenied) as exc:
        services.person_update(actor=actor_of(owner), person=person, name="别人")
    assert exc.value.code == "person.field_forbidden"
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.person_update(actor=actor_of(stranger), person=person, mobile="13900000000")


def test_enterprise_create_and_duplicates(system: Actor) -> None:
    hall = actor_of(UserFactory(role=Role.HALL_STAFF))
    enterprise = services.enterprise_create(
        actor=hall,
        name="广州市木棉科技有限公司",
        credit_code=CODE.lower(),
        contact_mobile="13800000000",
    )
    assert enterprise.credit_code == CODE
    assert AuditEvent.objects.get(action="enterprise.create").after["contact_mobile"] == (
        "138****0000"
    )
    with pytest.raises(Conflict) as exc:
        services.enterprise_create(actor=hall, name="另一家", credit_code=CODE)
    assert exc.value.code == "enterprise.duplicate"
    with pytest.raises(ValidationFailed) as bad:
        services.enterprise_create(actor=hall, name="坏码", credit_code=CODE[:17] + "0")
    assert bad.value.code in {"credit_code.checksum", "credit_code.format"}
    with pytest.raises(PermissionDenied):
        services.enterprise_create(
            actor=actor_of(UserFactory(role=Role.HOTLINE_AGENT)), name="x", credit_code=CODE
        )


def test_enterprise_update(system: Actor) -> None:
    enterprise = EnterpriseFactory()
    services.enterprise_update(actor=system, enterprise=enterprise, name="新名称有限公司")
    assert Enterprise.objects.get(pk=enterprise.pk).name == "新名称有限公司"
    assert AuditEvent.objects.filter(action="enterprise.update").count() == 1


def test_representatives(system: Actor) -> None:
    enterprise = EnterpriseFactory()
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    colleague = UserFactory(role=Role.ENTERPRISE_REP)
    assert services.enterprise_add_representative(actor=system, enterprise=enterprise, user=rep)
    assert not services.enterprise_add_representative(actor=system, enterprise=enterprise, user=rep)
    # A representative brings in a colleague; a stranger may not.
    assert services.enterprise_add_representative(
        actor=actor_of(rep), enterprise=enterprise, user=colleague
    )
    with pytest.raises(PermissionDenied):
        services.enterprise_add_representative(
            actor=actor_of(UserFactory(role=Role.ENTERPRISE_REP)),
            enterprise=enterprise,
            user=colleague,
        )
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_add_representative(
            actor=system, enterprise=enterprise, user=UserFactory(role=Role.CITIZEN)
        )
    assert exc.value.code == "enterprise.representative_role"
    assert services.enterprise_remove_representative(
        actor=system, enterprise=enterprise, user=colleague
    )
    assert not services.enterprise_remove_representative(
        actor=system, enterprise=enterprise, user=colleague
    )
    assert list(enterprise.representatives.all()) == [rep]
    assert AuditEvent.objects.filter(target_type="identity.enterprise").count() == 3
