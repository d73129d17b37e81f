"""Statuses and choices of the halls and their bookings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable


class HallLevel(models.TextChoices):
    """The four levels of 四级政务服务大厅."""

    CITY = "city", _("市级")  # the city's service centre
    DISTRICT = "district", _("区级")  # one of the 11 district centres
    STREET = "street", _("街镇级")  # a street's or a town's centre
    COMMUNITY = "community", _("村居级")  # a community's (or a village's) service station


class BookingStatus(models.TextChoices):
    HELD = "held", _("待确认")  # a seat kept for a few minutes while the person confirms
    BOOKED = "booked", _("已预约")  # confirmed: the seat is the person's
    CHECKED_IN = "checked_in", _("已签到")  # arrived at the hall (check-in is a later part)
    NO_SHOW = "no_show", _("爽约")  # the slot passed and the person did not come
    CANCELLED = "cancelled", _("已取消")  # by the person, an agent, or the hall (closure)
    EXPIRED = "expired", _("已超时")  # a hold not confirmed in time; the seat went back


BOOKING_FLOW = TransitionTable.build(
    "booking",
    {
        BookingStatus.HELD: {BookingStatus.BOOKED, BookingStatus.EXPIRED, BookingStatus.CANCELLED},
        BookingStatus.BOOKED: {
            BookingStatus.CHECKED_IN,
            BookingStatus.NO_SHOW,
            BookingStatus.CANCELLED,
        },
        BookingStatus.CHECKED_IN: set(),
        BookingStatus.NO_SHOW: set(),
        BookingStatus.CANCELLED: set(),
        BookingStatus.EXPIRED: set(),
    },
)

# Bookings that hold a seat of their slot (and count against the person's limits).
ACTIVE_STATUSES = frozenset({BookingStatus.HELD, BookingStatus.BOOKED})


class CancelReason(models.TextChoices):
    BY_PERSON = "by_person", _("本人取消")  # the person (or an agent on their behalf)
    RESCHEDULED = "rescheduled", _("已改约")  # replaced by a booking of another slot
    HALL_CLOSED = "hall_closed", _("大厅闭厅")  # the hall closed that day (a typhoon)
