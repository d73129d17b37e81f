"""Hall and hotline roles reach a person only in a service context (decision 0074): a
booking at their hall today, the call they are on. Without one that holds — none, another
hall's, another day's, another person's, an ended call — the person is not found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.appointments.models import Booking, Slot
from hongmian.appointments.states import BookingStatus
from hongmian.appointments.tests.conftest import World, make_world
from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.identity.models import Person, User
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import PersonFactory, UserFactory
from hongmian.telephony.models import Call
from hongmian.telephony.services import gateway_register
from hongmian.telephony.states import CallState, GatewayKind

pytestmark = pytest.mark.django_db
API = "/api/identity"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _booking(world: World, person: Person, *, day: dt.date, number: str) -> Booking:
    """A booked seat on `day` at the world's hall (made directly: the booking services'
    calendar rules are theirs to test; here only the facts a context checks matter)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    slot, _ = Slot.objects.get_or_create(
        hall=world.hall,
        group=world.group,
        starts_at=start,
        defaults={"day": day, "ends_at": start + dt.timedelta(minutes=30), "capacity": 4},
    )
    return Booking.objects.create(
        number=number,
        slot=slot,
        item=world.item,
        person=person,
        status=BookingStatus.BOOKED,
        via="web",
    )


@pytest.fixture
def world() -> World:
    return make_world()


def test_hall_staff_read_a_person_only_with_todays_booking_at_their_hall(world: World) -> None:
    today = timezone.localdate()
    booking = _booking(world, world.person, day=today, number="B-TODAY")
    tomorrow = _booking(world, world.person, day=today + dt.timedelta(days=1), number="B-TMRW")
    other = _booking(world, world.other_person, day=today, number="B-OTHER")
    url = f"{API}/persons/{world.person.public_id}"
    staff = _client(world.hall_staff)

    # No context: not found, exactly like a missing person; a sequential id is not an id.
    bare = staff.get(url)
    assert bare.status_code == 404
    assert bare.json() == staff.get(f"{API}/persons/{'A' * 22}").json()
    assert staff.get(f"{API}/persons/{world.person.pk}").status_code == 404
    # A context that does not hold is no context.
    for wrong in (f"booking:{tomorrow.pk}", f"booking:{other.pk}", "booking:999999", "call:1"):
        assert staff.get(url, {"context": wrong}).status_code == 404, wrong
    # Another hall's staff with this hall's booking: not theirs.
    elsewhere = _client(world.other_staff).get(url, {"context": f"booking:{booking.pk}"})
    assert elsewhere.status_code == 404
    assert not AuditEvent.objects.filter(action="person.read").exists()

    response = staff.get(url, {"context": f"booking:{booking.pk}"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == world.person.public_id
    assert body["resident_id"] == world.person.resident_id  # the window checks the card
    event = AuditEvent.objects.get(action="person.read")
    assert event.actor_id == world.hall_staff.pk
    assert event.after["context"] == f"booking:{booking.pk}"


def test_a_cancelled_booking_is_no_context(world: World) -> None:
    booking = _booking(world, world.person, day=timezone.localdate(), number="B-CANCEL")
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    response = _client(world.hall_staff).get(
        f"{API}/persons/{world.person.public_id}", {"context": f"booking:{booking.pk}"}
    )
    assert response.status_code == 404


def test_a_malformed_context_is_a_coded_422() -> None:
    person = PersonFactory()
    hall = _client(UserFactory(role=Role.HALL_STAFF))
    for bad in ("booking", "booking:x", "phone:12", "booking:99999999999999999999", "call:-1"):
        response = hall.get(f"{API}/persons/{person.public_id}", {"context": bad})
        assert response.status_code == 422, bad
        assert response.json()["code"] in {"person_context.invalid", "validation_failed"}


def test_an_agent_reads_the_caller_on_their_line_only() -> None:
    person = PersonFactory(mobile="13812345678")
    agent = UserFactory(role=Role.HOTLINE_AGENT)
    other_agent = UserFactory(role=Role.HOTLINE_AGENT)
    pbx = gateway_register(
        actor=Actor.system("test"),
        name="交换机",
        kind=GatewayKind.PBX,
        user=UserFactory(role=Role.HOTLINE_AGENT),
    )
    now = timezone.now()
    call = Call.objects.create(
        gateway=pbx,
        call_id="c-1",
        caller_number="+86 138 1234 5678",
        state=CallState.ANSWERED,
        agent=agent,
        answered_at=now,
    )
    stranger = Call.objects.create(
        gateway=pbx,
        call_id="c-2",
        caller_number="13900000000",
        state=CallState.ANSWERED,
        agent=agent,
        answered_at=now,
    )
    url = f"{API}/persons/{person.public_id}"
    assert _client(agent).get(url).status_code == 404
    assert _client(agent).get(url, {"context": f"call:{stranger.pk}"}).status_code == 404
    assert _client(other_agent).get(url, {"context": f"call:{call.pk}"}).status_code == 404

    body = _client(agent).get(url, {"context": f"call:{call.pk}"}).json()
    assert body["mobile"] == "13812345678"
    assert AuditEvent.objects.get(action="person.read").after["context"] == f"call:{call.pk}"

    # The call ends: so does the context.
    Call.objects.filter(pk=call.pk).update(state=CallState.ENDED, ended_at=now)
    assert _client(agent).get(url, {"context": f"call:{call.pk}"}).status_code == 404
