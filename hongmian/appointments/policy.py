"""The booking rules a city may tune: limits, the hold, the no-show policy, reminders.

Read from `settings.HONGMIAN_APPOINTMENTS` (a dict; any key left out keeps its default
here), so that a deployment changes a rule without a code change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True, slots=True)
class Policy:
    # Minutes a held seat waits for the person's confirmation.
    hold_minutes: int = 5
    # Bookings a person may have held or booked for slots still to come.
    max_active: int = 3
    # Bookings a person may have for the same item on the same day.
    max_per_item_day: int = 1
    # 爽约: this many no-shows within `no_show_days` suspend booking for `suspension_days`.
    no_show_limit: int = 3
    no_show_days: int = 90
    suspension_days: int = 30
    # Halls check people in (services/checkin.py, decision 0064): a booked slot that passed
    # without a check-in is a no-show. A deployment whose halls do not check in turns it off.
    mark_no_shows: bool = True
    # Minutes after a slot's end before a booking without check-in is a no-show.
    no_show_grace_minutes: int = 30
    # Hours before the slot when the reminder SMS goes out.
    remind_hours: int = 24
    # Check-in (签到) opens this many minutes before the slot's start …
    checkin_early_minutes: int = 30
    # … and after this many minutes past the start the person joins the walk-in line.
    checkin_late_minutes: int = 15
    # 老年人优先: a person this old (from the ID number) is called before others.
    priority_age: int = 60
    # Days ahead that slots are generated and may be booked.
    days_ahead: int = 7
    # Anti-bot limits of the public booking doors: requests per minute.
    rate_per_account: int = 20
    rate_per_address: int = 60

    @property
    def hold(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.hold_minutes)


def appointment_policy() -> Policy:
    configured: dict[str, Any] = getattr(settings, "HONGMIAN_APPOINTMENTS", {}) or {}
    known = {f.name for f in dataclasses.fields(Policy)}
    return Policy(**{k: v for k, v in configured.items() if k in known})
