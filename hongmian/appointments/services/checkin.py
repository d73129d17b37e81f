"""Check-in (签到): a booked person arrives at the hall and gets a ticket.

The desk enters the booking number (`booking_check_in_by_number`); the city code's scan
(the citycode app) resolves the booking and calls `booking_check_in` the same way. The
window is the policy's: from `checkin_early_minutes` before the slot's start (earlier is
refused, `appointment.checkin_too_early`) to `checkin_late_minutes` after it — an
appointment ticket, called before walk-ins; later that day, a walk-in ticket marked late.
Either way the booking is checked in (已签到), which ends its no-show question: the sweep
only judges bookings still `booked`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.appointments.models import Booking, Hall, QueueTicket
from hongmian.appointments.policy import Policy, appointment_policy
from hongmian.appointments.services.booking import _locked, _move
from hongmian.appointments.services.queue import ticket_issue
from hongmian.appointments.states import BookingStatus, PriorityReason, TicketKind
from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.core.calendar import CALENDAR_TZ
from hongmian.core.errors import Conflict, NotFound, ValidationFailed


def person_is_elderly(resident_id: str, *, today: dt.date, policy: Policy) -> bool:
    """老年人: the birth date in the ID number is `priority_age` years or more ago; an ID
    number the check digit does not confirm says nothing (not elderly)."""
    try:
        born = validators.resident_id_birthdate(resident_id)
    except ValidationFailed:
        return False
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age >= policy.priority_age


def booking_check_in(
    *,
    actor: Actor,
    booking: Booking,
    at: dt.datetime | None = None,
    priority_reason: str = "",
) -> QueueTicket:
    """签到: move the booking to checked in and give its ticket. `priority_reason` is what
    the desk saw (a disability card); an elderly person's is found from the ID number."""
    policy = appointment_policy()
    now = at or timezone.now()
    with transaction.atomic():
        booking = _locked(booking.pk)
        if booking.status == BookingStatus.CHECKED_IN:
            raise Conflict(_("该预约已签到"), code="appointment.already_checked_in")
        if booking.status == BookingStatus.HELD:
            raise Conflict(_("该预约尚未确认，不能签到"), code="appointment.not_confirmed")
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(
                _("该预约%(status)s，不能签到") % {"status": booking.get_status_display()},
                code="appointment.not_checkinable",
            )
        slot = booking.slot
        today = now.astimezone(CALENDAR_TZ).date()
        if slot.day != today:
            raise Conflict(
                _("该预约是 %(day)s 的，请在当天签到") % {"day": slot.day},
                code="appointment.checkin_wrong_day",
            )
        opens = slot.starts_at - dt.timedelta(minutes=policy.checkin_early_minutes)
        if now < opens:
            raise Conflict(
                _("签到时间未到：%(at)s 起可签到")
                % {"at": f"{opens.astimezone(CALENDAR_TZ):%H:%M}"},
                code="appointment.checkin_too_early",
            )
        late = now > slot.starts_at + dt.timedelta(minutes=policy.checkin_late_minutes)
        if not priority_reason and person_is_elderly(
            booking.person.resident_id, today=today, policy=policy
        ):
            priority_reason = PriorityReason.ELDERLY
        _move(actor, booking, BookingStatus.CHECKED_IN, now=now)
        return ticket_issue(
            actor=actor,
            group=slot.group,
            kind=TicketKind.WALK_IN if late else TicketKind.APPOINTMENT,
            priority_reason=priority_reason,
            booking=booking,
            late=late,
            now=now,
        )


def booking_check_in_by_number(
    *,
    actor: Actor,
    hall: Hall,
    number: str,
    at: dt.datetime | None = None,
    priority_reason: str = "",
) -> QueueTicket:
    """The desk's check-in: the booking number the person shows (SMS or 我的预约), at the
    hall it was booked for; another hall's booking reads as not found."""
    booking = (
        Booking.objects.filter(number=number.strip().upper(), slot__hall=hall).only("pk").first()
    )
    if booking is None:
        raise NotFound(_("本大厅没有这个预约号"), code="appointment.booking_not_found")
    return booking_check_in(actor=actor, booking=booking, at=at, priority_reason=priority_reason)
