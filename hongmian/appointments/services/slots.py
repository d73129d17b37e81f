"""Slots (预约时段) generated from a hall's opening hours for the days ahead."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q

from hongmian.appointments.models import Hall, ItemGroup, Slot
from hongmian.appointments.selectors import hall_opening
from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record


def _starts(day: dt.date, opens: dt.time, closes: dt.time, minutes: int) -> list[dt.datetime]:
    tz = calendar.CALENDAR_TZ
    start = dt.datetime.combine(day, opens, tzinfo=tz)
    end = dt.datetime.combine(day, closes, tzinfo=tz)
    step = dt.timedelta(minutes=minutes)
    out = []
    while start + step <= end:
        out.append(start)
        start += step
    return out


def slots_generate(
    *, actor: Actor, days: int, start: dt.date | None = None, halls: list[Hall] | None = None
) -> int:
    """Make the slots of the next `days` days the halls open (from `start`, tomorrow by
    default): for each item group, one slot per `slot_minutes` of each opening span, with
    the group's open windows × `per_window` seats. Closed days get none. Existing slots are
    kept as they are (their bookings with them), so the command may run every night.
    Returns the number of slots made."""
    first = start or (dt.datetime.now(calendar.CALENDAR_TZ).date() + dt.timedelta(days=1))
    chosen = halls if halls is not None else list(Hall.objects.filter(is_active=True))
    made = 0
    for hall in chosen:
        groups = list(
            ItemGroup.objects.filter(hall=hall).annotate(
                open_windows=Count("windows", filter=Q(windows__is_open=True))
            )
        )
        new: list[Slot] = []
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            opening = hall_opening(hall, day)
            for group in groups:
                capacity = group.open_windows * group.per_window
                if not capacity:
                    continue
                for opens, closes in opening.spans:
                    for at in _starts(day, opens, closes, group.slot_minutes):
                        ends = at + dt.timedelta(minutes=group.slot_minutes)
                        new.append(
                            Slot(
                                hall=hall,
                                group=group,
                                day=day,
                                starts_at=at,
                                ends_at=ends,
                                capacity=capacity,
                            )
                        )
        if not new:
            continue
        with transaction.atomic():
            before = Slot.objects.filter(hall=hall).count()
            Slot.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
            added = Slot.objects.filter(hall=hall).count() - before
            if added:
                audit_record(
                    actor=actor,
                    action="appointment.slots_generated",
                    target=hall,
                    after={"from": first, "days": days, "slots": added},
                )
        made += added
    return made
