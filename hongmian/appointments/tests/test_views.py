"""The booking screens: the finder shows true free seats and closed days, a hold goes to
the booking's page, 我的预约 counts and pages, the hall's day is its staff's only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.appointments.models import Booking, HallClosure, Slot
from hongmian.appointments.services.slots import slots_generate
from hongmian.appointments.states import BookingStatus
from hongmian.appointments.views import BOOKINGS_PER_PAGE
from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.identity.models import User

from .conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world: World) -> dt.date:
    chosen = calendar.add_workdays(timezone.localdate(), 3)
    slots_generate(actor=Actor.system("test"), days=1, start=chosen, halls=[world.hall])
    return chosen


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def finder(world: World, day: dt.date) -> dict[str, str]:
    return {"item": "T-0001", "hall": str(world.hall.pk), "day": day.isoformat()}


def test_the_finder_shows_each_slots_true_free_seats(world: World, day: dt.date) -> None:
    first = Slot.objects.filter(day=day).order_by("starts_at").first()
    assert first is not None
    Slot.objects.filter(pk=first.pk).update(booked=3)
    html = client_of(world.citizen).get("/appointments/", finder(world, day)).content.decode()
    assert "余 1 个" in html
    assert html.count("余 4 个") == 13
    Slot.objects.filter(pk=first.pk).update(booked=4)
    html = client_of(world.citizen).get("/appointments/", finder(world, day)).content.decode()
    assert "已约满" in html
    assert f'value="{first.pk}" id="slot-{first.pk}" disabled' in html


def test_a_closed_day_says_why_and_offers_nothing(world: World, day: dt.date) -> None:
    HallClosure.objects.create(hall=world.hall, start=day, end=day, reason="台风停工")
    html = client_of(world.citizen).get("/appointments/", finder(world, day)).content.decode()
    assert "台风停工" in html
    assert 'name="slot"' not in html


def test_hold_confirm_and_the_list(world: World, day: dt.date) -> None:
    client = client_of(world.citizen)
    slot = Slot.objects.filter(day=day).order_by("starts_at").first()
    assert slot is not None
    response = client.post("/appointments/hold", {"slot": slot.pk, "item": "T-0001"})
    booking = Booking.objects.get(person=world.person)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{booking.pk}/")
    client.post(f"/appointments/bookings/{booking.pk}/confirm")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    page = client.get("/me/appointments/").content.decode()
    assert booking.number in page
    assert "共 1 条" in page
    # A refusal is shown on the form with its message, nothing written.
    again = client.post("/appointments/hold", {"slot": slot.pk, "item": "T-0002"})
    assert again.status_code == 422
    assert "您已预约该时段" in again.content.decode()


def test_my_list_counts_all_and_pages(world: World, day: dt.date) -> None:
    slots = list(Slot.objects.filter(day=day).order_by("starts_at"))
    Booking.objects.bulk_create(
        Booking(
            number=f"T{n:08d}",
            slot=slots[n % len(slots)],
            item=world.item,
            person=world.person,
            status=BookingStatus.CANCELLED,
            via="web",
        )
        for n in range(BOOKINGS_PER_PAGE + 3)
    )
    client = client_of(world.citizen)
    assert f"共 {BOOKINGS_PER_PAGE + 3} 条" in client.get("/me/appointments/").content.decode()
    second = client.get("/me/appointments/", {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second
    assert second.count("/appointments/bookings/") == 3


def test_the_hall_day_is_its_staffs_not_another_halls(world: World, day: dt.date) -> None:
    url = f"/appointments/halls/{world.hall.pk}/day/"
    html = client_of(world.hall_staff).get(url, {"day": day.isoformat()}).content.decode()
    assert 'id="day-slots"' in html
    assert "共 0 条" in html
    assert client_of(world.other_staff).get(url).status_code == 404
    assert client_of(world.citizen).get(url).status_code == 403
    # The list of halls leads each hall's staff to theirs only.
    mine = client_of(world.hall_staff).get("/appointments/halls/").content.decode()
    assert url in mine
    assert "共 1 个" in mine
    theirs = client_of(world.other_staff).get("/appointments/halls/").content.decode()
    assert url not in theirs
    assert "共 0 个" in theirs
