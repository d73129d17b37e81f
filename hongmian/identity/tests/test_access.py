"""access_person / access_enterprise: masking per role, audit per read, and "not allowed"
looking exactly like "not found" (docs/decisions/0005-personal-data-access.md)."""

from __future__ import annotations

import pytest

from hongmian.core.errors import NotFound
from hongmian.core.models import AuditEvent
from hongmian.identity import permissions, selectors, service_context
from hongmian.identity.models import Person
from hongmian.identity.states import Role
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.factories import EnterpriseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

FULL = {"name", "resident_id", "mobile", "address"}


@pytest.fixture
def person() -> Person:
    return PersonFactory(
        name="陈小棉",
        mobile="13812345678",
        address="广州市天河区石牌街道华师路1号",
        user=UserFactory(role=Role.CITIZEN),
    )


@pytest.mark.parametrize(
    ("role", "in_full"),
    [
        (Role.HOTLINE_AGENT, {"name", "mobile"}),
        (Role.HOTLINE_SUPERVISOR, {"name", "mobile"}),
        (Role.HALL_STAFF, {"name", "resident_id", "mobile"}),
        (Role.CHIEF_DATA_OFFICER, set()),
        (Role.SYSTEM_ADMIN, set()),
    ],
)
def test_masking_per_role_and_audit(
    person: Person, role: Role, in_full: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = UserFactory(role=role)
    context = None
    if role in permissions.PERSON_CONTEXT_ROLES:
        # The masking is what this test is about; contexts have their own tests
        # (test_service_context.py): here every well-formed one holds.
        monkeypatch.setattr(service_context, "context_holds", lambda *_a: True)
        context = "call:1" if role != Role.HALL_STAFF else "booking:1"
    view = selectors.access_person(
        reader, person.public_id, actor=actor_of(reader), context=context
    )

    assert set(view.masked) == FULL - in_full
    assert (view.mobile == "13812345678") == ("mobile" in in_full)
    assert view.mobile in {"13812345678", "138****5678"}
    assert (view.resident_id == person.resident_id) == ("resident_id" in in_full)
    if "resident_id" not in in_full:
        assert view.resident_id == person.resident_id[:4] + "*" * 10 + person.resident_id[-4:]
    assert view.address == (person.address if "address" in in_full else "广州市天河区石牌街道****")
    assert view.name == ("陈小棉" if "name" in in_full else "陈**")

    event = AuditEvent.objects.get(action="person.read")
    assert event.target_id == str(person.pk)
    assert event.actor_id == reader.pk
    assert event.after == {"role": role.value, "in_full": sorted(in_full), "context": context}


def test_the_person_sees_everything_and_is_not_audited(person: Person) -> None:
    owner = person.user
    view = selectors.access_person(owner, person.public_id, actor=actor_of(owner))
    assert view.masked == ()
    assert view.resident_id == person.resident_id
    assert view.mobile == "13812345678"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "role",
    [
        Role.CITIZEN,
        Role.ENTERPRISE_REP,
        Role.DEPT_HANDLER,
        Role.DEPT_MANAGER,
        Role.DATA_STEWARD,
        Role.CITY_LEADER,
        # Without a service context, the roles that see some field in full (decision 0074).
        Role.HOTLINE_AGENT,
        Role.HOTLINE_SUPERVISOR,
        Role.HALL_STAFF,
    ],
)
def test_forbidden_looks_exactly_like_not_found(person: Person, role: Role) -> None:
    reader = UserFactory(role=role)
    with pytest.raises(NotFound) as forbidden:
        selectors.access_person(reader, person.public_id, actor=actor_of(reader))
    with pytest.raises(NotFound) as missing:
        selectors.access_person(reader, "A" * 22, actor=actor_of(reader))
    with pytest.raises(NotFound) as sequential:
        selectors.access_person(reader, str(person.pk), actor=actor_of(reader))
    assert forbidden.value.as_dict() == sequential.value.as_dict()
    assert forbidden.value.as_dict() == missing.value.as_dict()
    assert not AuditEvent.objects.exists()


def test_inactive_and_anonymous_see_no_one(person: Person) -> None:
    reader = UserFactory(role=Role.SYSTEM_ADMIN, is_active=False)
    with pytest.raises(NotFound):
        selectors.access_person(reader, person.public_id, actor=actor_of(reader))
    assert not selectors.persons_visible_to(None).exists()


def test_persons_visible_to(person: Person) -> None:
    PersonFactory.create_batch(2)
    assert selectors.persons_visible_to(UserFactory(role=Role.SYSTEM_ADMIN)).count() == 3
    # Hall staff look no one up: they reach a person only in a service context.
    assert not selectors.persons_visible_to(UserFactory(role=Role.HALL_STAFF)).exists()
    assert list(selectors.persons_visible_to(person.user)) == [person]
    assert not selectors.persons_visible_to(UserFactory(role=Role.CITY_LEADER)).exists()


def test_access_enterprise() -> None:
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    enterprise = EnterpriseFactory(contact_mobile="13900001111", representatives=[rep])

    own = selectors.access_enterprise(rep, enterprise.public_id, actor=actor_of(rep))
    assert own.contact_mobile == "13900001111"
    assert own.masked == ()
    assert not AuditEvent.objects.exists()

    leader = UserFactory(role=Role.CITY_LEADER)
    seen = selectors.access_enterprise(leader, enterprise.public_id, actor=actor_of(leader))
    assert seen.contact_mobile == "139****1111"
    assert seen.credit_code == enterprise.credit_code
    assert AuditEvent.objects.get(action="enterprise.read").after["in_full"] == []

    agent = UserFactory(role=Role.HOTLINE_AGENT)
    assert (
        selectors.access_enterprise(agent, enterprise.public_id, actor=actor_of(agent)).masked == ()
    )

    for outsider in (UserFactory(role=Role.ENTERPRISE_REP), UserFactory(role=Role.CITIZEN)):
        with pytest.raises(NotFound) as forbidden:
            selectors.access_enterprise(outsider, enterprise.public_id, actor=actor_of(outsider))
        with pytest.raises(NotFound) as missing:
            selectors.access_enterprise(outsider, "A" * 22, actor=actor_of(outsider))
        assert forbidden.value.as_dict() == missing.value.as_dict()
