"""帮办代办 (decision 0072): a relative applies for a person within the authorisation;
out of scope, expired and revoked authorisations are refused with codes; the person sees
what was done for them; the hall desk finds a person only with a presence context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.selectors import my_application_list
from hongmian.applications.services import assisted, drafts, lifecycle, materials
from hongmian.applications.tests.conftest import World, actor_of, jpeg, make_item
from hongmian.appointments.models import Booking, Hall, ItemGroup, Slot
from hongmian.appointments.states import BookingStatus, HallLevel
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.geo.models import Division
from hongmian.identity.models import FileUse, Mandate, Person, User
from hongmian.identity.selectors import consent_list
from hongmian.identity.services.files import consent_grant
from hongmian.identity.services.mandates import (
    HallPlace,
    MandateTerms,
    mandate_grant_at_hall,
    mandate_grant_online,
    mandate_revoke,
    mandates_expire,
)
from hongmian.identity.states import MandateScope, MandateStatus, Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory, UserFactory


def _pdf() -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile("授权委托书.pdf", body, content_type="application/pdf")


@dataclass
class Family:
    relative: User
    relative_person: Person
    mandate: Mandate


def _terms(world: World, **kwargs: object) -> MandateTerms:
    base: dict[str, object] = {
        "scope": MandateScope.ITEMS,
        "item_codes": [world.item.code],
        "read_file": True,
        "valid_until": timezone.now() + dt.timedelta(days=30),
    }
    base.update(kwargs)
    return MandateTerms(**base)  # type: ignore[arg-type]


@pytest.fixture
def family(world: World) -> Family:
    relative = UserFactory(role=Role.CITIZEN, display_name="陈小明")
    relative_person = PersonFactory(user=relative, name="陈小明")
    mandate = mandate_grant_online(
        actor=actor_of(world.citizen),
        agent_resident_id=relative_person.resident_id,
        agent_name="陈小明",
        terms=_terms(world),
        document=jpeg("委托书.jpg"),
    )
    # The person's own consent that the item's department may fill forms from the file.
    consent_grant(
        actor=actor_of(world.citizen),
        subject=world.person,
        purpose=drafts.PREFILL_PURPOSE,
        requester="测试",
        fields=["identity.name", "identity.resident_id", "address.residence"],
    )
    return Family(relative, relative_person, mandate)


def test_a_relative_applies_within_scope_and_the_person_sees_it(
    world: World, family: Family
) -> None:
    agent = actor_of(family.relative)
    application = assisted.application_create_on_behalf(
        actor=agent, mandate=family.mandate, item=world.item
    )
    assert application.applicant == world.citizen
    assert application.person == world.person
    assert application.submitted_by == family.relative
    assert application.mandate == family.mandate
    drafts.application_prefill(actor=agent, application=application)
    application.refresh_from_db()
    assert application.answers["name"] == "陈秀英"
    assert application.answers["resident_id"] == world.person.resident_id  # whole, not masked
    use = FileUse.objects.get(person=world.person, mandate=family.mandate)
    assert use.user == family.relative
    assert "陈小明" in use.reader_label
    drafts.application_answers_update(
        actor=agent, application=application, answers={"phone": "13812345678"}
    )
    for material in (world.id_material, world.photo_material):
        materials.material_upload(
            actor=agent, application=application, material_id=material.pk, upload=jpeg()
        )
    lifecycle.application_submit(actor=agent, application=application)
    application.refresh_from_db()
    assert application.status == "submitted"
    # The person's own list and history show it, with who acted.
    assert list(my_application_list(world.citizen)) == [application]
    actors = set(
        ApplicationEvent.objects.filter(application=application).values_list("actor", flat=True)
    )
    assert actors == {family.relative.pk}
    read = AuditEvent.objects.filter(action="person_file.read").latest("id")
    assert read.after["mandate"] == family.mandate.pk


def test_out_of_scope_expired_and_revoked_are_refused_with_codes(
    world: World, family: Family
) -> None:
    agent = actor_of(family.relative)
    other = make_item(world.dept, "A-0002", name="其他事项")
    with pytest.raises(PermissionDenied) as caught:
        assisted.application_create_on_behalf(actor=agent, mandate=family.mandate, item=other)
    assert caught.value.code == "mandate.out_of_scope"
    application = assisted.application_create_on_behalf(
        actor=agent, mandate=family.mandate, item=world.item
    )
    Mandate.objects.filter(pk=family.mandate.pk).update(
        valid_from=timezone.now() - dt.timedelta(days=2),
        valid_until=timezone.now() - dt.timedelta(seconds=1),
    )
    application.refresh_from_db()
    with pytest.raises(PermissionDenied) as caught:
        drafts.application_answers_update(
            actor=agent, application=application, answers={"phone": "13812345678"}
        )
    assert caught.value.code == "mandate.expired"
    assert mandates_expire(actor=Actor.system("test")) == 1
    family.mandate.refresh_from_db()
    assert family.mandate.status == MandateStatus.EXPIRED
    assert AuditEvent.objects.filter(action="mandate.expired").count() == 1


def test_a_revoked_mandate_stops_the_agent_at_once(world: World, family: Family) -> None:
    agent = actor_of(family.relative)
    application = assisted.application_create_on_behalf(
        actor=agent, mandate=family.mandate, item=world.item
    )
    with pytest.raises(NotFound):  # only the person revokes; anyone else: not found
        mandate_revoke(actor=agent, mandate=family.mandate)
    mandate_revoke(actor=actor_of(world.citizen), mandate=family.mandate, reason="不再需要")
    application.refresh_from_db()
    with pytest.raises(PermissionDenied) as caught:
        drafts.application_prefill(actor=agent, application=application)
    assert caught.value.code == "mandate.revoked"
    with pytest.raises(PermissionDenied) as caught:
        lifecycle.application_submit(actor=agent, application=application)
    assert caught.value.code == "mandate.revoked"
    assert not FileUse.objects.filter(mandate=family.mandate).exists()


def test_a_mandate_without_file_reading_cannot_fill(world: World, family: Family) -> None:
    Mandate.objects.filter(pk=family.mandate.pk).update(read_file=False)
    family.mandate.refresh_from_db()
    application = assisted.application_create_on_behalf(
        actor=actor_of(family.relative), mandate=family.mandate, item=world.item
    )
    with pytest.raises(PermissionDenied) as caught:
        drafts.application_prefill(actor=actor_of(family.relative), application=application)
    assert caught.value.code == "mandate.read_not_allowed"


def test_someone_else_is_told_not_found(world: World, family: Family) -> None:
    stranger = actor_of(world.other_citizen)
    with pytest.raises(NotFound):
        assisted.application_create_on_behalf(
            actor=stranger, mandate=family.mandate, item=world.item
        )
    application = assisted.application_create_on_behalf(
        actor=actor_of(family.relative), mandate=family.mandate, item=world.item
    )
    with pytest.raises(NotFound) as caught:
        drafts.application_prefill(actor=stranger, application=application)
    assert caught.value.code == "application.not_found"


def test_online_grant_checks_the_agent_and_the_letter(world: World) -> None:
    relative = PersonFactory(user=UserFactory(role=Role.CITIZEN), name="王五")
    me = actor_of(world.citizen)
    with pytest.raises(ValidationFailed) as caught:  # the name must match the number
        mandate_grant_online(
            actor=me,
            agent_resident_id=relative.resident_id,
            agent_name="李四",
            terms=_terms(world),
            document=_pdf(),
        )
    assert caught.value.code == "mandate.agent_not_found"
    with pytest.raises(ValidationFailed) as caught:
        mandate_grant_online(
            actor=me,
            agent_resident_id=relative.resident_id,
            agent_name="王五",
            terms=_terms(world, valid_until=timezone.now() + dt.timedelta(days=400)),
            document=_pdf(),
        )
    assert caught.value.code == "mandate.validity"
    with pytest.raises(ValidationFailed) as caught:
        mandate_grant_online(
            actor=me,
            agent_resident_id=relative.resident_id,
            agent_name="王五",
            terms=_terms(world),
            document=None,
        )
    assert caught.value.code == "mandate.document_required"
    assert not Mandate.objects.exists()
    mandate = mandate_grant_online(
        actor=me,
        agent_resident_id=relative.resident_id,
        agent_name="王五",
        terms=_terms(world, scope=MandateScope.APPLICATIONS, item_codes=[]),
        document=_pdf(),
    )
    assert len(mandate.document_sha256) == 64
    assert AuditEvent.objects.filter(action="mandate.grant").count() == 1


# --- the hall desk --------------------------------------------------------------------------


@dataclass
class HallWorld:
    hall: Hall
    staff: User
    other_staff: User
    place: HallPlace


@pytest.fixture
def hall_world(world: World) -> HallWorld:
    city = Division.objects.create(code="440100000", name="广州市", level="city")
    unit = OrgUnitFactory(code="h-unit", name="天河区政务服务中心", kind=UnitKind.SERVICE_HALL)
    hall = Hall.objects.create(
        code="HT",
        name="天河区政务服务中心",
        level=HallLevel.DISTRICT,
        division=city,
        org_unit=unit,
        address="天河路 1 号",
    )
    elsewhere = OrgUnitFactory(code="h-else", kind=UnitKind.SERVICE_HALL)
    return HallWorld(
        hall=hall,
        staff=UserFactory(role=Role.HALL_STAFF, org_unit=unit),
        other_staff=UserFactory(role=Role.HALL_STAFF, org_unit=elsewhere),
        place=HallPlace(code=hall.code, name=hall.name, unit=unit),
    )


def test_the_desk_finds_a_person_only_with_a_presence_context(
    world: World, hall_world: HallWorld
) -> None:
    staff = actor_of(hall_world.staff)
    rid = world.person.resident_id
    with pytest.raises(NotFound):  # a number alone finds nobody
        assisted.assist_person_find(actor=staff, hall=hall_world.hall, resident_id=rid)
    presence = assisted.assist_person_find(
        actor=staff, hall=hall_world.hall, resident_id=rid, card_reading=rid
    )
    assert presence.person_id == world.person.pk
    assert presence.via == assisted.PRESENT_BY_CARD
    found = AuditEvent.objects.get(action="assist.person_find")
    assert found.after == {"hall": "HT", "via": "card"}
    # By a booking of theirs at this hall today; another hall's staff do not see it.
    group = ItemGroup.objects.create(hall=hall_world.hall, name="综合", slot_minutes=30)
    now = timezone.now()
    slot = Slot.objects.create(
        hall=hall_world.hall,
        group=group,
        day=timezone.localdate(),
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=30),
        capacity=2,
    )
    Booking.objects.create(
        number="B20261208001",
        slot=slot,
        item=world.item,
        person=world.person,
        status=BookingStatus.BOOKED,
        via="web",
    )
    presence = assisted.assist_person_find(
        actor=staff, hall=hall_world.hall, booking_no="b20261208001"
    )
    assert presence.via == assisted.PRESENT_BY_BOOKING
    with pytest.raises(NotFound):
        assisted.assist_person_find(
            actor=actor_of(hall_world.other_staff),
            hall=hall_world.hall,
            booking_no="B20261208001",
        )


def test_hall_staff_record_an_authorisation_and_apply(world: World, hall_world: HallWorld) -> None:
    staff = actor_of(hall_world.staff)
    rid = world.person.resident_id
    with pytest.raises(ValidationFailed) as caught:
        mandate_grant_at_hall(
            actor=staff,
            principal=world.person,
            hall=hall_world.place,
            card_reading="wrong",
            terms=_terms(world),
        )
    assert caught.value.code == "mandate.card_mismatch"
    with pytest.raises(NotFound):  # another hall's staff
        mandate_grant_at_hall(
            actor=actor_of(hall_world.other_staff),
            principal=world.person,
            hall=hall_world.place,
            card_reading=rid,
            terms=_terms(world),
        )
    mandate = mandate_grant_at_hall(
        actor=staff,
        principal=world.person,
        hall=hall_world.place,
        card_reading=rid,
        terms=_terms(world),
    )
    world.person.refresh_from_db()
    assert world.person.assurance_level == 3  # the in-person check raised it to L3
    assert mandate.checked_by == hall_world.staff
    assert mandate.evidence == "in_person"
    with pytest.raises(NotFound):
        assisted.application_create_on_behalf(
            actor=actor_of(hall_world.other_staff), mandate=mandate, item=world.item
        )
    application = assisted.application_create_on_behalf(
        actor=staff, mandate=mandate, item=world.item
    )
    assert application.submitted_by == hall_world.staff
    assert application.applicant == world.citizen
    assert not consent_list(world.person).exists()
    with pytest.raises(PermissionDenied) as caught:  # the person's consent is still needed
        drafts.application_prefill(actor=staff, application=application)
    assert caught.value.code == "consent.required"
    assert Application.objects.filter(mandate=mandate).count() == 1


def test_the_demo_elder_has_authorised_her_son_and_the_hall(
    world: World, hall_world: HallWorld
) -> None:
    from hongmian.applications import demo

    Hall.objects.filter(pk=hall_world.hall.pk).update(code=demo.ELDER_HALL)
    User.objects.filter(pk=world.citizen.pk).update(username="citizen")
    User.objects.filter(pk=hall_world.staff.pk).update(username="hall")
    demo.seed_assisted(actor=Actor.system("seed_demo"), progress=lambda *a: None)
    elder = Person.objects.get(user__username=demo.ELDER)
    kinds = sorted(Mandate.objects.filter(principal=elder).values_list("agent_kind", flat=True))
    assert kinds == ["hall", "relative"]
    assert Mandate.objects.get(agent_kind="relative").agent == world.citizen
    elder.refresh_from_db()
    assert elder.assurance_level == 3
    audits = AuditEvent.objects.count()
    demo.seed_assisted(actor=Actor.system("seed_demo"), progress=lambda *a: None)
    assert AuditEvent.objects.count() == audits


def test_a_life_event_scope_is_fixed_when_granted_and_dates_are_checked_at_use(
    world: World, family: Family
) -> None:
    from hongmian.catalog.models import LifeEvent
    from hongmian.identity.selectors import mandate_check

    event = LifeEvent.objects.create(slug="retire", name="退休一件事")
    event.items.add(world.item)
    relative = PersonFactory(user=UserFactory(role=Role.CITIZEN), name="王五")
    mandate = mandate_grant_online(
        actor=actor_of(world.citizen),
        agent_resident_id=relative.resident_id,
        agent_name="王五",
        terms=_terms(world, scope=MandateScope.LIFE_EVENT, item_codes=[], life_event="retire"),
        document=_pdf(),
    )
    assert mandate.item_codes == [world.item.code]
    later = make_item(world.dept, "A-0009", name="后加入的事项")
    event.items.add(later)  # added after the grant: not authorised by it
    agent = relative.user
    assert mandate_check(mandate, user=agent, item_code=world.item.code) == mandate
    with pytest.raises(PermissionDenied) as caught:
        mandate_check(mandate, user=agent, item_code=later.code)
    assert caught.value.code == "mandate.out_of_scope"
    with pytest.raises(PermissionDenied) as caught:
        mandate_check(mandate, user=agent, now=mandate.valid_from - dt.timedelta(minutes=1))
    assert caught.value.code == "mandate.not_yet_valid"
    with pytest.raises(NotFound):  # the person's other relative is not this one's agent
        mandate_check(mandate, user=family.relative)
