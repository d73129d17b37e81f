"""The public contract of /api/appointments/: halls and free seats for everyone, bookings
for the person and for an agent's caller, someone else's booking looking like none."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.appointments.models import Booking, Slot
from hongmian.appointments.services.slots import slots_generate
from hongmian.appointments.states import BookingStatus
from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.identity.models import User

from .conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world: World) -> dt.date:
    """A working day a few days ahead of the real today: the API books against the clock."""
    chosen = calendar.add_workdays(timezone.localdate(), 3)
    slots_generate(actor=Actor.system("test"), days=1, start=chosen, halls=[world.hall])
    return chosen


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def first_slot(world: World, day: dt.date) -> Slot:
    return Slot.objects.filter(hall=world.hall, day=day).order_by("starts_at").first()  # type: ignore[return-value]


def test_halls_and_their_free_seats_are_public(world: World, day: dt.date) -> None:
    anonymous = client_of(None)
    page = anonymous.get("/api/appointments/halls", {"district": "440106000"}).json()
    assert page["count"] == 1
    assert page["items"][0]["name"] == "天河区政务服务中心"
    assert anonymous.get("/api/appointments/halls", {"level": "city"}).json()["count"] == 0
    assert anonymous.get("/api/appointments/halls", {"level": "moon"}).status_code == 422
    slots = anonymous.get(
        f"/api/appointments/halls/{world.hall.pk}/slots", {"day": day.isoformat()}
    ).json()
    assert slots["open"]
    assert len(slots["slots"]) == 14
    assert slots["slots"][0]["free"] == 4
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7 or 7)
    closed = anonymous.get(
        f"/api/appointments/halls/{world.hall.pk}/slots", {"day": saturday.isoformat()}
    ).json()
    assert closed["open"] is False
    assert closed["slots"] == []
    assert closed["reason"]


def test_book_confirm_list_and_cancel_through_the_api(world: World, day: dt.date) -> None:
    client = client_of(world.citizen)
    slot = first_slot(world, day)
    made = post(client, "/api/appointments/bookings", {"slot_id": slot.pk, "item": "T-0001"})
    assert made.status_code == 201, made.content
    booking = made.json()
    assert booking["status"] == "held"
    assert booking["held_until"]
    confirmed = post(client, f"/api/appointments/bookings/{booking['id']}/confirm")
    assert confirmed.json()["status"] == "booked"
    mine = client.get("/api/appointments/bookings").json()
    assert mine["count"] == 1
    assert mine["items"][0]["number"] == booking["number"]
    again = post(client, "/api/appointments/bookings", {"slot_id": slot.pk, "item": "T-0002"})
    assert (again.status_code, again.json()["code"]) == (409, "appointment.already_booked")
    cancelled = post(client, f"/api/appointments/bookings/{booking['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_someone_elses_booking_looks_like_none(world: World, day: dt.date) -> None:
    mine = post(
        client_of(world.citizen),
        "/api/appointments/bookings",
        {"slot_id": first_slot(world, day).pk, "item": "T-0001"},
    ).json()
    stranger = client_of(world.other_citizen)
    for response in (
        stranger.get(f"/api/appointments/bookings/{mine['id']}"),
        post(stranger, f"/api/appointments/bookings/{mine['id']}/cancel"),
        stranger.get("/api/appointments/bookings/999999"),
    ):
        assert (response.status_code, response.json()["code"]) == (
            404,
            "appointment.booking_not_found",
        )
    assert Booking.objects.get(pk=mine["id"]).status == BookingStatus.HELD


def test_an_agent_books_for_the_caller_found_by_mobile(world: World, day: dt.date) -> None:
    agent = client_of(world.agent)
    body = {"slot_id": first_slot(world, day).pk, "item": "T-0001"}
    missing = post(agent, "/api/appointments/bookings", body)
    assert (missing.status_code, missing.json()["code"]) == (422, "appointment.caller_required")
    made = post(agent, "/api/appointments/bookings", body | {"caller_mobile": world.person.mobile})
    assert made.status_code == 201
    booking = Booking.objects.get(pk=made.json()["id"])
    assert booking.person == world.person
    assert booking.created_by == world.agent
    assert made.json()["person"] != world.person.name  # masked


def test_full_slot_closed_item_and_anonymous_are_coded(world: World, day: dt.date) -> None:
    slot = first_slot(world, day)
    Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    client = client_of(world.citizen)
    full = post(client, "/api/appointments/bookings", {"slot_id": slot.pk, "item": "T-0001"})
    assert (full.status_code, full.json()["code"]) == (409, "appointment.slot_full")
    unknown = post(client, "/api/appointments/bookings", {"slot_id": slot.pk, "item": "NOPE"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "appointment.item_unknown")
    anonymous = post(client_of(None), "/api/appointments/bookings", {"slot_id": 1, "item": "x"})
    assert anonymous.status_code == 401


def test_the_booking_doors_are_rate_limited_per_account(
    world: World, day: dt.date, settings: Any
) -> None:
    settings.HONGMIAN_APPOINTMENTS = {"rate_per_account": 2}
    client = client_of(world.citizen)
    slot = first_slot(world, day)
    codes = [
        post(client, "/api/appointments/bookings", {"slot_id": slot.pk, "item": "NOPE"}).json()[
            "code"
        ]
        for _ in range(3)
    ]
    assert codes == [
        "appointment.item_unknown",
        "appointment.item_unknown",
        "appointment.rate_limited",
    ]
