"""Reads of the halls and bookings: when a hall is open, its slots, who sees which booking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.appointments.models import Booking, Hall, HallClosure, OpeningHours, Slot
from hongmian.appointments.states import ACTIVE_STATUSES, BookingStatus
from hongmian.core import calendar
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.identity.models import Person
from hongmian.identity.permissions import is_active_user


@dataclass(frozen=True, slots=True)
class Opening:
    """Whether a hall opens on a day, its spans (local times), and, when it does not, why:
    a stable code (`appointment.closed_day`) and a sentence."""

    day: dt.date
    spans: tuple[tuple[dt.time, dt.time], ...]
    reason: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.spans)


def hall_opening(hall: Hall, day: dt.date) -> Opening:
    """The hall's hours on `day`: a closure (闭厅) wins; then the business calendar — a
    working day opens with that weekday's hours (a make-up Saturday with Monday's), a plain
    weekend day with the hall's own weekend hours if it has any, a holiday or an
    administrator's day off not at all."""
    closure = HallClosure.objects.filter(hall=hall, start__lte=day, end__gte=day).first()
    if closure is not None:
        return Opening(day, (), _("大厅闭厅：%(reason)s") % {"reason": closure.reason})
    info = calendar.day_kind(day)
    if info.is_workday:
        weekday = day.weekday() if day.weekday() < 5 else 0
    elif info.kind == calendar.DayKind.WEEKEND:
        weekday = day.weekday()
    else:
        return Opening(day, (), _("%(name)s休息") % {"name": info.name or info.kind.label})
    spans = tuple(
        OpeningHours.objects.filter(hall=hall, weekday=weekday).values_list("opens", "closes")
    )
    return Opening(day, spans, "" if spans else _("当日不营业"))


def slot_within_hours(slot: Slot, opening: Opening) -> bool:
    tz = calendar.CALENDAR_TZ
    start = slot.starts_at.astimezone(tz)
    end = slot.ends_at.astimezone(tz)
    if start.date() != opening.day or end.date() != opening.day:
        return False
    return any(o <= start.time() and end.time() <= c for o, c in opening.spans)


def hall_list(
    *, district: str | None = None, level: str | None = None, item_id: int | None = None
) -> QuerySet[Hall]:
    """Active halls, narrowed to a district (its code: the district's own hall and every
    hall within it), a level, and the halls that book an item."""
    halls = Hall.objects.filter(is_active=True).select_related("division")
    if district:
        halls = halls.filter(Q(division__code=district) | Q(division__parent__code=district))
    if level:
        halls = halls.filter(level=level)
    if item_id is not None:
        halls = halls.filter(groups__items=item_id).distinct()
    return halls.order_by("code")


def halls_viewable_by(user: Any, *, district: str = "") -> QuerySet[Hall]:
    """The halls whose day `user` may open (the hall's "view_day" scope)."""
    chosen = hall_list(district=district if district.isdigit() else None)
    return chosen.filter(pk__in=Hall.objects.restrict(user, "view_day").values("pk"))


def hall_get(hall_id: int) -> Hall:
    hall = Hall.objects.filter(pk=hall_id, is_active=True).select_related("division").first()
    if hall is None:
        raise NotFound(_("大厅不存在"), code="appointment.hall_not_found")
    return hall


def slot_list(
    *, hall: Hall, day: dt.date, item_id: int | None = None, now: dt.datetime | None = None
) -> list[Slot]:
    """The slots of a hall on a day that are still to come, with their true free seats;
    none on a day the hall is closed (a closure entered after the slots were made)."""
    if not hall_opening(hall, day).is_open:
        return []
    slots = Slot.objects.filter(hall=hall, day=day, starts_at__gt=now or timezone.now())
    if item_id is not None:
        slots = slots.filter(group__items=item_id)
    return list(slots.select_related("group").order_by("starts_at", "group__name"))


def slot_get(slot_id: int) -> Slot:
    slot = Slot.objects.select_related("hall", "group").filter(pk=slot_id).first()
    if slot is None:
        raise NotFound(_("预约时段不存在"), code="appointment.slot_not_found")
    return slot


# --- bookings -------------------------------------------------------------------------------


def bookings_visible_to(user: Any) -> QuerySet[Booking]:
    return Booking.objects.restrict(user, "view")


def _with_related(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related("slot__hall", "slot__group", "item", "person")


def access_booking(user: Any, booking_id: int) -> Booking:
    """A booking this user may see; someone else's looks exactly like a missing one."""
    booking = _with_related(bookings_visible_to(user)).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("预约不存在"), code="appointment.booking_not_found")
    return booking


def my_booking_list(user: Any) -> QuerySet[Booking]:
    """我的预约: the person's own bookings, the newest first (held ones past their time
    are shown as they are until the release job runs)."""
    if not is_active_user(user):
        return Booking.objects.none()
    return _with_related(Booking.objects.filter(person__user=user)).order_by(
        "-slot__starts_at", "-id"
    )


def hall_day_bookings(user: Any, hall: Hall, day: dt.date) -> QuerySet[Booking]:
    """The hall manager's day: the bookings (held and booked first) of every slot."""
    return (
        _with_related(bookings_visible_to(user))
        .filter(slot__hall=hall, slot__day=day)
        .order_by("slot__starts_at", "slot__group__name", "id")
    )


def hall_day_slots(hall: Hall, day: dt.date) -> QuerySet[Slot]:
    return Slot.objects.filter(hall=hall, day=day).select_related("group").order_by("starts_at")


def active_booking_count(person: Person, *, now: dt.datetime) -> int:
    return Booking.objects.filter(
        person=person, status__in=ACTIVE_STATUSES, slot__starts_at__gt=now
    ).count()


def no_show_suspension_until(
    person: Person, *, now: dt.datetime, limit: int, days: int, suspension_days: int
) -> dt.datetime | None:
    """When the person's no-show suspension ends (None: not suspended): `limit` no-shows
    whose slots fall in the last `days` days suspend booking for `suspension_days` after
    the latest of them."""
    times = list(
        Booking.objects.filter(
            person=person,
            status=BookingStatus.NO_SHOW,
            slot__starts_at__gte=now - dt.timedelta(days=days),
        )
        .order_by("-slot__starts_at")
        .values_list("slot__starts_at", flat=True)[:limit]
    )
    if len(times) < limit:
        return None
    until = times[0] + dt.timedelta(days=suspension_days)
    return until if until > now else None


def person_for_caller(*, mobile: str = "", resident_id: str = "") -> Person:
    """The caller a hotline agent books for, found by ID number or by mobile (a mobile
    shared by several people needs the ID number)."""
    if resident_id:
        found = list(Person.objects.filter(resident_id=resident_id.strip().upper())[:2])
    elif mobile:
        found = list(Person.objects.filter(mobile=mobile.strip())[:2])
    else:
        raise ValidationFailed(
            _("请输入来电人的手机号或身份证号"),
            code="appointment.caller_required",
            fields={"mobile": [_("请输入手机号或身份证号")]},
        )
    if not found:
        raise NotFound(_("没有找到该来电人的实名档案"), code="appointment.caller_not_found")
    if len(found) > 1:
        raise ValidationFailed(
            _("该手机号对应多人，请输入身份证号"),
            code="appointment.caller_ambiguous",
            fields={"resident_id": [_("请输入身份证号")]},
        )
    return found[0]
