"""Raising the assurance level: upwards only, by the right people and checks, audited."""

from __future__ import annotations

import pytest

from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity.assurance import AssuranceLevel, AssuranceMethod, user_assurance_level
from hongmian.identity.services.assurance import (
    person_assurance_raise,
    person_verify_face,
    person_verify_id_and_phone,
    person_verify_in_person,
)
from hongmian.identity.states import Role
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.factories import UserFactory
from hongmian.identity.tests.files_fixtures import Owners

pytestmark = pytest.mark.django_db


def test_the_person_raises_to_l2_then_l3_by_their_own_checks(owners: Owners) -> None:
    me, person = actor_of(owners.citizen), owners.person
    person_verify_id_and_phone(
        actor=me, person=person, resident_id=person.resident_id, mobile="13800138000"
    )
    assert user_assurance_level(owners.citizen) == AssuranceLevel.L2
    person_verify_face(actor=me, person=person, image=b"live-face")
    person.refresh_from_db()
    assert (person.assurance_level, person.assurance_method) == (3, AssuranceMethod.FACE)
    events = AuditEvent.objects.filter(action="person.assurance_raise").order_by("id")
    assert [e.after["level"] for e in events] == [2, 3]
    assert events[0].after["evidence"].startswith("fake-id-phone-")


def test_failed_checks_and_downward_raises_change_nothing(owners: Owners) -> None:
    me, person = actor_of(owners.citizen), owners.person
    with pytest.raises(ValidationFailed) as exc:
        person_verify_id_and_phone(
            actor=me, person=person, resident_id=person.resident_id, mobile="13800000000"
        )
    assert exc.value.code == "assurance.check_failed"
    with pytest.raises(ValidationFailed):
        person_verify_face(actor=me, person=person, image=b"mismatch")
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.L1

    hall = actor_of(UserFactory(role=Role.HALL_STAFF))
    person_verify_in_person(
        actor=hall, person=person, card_reading=person.resident_id, level=AssuranceLevel.L3
    )
    with pytest.raises(Conflict) as conflict:
        person_verify_id_and_phone(
            actor=me, person=person, resident_id=person.resident_id, mobile="13800138000"
        )
    assert conflict.value.code == "assurance.not_higher"


def test_l3_only_at_the_hall_or_by_face(owners: Owners) -> None:
    person = owners.person
    with pytest.raises(ValidationFailed) as exc:
        person_assurance_raise(
            actor=actor_of(owners.citizen),
            person=person,
            level=AssuranceLevel.L3,
            method=AssuranceMethod.ID_AND_PHONE,
            evidence="x",
        )
    assert exc.value.code == "assurance.method_too_weak"
    for role in (Role.SYSTEM_ADMIN, Role.HOTLINE_AGENT, Role.CITIZEN):
        with pytest.raises(PermissionDenied):
            person_assurance_raise(
                actor=actor_of(UserFactory(role=role)),
                person=person,
                level=AssuranceLevel.L3,
                method=AssuranceMethod.IN_PERSON,
                evidence="查验身份证原件",
            )
    # Another citizen cannot run the checks for someone else.
    with pytest.raises(PermissionDenied):
        person_verify_face(actor=actor_of(owners.other_citizen), person=person, image=b"x")
    assert not AuditEvent.objects.filter(action="person.assurance_raise").exists()
