"""Slots (预约时段) generated from a hall's opening hours for the days ahead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from hongmian.appointments.models import Hall, ItemGroup, Slot
from hongmian.appointments.selectors import hall_opening
from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record_many


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
    Returns the number of slots made (one audited entry per hall that got any)."""
    first = start or (dt.datetime.now(calendar.CALENDAR_TZ).date() + dt.timedelta(days=1))
    last = first + dt.timedelta(days=days - 1)
    chosen = halls if halls is not None else list(Hall.objects.filter(is_active=True))
    groups_of: dict[int, list[Any]] = {}  # ItemGroups with open_windows
    for group in ItemGroup.objects.filter(hall__in=chosen).annotate(
        open_windows=Count("windows", filter=Q(windows__is_open=True))
    ):
        groups_of.setdefault(group.hall_id, []).append(group)
    existing = set(
        Slot.objects.filter(hall__in=chosen, day__gte=first, day__lte=last).values_list(
            "group_id", "starts_at"
        )
    )
    new: list[Slot] = []
    per_hall: dict[int, int] = {}
    for hall in chosen:
        groups = groups_of.get(hall.pk, [])
        if not groups:
            continue
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            opening = hall_opening(hall, day)
            for group in groups:
                capacity = group.open_windows * group.per_window
                for opens, closes in opening.spans if capacity else ():
                    for at in _starts(day, opens, closes, group.slot_minutes):
                        if (group.pk, at) in existing:
                            continue
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
                        per_hall[hall.pk] = per_hall.get(hall.pk, 0) + 1
    if not new:
        return 0
    with transaction.atomic():
        # A slot made meanwhile by another run is skipped by the unique constraint.
        Slot.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
        audit_record_many(
            [
                audit_event(
                    actor=actor,
                    action="appointment.slots_generated",
                    target=hall,
                    after={"from": first, "days": days, "slots": per_hall[hall.pk]},
                )
                for hall in chosen
                if hall.pk in per_hall
            ]
        )
    return len(new)
