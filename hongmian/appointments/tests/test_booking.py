"""Holding, confirming, cancelling and rescheduling bookings, and every coded refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from hongmian.appointments.models import Booking, HallClosure, OpeningHours, ReminderSms, Slot
from hongmian.appointments.selectors import access_booking
from hongmian.appointments.services.booking import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_mark_no_show,
    booking_reschedule,
    holds_release,
)
from hongmian.appointments.services.halls import hall_closure_create
from hongmian.appointments.services.reminders import reminders_send
from hongmian.appointments.services.slots import slots_generate
from hongmian.appointments.states import BookingStatus, CancelReason
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.models import AuditEvent
from hongmian.identity.tests.factories import PersonFactory

from .conftest import DAY, NOW, World, actor_of

pytestmark = pytest.mark.django_db


def hold(world: World, slot: Slot, *, person=None, item=None, now=NOW) -> Booking:  # type: ignore[no-untyped-def]
    return booking_hold(
        actor=actor_of(world.citizen),
        person=person or world.person,
        slot_id=slot.pk,
        item=item or world.item,
        now=now,
    )


def refused(code: str, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code, exc.value.message


def test_hold_then_confirm_books_the_seat_audits_and_texts(world: World) -> None:
    slot = world.slots()[0]
    booking = hold(world, slot)
    assert booking.status == BookingStatus.HELD
    assert booking.held_until == NOW + dt.timedelta(minutes=5)
    slot.refresh_from_db()
    assert slot.booked == 1
    booking_confirm(actor=actor_of(world.citizen), booking_id=booking.pk, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert booking.held_until is None
    actions = list(
        AuditEvent.objects.filter(target_type="appointments.booking", target_id=str(booking.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["appointment.booking_held", "appointment.booking_booked"]
    sms = ReminderSms.objects.get(booking=booking)
    assert sms.kind == "booked"
    assert booking.number in sms.text
    assert sms.phone == world.person.mobile


def test_the_last_seat_goes_once_and_the_next_request_hears_slot_full(world: World) -> None:
    slot = world.slots()[0]
    for _ in range(4):
        hold(world, slot, person=PersonFactory())
    refused("appointment.slot_full", hold, world, slot)
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 4
    assert not Booking.objects.filter(person=world.person).exists()


def test_a_late_confirmation_releases_the_seat(world: World) -> None:
    slot = world.slots()[0]
    booking = hold(world, slot)
    late = NOW + dt.timedelta(minutes=6)
    refused(
        "appointment.hold_expired",
        booking_confirm,
        actor=actor_of(world.citizen),
        booking_id=booking.pk,
        now=late,
    )
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert slot.booked == 0


def test_the_release_job_expires_stale_holds_only(world: World) -> None:
    first, second = world.slots()[:2]
    stale = hold(world, first)
    fresh = hold(world, second, item=world.other_item, now=NOW + dt.timedelta(minutes=4))
    assert holds_release(actor=actor_of(None), now=NOW + dt.timedelta(minutes=6)) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (BookingStatus.EXPIRED, BookingStatus.HELD)
    assert Slot.objects.get(pk=first.pk).booked == 0


def test_per_person_limits(world: World) -> None:
    slots = world.slots()
    hold(world, slots[0])
    refused("appointment.already_booked", hold, world, slots[0], item=world.other_item)
    refused("appointment.limit_item_day", hold, world, slots[1])
    hold(world, slots[1], item=world.other_item)
    # A third active booking on another day is allowed; a fourth is over the limit.
    world.hall.hours.create(weekday=5, opens=dt.time(9), closes=dt.time(10))
    slots_generate(
        actor=actor_of(None), days=1, start=DAY + dt.timedelta(days=1), halls=[world.hall]
    )
    tuesday = world.slots(DAY + dt.timedelta(days=1))
    hold(world, tuesday[0])
    refused("appointment.limit_active", hold, world, tuesday[1], item=world.other_item)


def test_three_no_shows_in_90_days_suspend_booking_for_30_days(world: World) -> None:
    slots = world.slots()
    for slot in slots[:3]:
        booking = hold(world, slot, person=world.person, item=world.item)
        booking_confirm(actor=actor_of(world.citizen), booking_id=booking.pk, now=NOW)
        after = slot.ends_at + dt.timedelta(hours=1)
        booking_mark_no_show(actor=actor_of(None), booking_id=booking.pk, now=after)
    # (three bookings of one item on one day: each was held before the previous was judged)
    later = NOW + dt.timedelta(days=10)
    next_day_slot = Slot.objects.create(
        hall=world.hall,
        group=world.group,
        day=dt.date(2026, 12, 22),
        starts_at=dt.datetime(2026, 12, 22, 9, tzinfo=NOW.tzinfo),
        ends_at=dt.datetime(2026, 12, 22, 9, 30, tzinfo=NOW.tzinfo),
        capacity=4,
    )
    refused("appointment.suspended", hold, world, next_day_slot, now=later)
    # 30 days after the last no-show the person may book again.
    free = slots[2].ends_at + dt.timedelta(days=30, minutes=1)
    assert free < next_day_slot.starts_at + dt.timedelta(days=60)
    far = Slot.objects.create(
        hall=world.hall,
        group=world.group,
        day=dt.date(2027, 1, 18),
        starts_at=dt.datetime(2027, 1, 18, 9, tzinfo=NOW.tzinfo),
        ends_at=dt.datetime(2027, 1, 18, 9, 30, tzinfo=NOW.tzinfo),
        capacity=4,
    )
    assert hold(world, far, now=free).status == BookingStatus.HELD


def test_closed_day_outside_hours_past_slot_and_foreign_item_are_refused(world: World) -> None:
    slots = world.slots()
    refused("appointment.slot_past", hold, world, slots[0], now=slots[0].starts_at)
    # Hours shortened after the slots were made: the afternoon slots are outside them.
    OpeningHours.objects.filter(hall=world.hall, opens=dt.time(13, 30)).update(
        closes=dt.time(15, 0)
    )
    refused("appointment.outside_hours", hold, world, slots[-1])
    HallClosure.objects.create(hall=world.hall, start=DAY, end=DAY, reason="台风")
    refused("appointment.closed_day", hold, world, slots[0])
    world.group.items.remove(world.other_item)
    refused("appointment.item_not_handled", hold, world, slots[0], item=world.other_item)
    assert Slot.objects.filter(booked__gt=0).count() == 0


def test_a_typhoon_closure_cancels_the_days_bookings_and_texts_each(world: World) -> None:
    slot = world.slots()[0]
    booking = hold(world, slot)
    booking_confirm(actor=actor_of(world.citizen), booking_id=booking.pk, now=NOW)
    _closure, cancelled = hall_closure_create(
        actor=actor_of(None), hall=world.hall, start=DAY, end=DAY, reason="台风“海葵”停工"
    )
    booking.refresh_from_db()
    assert cancelled == 1
    assert (booking.status, booking.cancel_reason) == (
        BookingStatus.CANCELLED,
        CancelReason.HALL_CLOSED,
    )
    assert ReminderSms.objects.filter(booking=booking, kind="cancelled").exists()
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_someone_elses_booking_is_not_found_and_not_yours_to_change(world: World) -> None:
    booking = hold(world, world.slots()[0])
    with pytest.raises(NotFound):
        access_booking(world.other_citizen, booking.pk)
    with pytest.raises(NotFound):
        access_booking(world.other_staff, booking.pk)
    assert access_booking(world.hall_staff, booking.pk) == booking  # its hall sees it
    assert access_booking(world.agent, booking.pk) == booking
    for user in (world.other_citizen, world.hall_staff):
        refused(
            "appointment.not_yours",
            booking_cancel,
            actor=actor_of(user),
            booking_id=booking.pk,
            now=NOW,
        )
    # The hotline agent cancels for the caller.
    booking_cancel(actor=actor_of(world.agent), booking_id=booking.pk, now=NOW)
    refused(
        "booking.illegal_transition",
        booking_cancel,
        actor=actor_of(world.citizen),
        booking_id=booking.pk,
        now=NOW,
    )


def test_reschedule_keeps_the_old_booking_until_the_new_one_is_confirmed(world: World) -> None:
    first, second = world.slots()[:2]
    old = hold(world, first)
    booking_confirm(actor=actor_of(world.citizen), booking_id=old.pk, now=NOW)
    new = booking_reschedule(
        actor=actor_of(world.citizen), booking_id=old.pk, slot_id=second.pk, now=NOW
    )
    old.refresh_from_db()
    assert old.status == BookingStatus.BOOKED
    assert new.rescheduled_from == old
    booking_confirm(actor=actor_of(world.citizen), booking_id=new.pk, now=NOW)
    old.refresh_from_db()
    assert (old.status, old.cancel_reason) == (BookingStatus.CANCELLED, CancelReason.RESCHEDULED)
    assert [Slot.objects.get(pk=s.pk).booked for s in (first, second)] == [0, 1]


def test_reminders_go_once_to_bookings_within_a_day(world: World) -> None:
    slot = world.slots()[0]
    booking = hold(world, slot)
    booking_confirm(actor=actor_of(world.citizen), booking_id=booking.pk, now=NOW)
    assert reminders_send(now=NOW) == 0  # three days ahead
    eve = slot.starts_at - dt.timedelta(hours=20)
    assert reminders_send(now=eve) == 1
    assert reminders_send(now=eve) == 0
    assert "提醒" in ReminderSms.objects.get(booking=booking, kind="reminder").text
