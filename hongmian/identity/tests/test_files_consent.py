"""Reading a file: only under the owner's consent, every read recorded and audited, masked
for staff who do not need the data, revocation at once, others' files not found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity import selectors
from hongmian.identity.models import Consent, FileUse, FileValue
from hongmian.identity.services.files import consent_grant, consent_revoke, file_push
from hongmian.identity.states import Role
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.factories import UserFactory
from hongmian.identity.tests.files_fixtures import Depts, Owners, enterprise_record
from hongmian.identity.tests.files_fixtures import person_record as rec

pytestmark = pytest.mark.django_db

PURPOSE = "application.prefill"
FIELDS = ["identity.resident_id", "social_insurance.months"]


@pytest.fixture
def filled(depts: Depts, owners: Owners) -> Owners:
    file_push(
        actor=actor_of(depts.police_steward),
        batch_id="p",
        records=[rec(owners.person, "identity.resident_id", owners.person.resident_id)],
    )
    file_push(
        actor=actor_of(depts.hrss_steward),
        batch_id="h",
        records=[rec(owners.person, "social_insurance.months", 86)],
    )
    return owners


def _grant(owners: Owners, fields: list[str] = FIELDS, **kw: object) -> object:
    return consent_grant(
        actor=actor_of(owners.citizen),
        subject=owners.person,
        purpose=PURPOSE,
        requester="灵活就业人员参保登记（市人社局）",
        fields=fields,
        **kw,  # type: ignore[arg-type]
    )


def test_no_consent_no_read_and_nothing_recorded(filled: Owners) -> None:
    hall = UserFactory(role=Role.HALL_STAFF)
    with pytest.raises(PermissionDenied) as exc:
        selectors.person_file_read(
            actor=actor_of(hall), person=filled.person, fields=FIELDS, purpose=PURPOSE
        )
    assert exc.value.code == "consent.required"
    assert not FileUse.objects.exists()
    assert not AuditEvent.objects.filter(action="person_file.read").exists()


def test_a_consented_read_is_recorded_audited_and_masked_for_staff(filled: Owners) -> None:
    _grant(filled)
    handler = UserFactory(role=Role.DEPT_HANDLER)
    entries = selectors.person_file_read(
        actor=actor_of(handler), person=filled.person, fields=FIELDS, purpose=PURPOSE
    )
    rid = filled.person.resident_id
    # A unit handler's role does not need the ID number in full.
    assert entries["identity.resident_id"].value == rid[:4] + "*" * 10 + rid[-4:]
    assert entries["identity.resident_id"].masked
    assert entries["social_insurance.months"].value == "86 个月"
    assert entries["social_insurance.months"].source == "市人社局"

    use = FileUse.objects.get()
    assert use.fields == sorted(FIELDS)
    assert use.reader_label == handler.org_unit.name
    assert use.requester == "灵活就业人员参保登记（市人社局）"
    event = AuditEvent.objects.get(action="person_file.read")
    assert event.actor == handler
    assert event.after["masked"] == ["identity.resident_id"]
    # The owner sees the use in their log.
    assert list(selectors.file_use_list(filled.person)) == [use]

    # Hall staff check the ID card against the record: they see it in full.
    hall = UserFactory(role=Role.HALL_STAFF)
    entries = selectors.person_file_read(
        actor=actor_of(hall), person=filled.person, fields=FIELDS, purpose=PURPOSE
    )
    assert entries["identity.resident_id"].value == rid
    assert AuditEvent.objects.filter(action="person_file.read").count() == 2


def test_consent_covers_only_its_fields_purpose_and_time(filled: Owners) -> None:
    _grant(filled, fields=["social_insurance.months"])
    system = Actor.system("prefill")
    with pytest.raises(PermissionDenied):  # a field outside the consent
        selectors.person_file_read(
            actor=system, person=filled.person, fields=FIELDS, purpose=PURPOSE
        )
    with pytest.raises(PermissionDenied):  # another purpose
        selectors.person_file_read(
            actor=system,
            person=filled.person,
            fields=["social_insurance.months"],
            purpose="marketing",
        )
    expired = _grant(filled, valid_until=timezone.now() + dt.timedelta(seconds=1))
    assert expired is not None
    with pytest.raises(ValidationFailed) as exc:
        _grant(filled, valid_until=timezone.now() - dt.timedelta(days=1))
    assert exc.value.code == "consent.validity"


def test_revoking_takes_effect_at_once(filled: Owners) -> None:
    consent = _grant(filled)
    system = Actor.system("prefill")
    selectors.person_file_read(actor=system, person=filled.person, fields=FIELDS, purpose=PURPOSE)
    consent_revoke(actor=actor_of(filled.citizen), consent=consent)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied) as exc:
        selectors.person_file_read(
            actor=system, person=filled.person, fields=FIELDS, purpose=PURPOSE
        )
    assert exc.value.code == "consent.required"
    assert FileUse.objects.count() == 1
    assert AuditEvent.objects.filter(action="consent.revoke").count() == 1


def test_consent_for_an_unknown_field_is_refused(filled: Owners) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _grant(filled, fields=["identity.blood_type"])
    assert exc.value.code == "consent.field_unknown"


def test_another_citizen_meets_not_found(filled: Owners) -> None:
    _grant(filled)
    stranger = actor_of(filled.other_citizen)
    with pytest.raises(NotFound):
        selectors.person_file_read(
            actor=stranger, person=filled.person, fields=FIELDS, purpose=PURPOSE
        )
    with pytest.raises(NotFound):
        consent_grant(
            actor=stranger, subject=filled.person, purpose="x", requester="y", fields=FIELDS
        )
    consent = selectors.consent_list(filled.person).get()
    with pytest.raises(NotFound):
        selectors.access_my_consent(filled.other_citizen, consent.pk)
    with pytest.raises(NotFound):
        consent_revoke(actor=stranger, consent=consent)


def test_the_owner_sees_the_whole_file_with_sources(filled: Owners) -> None:
    entries = {e.key: e for e in selectors.access_my_file(filled.citizen)}
    assert entries["identity.resident_id"].value == filled.person.resident_id
    assert entries["identity.resident_id"].source == "市公安局"
    assert not AuditEvent.objects.filter(action="person_file.read").exists()
    assert selectors.access_my_file(filled.other_citizen) == []


def test_an_enterprise_file_is_its_representatives_alone(depts: Depts, owners: Owners) -> None:
    file_push(
        actor=actor_of(depts.market_steward),
        batch_id="m",
        records=[enterprise_record(owners.enterprise, "licence.registered_capital", "500")],
    )
    enterprise, entries = selectors.access_enterprise_file(
        owners.rep, owners.enterprise.public_id, actor=actor_of(owners.rep)
    )
    assert [(e.label, e.value, e.source) for e in entries] == [
        ("注册资本", "500.00 万元", "市市场监管局")
    ]
    assert AuditEvent.objects.filter(action="enterprise_file.read").count() == 1
    for outsider in (owners.citizen, UserFactory(role=Role.ENTERPRISE_REP)):
        with pytest.raises(NotFound):
            selectors.access_enterprise_file(
                outsider, enterprise.public_id, actor=actor_of(outsider)
            )


def test_a_person_erased_takes_their_file_consents_and_uses(filled: Owners) -> None:
    _grant(filled)
    selectors.person_file_read(
        actor=Actor.system("prefill"), person=filled.person, fields=FIELDS, purpose=PURPOSE
    )
    filled.person.delete()
    assert not FileUse.objects.exists()
    assert not Consent.objects.exists()
    assert not FileValue.objects.filter(person__isnull=False).exists()
