"""Halls (政务服务大厅), their windows and hours, slots and bookings (预约)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hongmian.appointments.states import (
    ACTIVE_STATUSES,
    BookingStatus,
    CancelReason,
    HallLevel,
    PriorityReason,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from hongmian.core.models import BaseModel
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import PUBLIC_ROLES, Role

# The roles that read every hall's day (hall staff read their own halls', through the scope).
HALL_DAY_CITY_READERS = frozenset(
    {Role.HOTLINE_SUPERVISOR, Role.CHIEF_DATA_OFFICER, Role.CITY_LEADER, Role.SYSTEM_ADMIN}
)


class Hall(BaseModel):
    """政务服务大厅 — a place where people are served at windows: the city centre, a
    district centre, a street's or town's centre, or a community station. `division` is the
    geo division it serves (a community station: its street's); `org_unit` runs it, and its
    hall staff see its bookings."""

    code = models.CharField(_("大厅编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=HallLevel.choices)
    division = models.ForeignKey(
        "geo.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    org_unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("运营单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="halls",
    )
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # The call-up screen's key (叫号屏密钥), in the TV's URL; blank: no screen without a login.
    # Set and rotated by services/queue.hall_screen_key_rotate.
    screen_key = models.CharField(_("叫号屏密钥"), max_length=64, blank=True)

    # Who opens a hall's day (its bookings and seats): the city's readers every hall, a
    # hall's staff the halls their unit (or a unit below it) runs.
    scopes: ClassVar[Scopes] = {
        "view_day": Scope(
            city_wide=HALL_DAY_CITY_READERS,
            unit="org_unit",
            unit_roles=frozenset({Role.HALL_STAFF}),
        ),
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政务服务大厅")
        verbose_name_plural = _("政务服务大厅")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[lv.value for lv in HallLevel]),
                name="appointments_hall_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """营业时间 — one span of a weekday (0 Monday … 6 Sunday) when the hall is open on a day
    the business calendar opens it. A day may have two spans (morning and afternoon)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("星期"))
    opens = models.TimeField(_("开门"))
    closes = models.TimeField(_("关门"))

    class Meta:
        verbose_name = _("营业时间")
        verbose_name_plural = _("营业时间")
        ordering = ["hall", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="appointments_hours_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="appointments_hours_span_valid"
            ),
            models.UniqueConstraint(
                fields=["hall", "weekday", "opens"], name="appointments_hours_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class HallClosure(BaseModel):
    """闭厅 — the hall closed from `start` to `end` inclusive (a typhoon, a move), whatever
    the business calendar says; bookings on those days are cancelled when it is entered."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="closures")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("闭厅安排")
        verbose_name_plural = _("闭厅安排")
        ordering = ["hall", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="appointments_closure_span_valid"
            ),
        ]


class ItemGroup(BaseModel):
    """事项分组 — the catalogue items a hall books together (one queue of windows): a slot's
    capacity is the group's windows × `per_window` people per slot."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("名称"), max_length=100)
    items = models.ManyToManyField(
        "catalog.ServiceItem", verbose_name=_("事项"), related_name="hall_groups"
    )
    slot_minutes = models.PositiveSmallIntegerField(_("时段长度（分钟）"), default=30)
    per_window = models.PositiveSmallIntegerField(_("每窗口每时段人数"), default=2)

    class Meta:
        verbose_name = _("事项分组")
        verbose_name_plural = _("事项分组")
        ordering = ["hall", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "name"], name="appointments_group_unique"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="appointments_group_slot_minutes_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Window(BaseModel):
    """窗口 — one counter of a hall; it serves the items of its group."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("窗口号"), max_length=16)
    group = models.ForeignKey(
        ItemGroup, verbose_name=_("事项分组"), on_delete=models.PROTECT, related_name="windows"
    )
    is_open = models.BooleanField(_("开放"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="appointments_window_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class Slot(models.Model):
    """预约时段 — a hall's group of items at one time, with its seats. `booked` counts the
    held and booked seats; it changes only by one conditional UPDATE (services/booking.py),
    so that concurrent bookings never pass `capacity`."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="slots")
    group = models.ForeignKey(ItemGroup, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField(_("日期"), db_index=True)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("名额"))
    booked = models.PositiveIntegerField(_("已约"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "starts_at"], name="appointments_slot_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appointments_slot_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointments_slot_span_valid"
            ),
        ]
        indexes = [models.Index(fields=["hall", "day"], name="appointments_slot_hall_day")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class Booking(BaseModel):
    """预约 — one person's seat in a slot for one catalogue item. Held for a few minutes
    while the person confirms, then booked; every status change is a transition
    (states.BOOKING_FLOW) audited by its service."""

    number = models.CharField(_("预约号"), max_length=20, unique=True)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.HELD
    )
    # Until when a held seat waits for the confirmation.
    held_until = models.DateTimeField(_("保留至"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("取消原因"), max_length=16, choices=CancelReason.choices, blank=True
    )
    # The booking this one replaced (改约).
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_to"
    )
    # Who made it: the person, or the hotline agent who booked for the caller.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(_("渠道"), max_length=16)
    status_changed_at = models.DateTimeField(_("状态时间"), null=True, blank=True)

    scopes: ClassVar[Scopes] = {
        "view": Scope(
            unit="slot__hall__org_unit",
            unit_roles=frozenset({Role.HALL_STAFF}),
            owners=("person__user",),
            owner_roles=PUBLIC_ROLES,
        ),
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One seat per person per slot, however many requests race for it.
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=Q(status__in=sorted(ACTIVE_STATUSES)),
                name="appointments_booking_one_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in BookingStatus]),
                name="appointments_booking_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="appointments_booking_person"),
            models.Index(fields=["status", "held_until"], name="appointments_booking_holds"),
        ]

    def __str__(self) -> str:
        return self.number


class ReminderSms(models.Model):
    """预约提醒短信 — a text sent (to the gateway's log) about a booking; one per booking and
    kind, so that the reminder job may run any number of times."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("类型"), max_length=16)
    phone = models.CharField(_("手机号"), max_length=11)
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("预约短信")
        verbose_name_plural = _("预约短信")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind"], name="appointments_sms_once"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.kind}"


class QueueTicket(BaseModel):
    """排队号 — a person's place in a hall's line for one item group on one day: issued at
    the desk (现场) or by checking a booking in (预约). `number` is the group's letter and
    the day's sequence (A001 appointments, B001 walk-ins of the first group). Every status
    change is a transition (states.TICKET_FLOW) audited by services/queue.py, with a
    `TicketEvent` for the call-up screen."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    group = models.ForeignKey(
        ItemGroup, verbose_name=_("事项分组"), on_delete=models.PROTECT, related_name="tickets"
    )
    day = models.DateField(_("日期"))
    number = models.CharField(_("排队号"), max_length=8)
    kind = models.CharField(_("类型"), max_length=16, choices=TicketKind.choices)
    priority_reason = models.CharField(
        _("优先原因"), max_length=16, choices=PriorityReason.choices, blank=True
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )
    # A booking checked in after its window: it queues with the walk-ins, and says why.
    late = models.BooleanField(_("迟到"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    # The window that called (and serves) it.
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    # A transfer to one window: only that window calls it.
    for_window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The place in line: the time it first joined; a transfer keeps it.
    queued_at = models.DateTimeField(_("排队时间"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    serving_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["day", "queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "day", "number"], name="appointments_ticket_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in TicketStatus]),
                name="appointments_ticket_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in TicketKind]),
                name="appointments_ticket_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "day", "status"], name="appointments_ticket_line"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def priority(self) -> bool:
        return bool(self.priority_reason)


class TicketEvent(models.Model):
    """叫号记录 — one move of a ticket, in order: what the call-up screen and the live view
    read after an id (the SSE stream's Last-Event-ID). Ticket numbers and windows only."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(QueueTicket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=16, choices=TicketEventKind.choices)
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("叫号记录")
        verbose_name_plural = _("叫号记录")
        ordering = ["id"]
        indexes = [models.Index(fields=["hall", "id"], name="appointments_ticketevent_hall")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class QueueCounter(models.Model):
    """取号计数 — the last number given today in one group's line of one kind; moved only
    under its row's lock (services/queue.py), so two desks never give the same number."""

    group = models.ForeignKey(ItemGroup, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=16, choices=TicketKind.choices)
    prefix = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "day", "kind"], name="appointments_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.last:03d}"
