"""The city code at the hall (decision 0079): a hall terminal's scan checks the person in
(the ticket in its answer; no booking → a coded answer), the scan is a service context
(`scan:<id>`) for the hall's own staff for a few minutes, and 码上办 starts a code-service
item for the person from it, pre-filled, under a one-item authorisation of the hall."""

# The applications' `world` fixture is imported by name, and the tests take it as a parameter.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.applications.models import Application
from hongmian.applications.services import drafts
from hongmian.applications.tests.conftest import World, actor_of, make_item, world  # noqa: F401
from hongmian.appointments.models import Booking, Hall, ItemGroup, QueueTicket, Slot
from hongmian.appointments.states import BookingStatus, HallLevel
from hongmian.citycode.models import Scan, Terminal
from hongmian.citycode.services.codes import citycode_holder_ensure, citycode_issue, holder_of
from hongmian.citycode.services.hall import code_service_start, desk_visit
from hongmian.citycode.services.terminals import terminal_register
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.geo.models import Division
from hongmian.identity.models import Mandate, User
from hongmian.identity.service_context import ServiceContext, context_holds
from hongmian.identity.services.api_keys import api_key_create
from hongmian.identity.services.files import consent_grant
from hongmian.identity.states import MandateEvidence, Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli(None, "test")


@dataclass
class Hall14:
    hall: Hall
    terminal: Terminal
    key: str
    staff: User
    other_staff: User
    group: ItemGroup


@pytest.fixture
def at_hall(world: World) -> Hall14:
    city = Division.objects.create(code="440100000", name="广州市", level="city")
    unit = OrgUnitFactory(code="h-unit", name="天河区政务服务中心", kind=UnitKind.SERVICE_HALL)
    elsewhere = OrgUnitFactory(code="h-else", kind=UnitKind.SERVICE_HALL)
    hall = Hall.objects.create(
        code="HT",
        name="天河区政务服务中心",
        level=HallLevel.DISTRICT,
        division=city,
        org_unit=unit,
        address="天河路 1 号",
    )
    terminal = terminal_register(
        actor=SYSTEM,
        code="ht-1",
        name="天河中心取号机",
        kind="hall",
        owner_unit=unit,
        place_name="天河路 1 号",
        latitude="23.13",
        longitude="113.33",
        identity_fields=["name"],
    )
    _row, key = api_key_create(actor=SYSTEM, user=terminal.account, name="终端密钥")
    citycode_holder_ensure(actor=actor_of(world.citizen), person=world.person)
    return Hall14(
        hall=hall,
        terminal=terminal,
        key=key,
        staff=UserFactory(role=Role.HALL_STAFF, org_unit=unit),
        other_staff=UserFactory(role=Role.HALL_STAFF, org_unit=elsewhere),
        group=ItemGroup.objects.create(hall=hall, name="综合", slot_minutes=30),
    )


def _book(world: World, h: Hall14, *, starts_in: int = 10) -> Booking:
    now = timezone.now()
    starts = now + dt.timedelta(minutes=starts_in)
    slot = Slot.objects.create(
        hall=h.hall,
        group=h.group,
        day=timezone.localdate(),
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        capacity=2,
    )
    return Booking.objects.create(
        number=f"B{slot.pk:011d}",
        slot=slot,
        item=world.item,
        person=world.person,
        status=BookingStatus.BOOKED,
        via="web",
    )


def _scan(client: Client, h: Hall14, payload: str) -> dict[str, object]:
    response = client.post(
        "/api/citycode/scans",
        data=json.dumps({"payload": payload}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {h.key}",
    )
    assert response.status_code == 200, response.content
    body: dict[str, object] = response.json()
    return body


def test_a_hall_scan_checks_in_todays_booking_and_names_the_ticket(
    world: World,
    at_hall: Hall14,
    client: Client,
) -> None:
    booking = _book(world, at_hall)
    body = _scan(client, at_hall, citycode_issue(holder=world.person.citycode).payload)
    checkin = body["checkin"]
    assert isinstance(checkin, dict)
    ticket = QueueTicket.objects.get(booking=booking)
    assert checkin == {"code": "checkin.ok", "ticket": ticket.number, "message": checkin["message"]}
    assert ticket.number in str(checkin["message"])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    assert body["desk_url"] == f"/citycode/desk/scans/{body['scan_id']}/"
    # A second scan: already checked in, the same ticket, no second one.
    again = _scan(client, at_hall, citycode_issue(holder=world.person.citycode).payload)
    assert again["checkin"] == {
        "code": "checkin.already",
        "ticket": ticket.number,
        "message": again["checkin"]["message"],  # type: ignore[index]
    }
    assert QueueTicket.objects.count() == 1


def test_no_booking_today_is_a_coded_answer_and_too_early_passes_the_queue_code(
    world: World,
    at_hall: Hall14,
    client: Client,
) -> None:
    body = _scan(client, at_hall, citycode_issue(holder=world.person.citycode).payload)
    assert body["valid"] is True
    assert body["checkin"]["code"] == "checkin.no_booking"  # type: ignore[index]
    assert body["checkin"]["ticket"] is None  # type: ignore[index]
    assert "现场号" in body["checkin"]["message"]  # type: ignore[index]
    _book(world, at_hall, starts_in=120)  # check-in opens 30 minutes before
    early = _scan(client, at_hall, citycode_issue(holder=world.person.citycode).payload)
    assert early["checkin"]["code"] == "appointment.checkin_too_early"  # type: ignore[index]
    assert not QueueTicket.objects.exists()


def test_the_scan_is_a_service_context_for_the_halls_own_staff_only(
    world: World,
    at_hall: Hall14,
    client: Client,
) -> None:
    body = _scan(client, at_hall, citycode_issue(holder=world.person.citycode).payload)
    context = ServiceContext("scan", int(body["scan_id"]))  # type: ignore[call-overload]
    assert context_holds(at_hall.staff, context, world.person)
    assert not context_holds(at_hall.other_staff, context, world.person)  # another unit
    other = world.other_citizen.person  # type: ignore[attr-defined]
    assert not context_holds(at_hall.staff, context, other)  # another person
    # Too old: the scan no longer proves the person is at the window.
    Scan.objects.filter(pk=context.ref).update(scanned_at=timezone.now() - dt.timedelta(minutes=31))
    assert not context_holds(at_hall.staff, context, world.person)
    # The person's file through the identity API with the context, audited with it.
    fresh = _scan(client, at_hall, citycode_issue(holder=world.person.citycode).payload)
    client.force_login(at_hall.staff)
    found = client.get(
        f"/api/identity/persons/{world.person.public_id}?context=scan:{fresh['scan_id']}"
    )
    assert found.status_code == 200, found.content
    stale = client.get(f"/api/identity/persons/{world.person.public_id}?context=scan:{context.ref}")
    assert stale.status_code == 404


def test_code_service_starts_a_prefilled_application_from_the_scan(
    world: World,
    at_hall: Hall14,
    client: Client,
) -> None:
    world.item.code_service = True
    world.item.save(update_fields=["code_service"])
    plain = make_item(world.dept, "A-0002", name="不可码上办")
    # The person's own standing consent that forms may be filled from their file.
    consent_grant(
        actor=actor_of(world.citizen),
        subject=world.person,
        purpose=drafts.PREFILL_PURPOSE,
        requester="测试",
        fields=["identity.name", "identity.resident_id", "address.residence"],
    )
    body = _scan(client, at_hall, citycode_issue(holder=world.person.citycode).payload)
    scan_id = int(body["scan_id"])  # type: ignore[call-overload]
    with pytest.raises(NotFound):
        desk_visit(actor=actor_of(at_hall.other_staff), scan_id=scan_id)
    visit = desk_visit(actor=actor_of(at_hall.staff), scan_id=scan_id)
    assert visit.person == world.person
    with pytest.raises(NotFound) as refused:
        code_service_start(actor=actor_of(at_hall.staff), visit=visit, item_code=plain.code)
    assert refused.value.code == "service_item.not_found"
    application = code_service_start(
        actor=actor_of(at_hall.staff), visit=visit, item_code=world.item.code
    )
    assert application.applicant == world.citizen
    assert application.submitted_by == at_hall.staff
    assert application.answers.get("name") == "陈秀英"
    mandate = Mandate.objects.get(pk=application.mandate_id)
    assert (mandate.evidence, mandate.item_codes, mandate.hall_code) == (
        MandateEvidence.CITYCODE_SCAN,
        [world.item.code],
        "HT",
    )
    assert AuditEvent.objects.filter(action="citycode.desk_open").count() == 1
    assert Application.objects.count() == 1
    # A person without an account: refused by its code, and no authorisation left behind.
    walk_in = PersonFactory(name="无账号")
    holder = holder_of(actor=SYSTEM, person=walk_in)
    other = _scan(client, at_hall, citycode_issue(holder=holder).payload)
    visit = desk_visit(actor=actor_of(at_hall.staff), scan_id=int(other["scan_id"]))  # type: ignore[call-overload]
    with pytest.raises(ValidationFailed) as no_account:
        code_service_start(actor=actor_of(at_hall.staff), visit=visit, item_code=world.item.code)
    assert no_account.value.code == "application.principal_no_account"
    assert Mandate.objects.count() == 1
