"""SMS about bookings (预约短信): written to the app's outbound log (`ReminderSms`), one
per booking and kind; the gateway that sends the log is the telephony app's concern."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.appointments.models import Booking, ReminderSms
from hongmian.appointments.policy import appointment_policy
from hongmian.appointments.states import BookingStatus
from hongmian.core import calendar


def _text(booking: Booking, kind: str) -> str:
    start = booking.slot.starts_at.astimezone(calendar.CALENDAR_TZ)
    values = {
        "when": f"{start:%Y-%m-%d %H:%M}",
        "hall": booking.slot.hall.name,
        "item": booking.item.name,
        "number": booking.number,
    }
    if kind == "cancelled":
        return (
            _("【红棉政务】您%(when)s在%(hall)s办理“%(item)s”的预约（%(number)s）已取消。") % values
        )
    if kind == "reminder":
        return (
            _(
                "【红棉政务】提醒：您已预约%(when)s在%(hall)s办理“%(item)s”，预约号%(number)s，"
                "请携带身份证件按时到达。"
            )
            % values
        )
    return _("【红棉政务】预约成功：%(when)s在%(hall)s办理“%(item)s”，预约号%(number)s。") % values


def booking_sms(booking: Booking, *, kind: str) -> ReminderSms | None:
    """Log one SMS of `kind` for the booking (inside the caller's transaction); None when
    the person has no mobile or the text was already logged."""
    phone = booking.person.mobile
    if not phone:
        return None
    try:
        with transaction.atomic():
            return ReminderSms.objects.create(
                booking=booking, kind=kind, phone=phone, text=_text(booking, kind)
            )
    except IntegrityError:
        return None


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Text every booked person whose slot starts within `remind_hours` (once each)."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=appointment_policy().remind_hours)
    due = (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            slot__starts_at__gt=now,
            slot__starts_at__lte=horizon,
        )
        .exclude(reminders__kind="reminder")
        .select_related("slot__hall", "item", "person")
    )
    sent = 0
    for booking in due.iterator(chunk_size=500):
        with transaction.atomic():
            if booking_sms(booking, kind="reminder") is not None:
                sent += 1
    return sent
