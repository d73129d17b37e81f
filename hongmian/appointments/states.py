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


# --- the hall's queue (check-in and tickets) ---------------------------------------------------


class TicketKind(models.TextChoices):
    APPOINTMENT = "appointment", _("预约")  # a booking checked in within its window
    WALK_IN = "walk_in", _("现场")  # issued at the desk, or a booking checked in late


class PriorityReason(models.TextChoices):
    ELDERLY = "elderly", _("老年人")  # aged `policy.priority_age` or over (from the ID number)
    DISABLED = "disabled", _("残疾人")  # stated at the desk (the disability card seen)


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")  # in line for its group (or the window it was sent to)
    CALLED = "called", _("已叫号")  # a window called it; the person walks up
    SERVING = "serving", _("办理中")  # the window is serving the person
    DONE = "done", _("已办结")  # served
    NO_SHOW = "no_show", _("过号")  # called and did not come
    TRANSFERRED = "transferred", _("已转移")  # sent to another group or window; waits there


TICKET_FLOW = TransitionTable.build(
    "ticket",
    {
        TicketStatus.WAITING: {TicketStatus.CALLED},
        TicketStatus.CALLED: {
            TicketStatus.SERVING,
            TicketStatus.NO_SHOW,
            TicketStatus.TRANSFERRED,
        },
        TicketStatus.SERVING: {TicketStatus.DONE, TicketStatus.TRANSFERRED},
        # A transferred ticket waits in its new line, keeping its place (`queued_at`).
        TicketStatus.TRANSFERRED: {TicketStatus.CALLED},
        TicketStatus.DONE: set(),
        TicketStatus.NO_SHOW: set(),
    },
)

# Tickets in line, that "call next" may take.
WAITING_TICKET_STATUSES = frozenset({TicketStatus.WAITING, TicketStatus.TRANSFERRED})
# Tickets at a window (one at a time per window).
AT_WINDOW_STATUSES = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})


class TicketEventKind(models.TextChoices):
    ISSUED = "issued", _("取号")
    CALLED = "called", _("叫号")
    RECALLED = "recalled", _("重呼")
    SERVING = "serving", _("开始办理")
    DONE = "done", _("办结")
    NO_SHOW = "no_show", _("过号")
    TRANSFERRED = "transferred", _("转移")
