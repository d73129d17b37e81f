"""When a hall opens, and the slots made from its hours."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hongmian.appointments.models import HallClosure, OpeningHours, Slot
from hongmian.appointments.selectors import hall_opening, slot_list
from hongmian.appointments.services.halls import hall_closure_create
from hongmian.appointments.services.slots import slots_generate
from hongmian.core.actors import Actor
from hongmian.core.errors import ValidationFailed
from hongmian.core.services import calendar_override_set

from .conftest import DAY, NOW, World

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def test_a_working_day_opens_with_its_two_spans(world: World) -> None:
    opening = hall_opening(world.hall, DAY)
    assert opening.is_open
    assert opening.spans == ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))


def test_holidays_and_weekends_close_and_a_makeup_saturday_opens_with_monday_hours(
    world: World,
) -> None:
    national_day = hall_opening(world.hall, dt.date(2026, 10, 1))
    assert not national_day.is_open
    assert "国庆" in national_day.reason
    assert not hall_opening(world.hall, dt.date(2026, 12, 12)).is_open  # a plain Saturday
    makeup = hall_opening(world.hall, dt.date(2026, 9, 20))  # Sunday worked for National Day
    assert makeup.spans == hall_opening(world.hall, DAY).spans


def test_weekend_hours_of_the_hall_open_a_plain_saturday(world: World) -> None:
    OpeningHours.objects.create(hall=world.hall, weekday=5, opens=dt.time(9), closes=dt.time(12))
    assert hall_opening(world.hall, dt.date(2026, 12, 12)).spans == ((dt.time(9), dt.time(12)),)
    assert not hall_opening(world.hall, dt.date(2026, 10, 3)).is_open  # a holiday Saturday


def test_an_administrators_day_off_and_a_hall_closure_close_the_hall(world: World) -> None:
    calendar_override_set(actor=SYSTEM, day=DAY, kind="holiday", name="台风停工")
    assert hall_opening(world.hall, DAY).reason.endswith("台风停工休息")
    tuesday = DAY + dt.timedelta(days=1)
    HallClosure.objects.create(hall=world.hall, start=tuesday, end=tuesday, reason="装修")
    assert not hall_opening(world.hall, tuesday).is_open
    assert "装修" in hall_opening(world.hall, tuesday).reason


def test_slots_follow_the_hours_with_the_windows_seats_and_none_on_closed_days(
    world: World,
) -> None:
    slots = world.slots()
    assert len(slots) == 6 + 8  # 09:00–12:00 and 13:30–17:30 in 30 minutes
    assert {s.capacity for s in slots} == {4}  # two windows × two people
    assert slots[0].starts_at.astimezone(dt.UTC).hour == 1  # 09:00 in Guangzhou
    # Again, over a week: existing slots are kept, closed days (the weekend) get none.
    made = slots_generate(
        actor=SYSTEM, days=7, start=DAY - dt.timedelta(days=2), halls=[world.hall]
    )
    assert made == 14 * 4  # Tuesday to Friday; Saturday, Sunday and Monday's existing slots
    assert not Slot.objects.filter(day=DAY - dt.timedelta(days=1)).exists()


def test_a_closure_entered_after_the_slots_hides_them(world: World) -> None:
    assert len(slot_list(hall=world.hall, day=DAY, now=NOW)) == 14
    HallClosure.objects.create(hall=world.hall, start=DAY, end=DAY, reason="台风")
    assert slot_list(hall=world.hall, day=DAY, now=NOW) == []


def test_a_closure_must_end_after_it_starts_and_say_why(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        hall_closure_create(
            actor=SYSTEM, hall=world.hall, start=DAY, end=DAY - dt.timedelta(1), reason="x"
        )
    assert exc.value.code == "appointment.closure_span_invalid"
    with pytest.raises(ValidationFailed) as exc:
        hall_closure_create(actor=SYSTEM, hall=world.hall, start=DAY, end=DAY, reason=" ")
    assert exc.value.code == "appointment.closure_reason_required"
    assert not HallClosure.objects.exists()


def test_the_command_closes_a_hall_and_refuses_a_bad_span_with_its_code(world: World) -> None:
    with pytest.raises(CommandError, match=r"appointment\.closure_span_invalid"):
        call_command(
            "appointments",
            "close",
            "--hall",
            "HT",
            "--from",
            "2026-12-15",
            "--to",
            "2026-12-14",
            "--reason",
            "台风",
        )
    out = StringIO()
    call_command(
        "appointments",
        "close",
        "--hall",
        "HT",
        "--from",
        "2026-12-14",
        "--to",
        "2026-12-14",
        "--reason",
        "台风停工",
        stdout=out,
    )
    assert "bookings cancelled: 0" in out.getvalue()
    assert not hall_opening(world.hall, DAY).is_open
