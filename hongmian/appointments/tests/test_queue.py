"""Check-in and the hall's line: the check-in window (early, on time, late → walk-in),
the order of the line (priority, appointments, walk-ins), numbering, transfer, no-show,
the no-show sweep after check-in, and the waiting and service times."""

from __future__ import annotations

import datetime as dt

import pytest

from hongmian.appointments.models import Booking, ItemGroup, QueueTicket, TicketEvent, Window
from hongmian.appointments.selectors_queue import (
    group_lines,
    queue_times,
    window_waiting,
)
from hongmian.appointments.services.booking import (
    booking_confirm,
    booking_hold,
    bookings_sweep_no_shows,
)
from hongmian.appointments.services.checkin import booking_check_in, booking_check_in_by_number
from hongmian.appointments.services.queue import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    ticket_transfer,
)
from hongmian.appointments.states import (
    BookingStatus,
    PriorityReason,
    TicketStatus,
)
from hongmian.core.actors import Actor
from hongmian.core.calendar import CALENDAR_TZ
from hongmian.core.errors import ApplicationError
from hongmian.core.models import AuditEvent
from hongmian.identity import fakes
from hongmian.identity.models import Person
from hongmian.identity.tests.factories import PersonFactory

from .conftest import DAY, NOW, World, actor_of

pytestmark = pytest.mark.django_db

NINE = dt.datetime.combine(DAY, dt.time(9, 0), tzinfo=CALENDAR_TZ)


def young(n: int = 1) -> Person:
    person: Person = PersonFactory(resident_id=fakes.resident_id("440106", dt.date(1990, 5, n), n))
    return person


def booked(world: World, person: Person, *, at: dt.time = dt.time(9, 0)) -> Booking:
    slot = next(s for s in world.slots() if s.starts_at.astimezone(CALENDAR_TZ).time() == at)
    actor = actor_of(world.agent)
    booking = booking_hold(actor=actor, person=person, slot_id=slot.pk, item=world.item, now=NOW)
    return booking_confirm(actor=actor, booking_id=booking.pk, now=NOW)


def refused(code: str, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code, exc.value.message


def staff(world: World) -> Actor:
    return actor_of(world.hall_staff)


def windows(world: World) -> list[Window]:
    return list(Window.objects.filter(hall=world.hall).order_by("number"))


def test_check_in_opens_30_minutes_before_and_gives_an_appointment_ticket(world: World) -> None:
    booking = booked(world, young())
    early = NINE - dt.timedelta(minutes=31)
    refused(
        "appointment.checkin_too_early",
        booking_check_in,
        actor=staff(world),
        booking=booking,
        at=early,
    )
    ticket = booking_check_in_by_number(
        actor=staff(world),
        hall=world.hall,
        number=booking.number.lower(),
        at=NINE - dt.timedelta(minutes=30),
    )
    assert (ticket.number, ticket.kind, ticket.late, ticket.priority) == (
        "A001",
        "appointment",
        False,
        False,
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    refused(
        "appointment.already_checked_in",
        booking_check_in,
        actor=staff(world),
        booking=booking,
        at=NINE,
    )
    assert QueueTicket.objects.count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"appointment.booking_checked_in", "appointment.ticket_issued"} <= actions


def test_late_check_in_joins_the_walk_in_line_marked_late(world: World) -> None:
    booking = booked(world, young())
    on_time = booked(world, young(2))
    late = booking_check_in(actor=staff(world), booking=booking, at=NINE + dt.timedelta(minutes=16))
    assert (late.number, late.kind, late.late) == ("B001", "walk_in", True)
    edge = booking_check_in(actor=staff(world), booking=on_time, at=NINE + dt.timedelta(minutes=15))
    assert (edge.number, edge.kind) == ("A001", "appointment")


def test_check_in_refusals_are_coded_and_write_nothing(world: World) -> None:
    booking = booked(world, young())
    refused(
        "appointment.checkin_wrong_day",
        booking_check_in,
        actor=staff(world),
        booking=booking,
        at=NINE - dt.timedelta(days=1),
    )
    held = booking_hold(
        actor=actor_of(world.agent),
        person=young(3),
        slot_id=booking.slot_id,
        item=world.item,
        now=NOW,
    )
    refused(
        "appointment.not_confirmed", booking_check_in, actor=staff(world), booking=held, at=NINE
    )
    refused(
        "appointment.booking_not_found",
        booking_check_in_by_number,
        actor=staff(world),
        hall=world.hall,
        number="YY000000DEADBEEF",
    )
    assert not QueueTicket.objects.exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_the_elderly_are_found_from_the_id_number_and_called_first(world: World) -> None:
    elder = booked(
        world, PersonFactory(resident_id=fakes.resident_id("440106", dt.date(1950, 3, 1), 7))
    )
    walk_in = ticket_issue(
        actor=staff(world), group=world.group, now=NINE - dt.timedelta(minutes=20)
    )
    appointment = booking_check_in(
        actor=staff(world), booking=booked(world, young()), at=NINE - dt.timedelta(minutes=10)
    )
    disabled = ticket_issue(
        actor=staff(world),
        group=world.group,
        priority_reason=PriorityReason.DISABLED,
        now=NINE - dt.timedelta(minutes=5),
    )
    old = booking_check_in(actor=staff(world), booking=elder, at=NINE)
    assert old.priority_reason == PriorityReason.ELDERLY
    first, second = windows(world)
    calls = []
    for n in range(4):
        window = first if n % 2 == 0 else second
        ticket = ticket_call_next(
            actor=staff(world), window_id=window.pk, now=NINE + dt.timedelta(minutes=n)
        )
        calls.append(ticket.pk)
        ticket_start(actor=staff(world), window_id=window.pk, ticket_id=ticket.pk, now=NINE)
        ticket_finish(actor=staff(world), window_id=window.pk, ticket_id=ticket.pk, now=NINE)
    # Priority by the time they joined, then the appointment, then the walk-in.
    assert calls == [disabled.pk, old.pk, appointment.pk, walk_in.pk]
    refused("queue.empty", ticket_call_next, actor=staff(world), window_id=first.pk, now=NINE)


def test_numbers_run_per_group_kind_and_day(world: World) -> None:
    other = ItemGroup.objects.create(hall=world.hall, name="社保医保")
    numbers = [
        ticket_issue(actor=staff(world), group=world.group, now=NINE).number,
        ticket_issue(actor=staff(world), group=world.group, now=NINE).number,
        ticket_issue(actor=staff(world), group=other, now=NINE).number,
        ticket_issue(actor=staff(world), group=world.group, now=NINE + dt.timedelta(days=1)).number,
    ]
    assert numbers == ["B001", "B002", "D001", "B001"]
    refused(
        "queue.priority_invalid",
        ticket_issue,
        actor=staff(world),
        group=world.group,
        priority_reason="vip",
        now=NINE,
    )


def test_a_window_serves_one_ticket_at_a_time_and_recalls_it(world: World) -> None:
    first, _second = windows(world)
    ticket_issue(actor=staff(world), group=world.group, now=NINE)
    ticket_issue(actor=staff(world), group=world.group, now=NINE)
    called = ticket_call_next(actor=staff(world), window_id=first.pk, now=NINE)
    refused("queue.window_busy", ticket_call_next, actor=staff(world), window_id=first.pk, now=NINE)
    ticket_recall(actor=staff(world), window_id=first.pk, ticket_id=called.pk, now=NINE)
    kinds = list(TicketEvent.objects.filter(ticket=called).values_list("kind", flat=True))
    assert kinds == ["issued", "called", "recalled"]
    refused(
        "ticket.illegal_transition",
        ticket_finish,
        actor=staff(world),
        window_id=first.pk,
        ticket_id=called.pk,
        now=NINE,
    )
    assert window_waiting(first, DAY) == 1


def test_no_show_at_the_window_leaves_the_booking_checked_in(world: World) -> None:
    booking = booked(world, young())
    ticket = booking_check_in(actor=staff(world), booking=booking, at=NINE)
    first, _second = windows(world)
    refused(
        "queue.ticket_not_found",
        ticket_no_show,
        actor=staff(world),
        window_id=first.pk,
        ticket_id=ticket.pk,
        now=NINE,
    )
    ticket_call_next(actor=staff(world), window_id=first.pk, now=NINE)
    ticket = ticket_no_show(actor=staff(world), window_id=first.pk, ticket_id=ticket.pk, now=NINE)
    assert ticket.status == TicketStatus.NO_SHOW
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_the_sweep_judges_only_bookings_not_checked_in(world: World) -> None:
    came = booked(world, young())
    missed = booked(world, young(2))
    booking_check_in(actor=staff(world), booking=came, at=NINE)
    swept = bookings_sweep_no_shows(actor=Actor.system("test"), now=NINE + dt.timedelta(hours=2))
    assert swept == 1
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.status, missed.status) == (BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


def test_a_transfer_keeps_the_place_in_the_new_line(world: World) -> None:
    other = ItemGroup.objects.create(hall=world.hall, name="社保医保")
    third = Window.objects.create(hall=world.hall, number="03", group=other)
    first, second = windows(world)[:2]
    moved = ticket_issue(actor=staff(world), group=world.group, now=NINE)
    later = ticket_issue(actor=staff(world), group=other, now=NINE + dt.timedelta(minutes=5))
    ticket_call_next(actor=staff(world), window_id=first.pk, now=NINE + dt.timedelta(minutes=6))
    ticket_start(actor=staff(world), window_id=first.pk, ticket_id=moved.pk, now=NINE)
    refused(
        "queue.transfer_target",
        ticket_transfer,
        actor=staff(world),
        window_id=first.pk,
        ticket_id=moved.pk,
    )
    ticket_transfer(
        actor=staff(world), window_id=first.pk, ticket_id=moved.pk, to_group_id=other.pk
    )
    moved.refresh_from_db()
    assert (moved.status, moved.group_id, moved.window_id) == (
        TicketStatus.TRANSFERRED,
        other.pk,
        None,
    )
    assert moved.queued_at == NINE
    assert (
        ticket_call_next(
            actor=staff(world), window_id=third.pk, now=NINE + dt.timedelta(minutes=7)
        ).pk
        == moved.pk
    )
    # Sent on to one window: only that one calls it.
    ticket_transfer(
        actor=staff(world), window_id=third.pk, ticket_id=moved.pk, to_window_id=second.pk
    )
    refused("queue.empty", ticket_call_next, actor=staff(world), window_id=first.pk, now=NINE)
    assert ticket_call_next(actor=staff(world), window_id=second.pk, now=NINE).pk == moved.pk
    assert later.status == TicketStatus.WAITING


def test_lines_and_times_count_true_figures(world: World) -> None:
    first, _second = windows(world)
    served = ticket_issue(actor=staff(world), group=world.group, now=NINE)
    ticket_issue(actor=staff(world), group=world.group, now=NINE + dt.timedelta(minutes=2))
    ticket_call_next(actor=staff(world), window_id=first.pk, now=NINE + dt.timedelta(minutes=4))
    ticket_start(
        actor=staff(world),
        window_id=first.pk,
        ticket_id=served.pk,
        now=NINE + dt.timedelta(minutes=5),
    )
    ticket_finish(
        actor=staff(world),
        window_id=first.pk,
        ticket_id=served.pk,
        now=NINE + dt.timedelta(minutes=15),
    )
    (line,) = group_lines(world.hall, DAY, now=NINE + dt.timedelta(minutes=20))
    assert (line.waiting, line.longest) == (1, dt.timedelta(minutes=18))
    groups, by_window = queue_times(world.hall, DAY, DAY)
    assert (groups[0].served, groups[0].avg_wait, groups[0].avg_service) == (
        1,
        dt.timedelta(minutes=4),
        dt.timedelta(minutes=10),
    )
    assert (by_window[0].label, by_window[0].served, by_window[1].served) == ("01", 1, 0)
