"""Deadlines on the business calendar and their lights — the pure arithmetic every clock of
the platform shares: the hotline's SLA clocks (hotline/services/sla.py) and the applications'
promised time limits (applications/services/deadlines.py). Nothing here reads or writes a
row; the callers keep their clocks and decide when to urge (decision 0053).

Units are the strings the hotline's `ClockUnit` stores ("working_days", "working_hours",
"natural_hours"); lights the strings of its `ClockLight` ("green", "yellow", "red", "met",
"met_late"), so that a clock of any app is shown with the same badge.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hongmian.core import calendar

WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
NATURAL_HOURS = "natural_hours"

GREEN = "green"  # less than the warning share of the allowed time has passed
YELLOW = "yellow"  # past the warning, before the deadline: time to urge (催办)
RED = "red"  # past the deadline: overdue (超时)
MET = "met"  # stopped on time
MET_LATE = "met_late"  # stopped after the deadline
# Worst first: the light of several clocks is the first of these any of them shows.
SEVERITY = (RED, YELLOW, GREEN, MET_LATE, MET)


def deadline(start: dt.datetime, unit: str, amount: Decimal | int) -> dt.datetime:
    """When `amount` of `unit` has run from `start`.

    Working days follow `calendar.working_days_deadline`: the day of `start` does not count
    and the period ends at the close of office hours on its last working day. A fraction of
    a working day is that share of one day's office hours, added after the whole days."""
    amount = Decimal(amount)
    if unit == NATURAL_HOURS:
        return calendar.add_natural_hours(start, amount)
    if unit == WORKING_HOURS:
        return calendar.add_work_hours(start, amount)
    if unit == WORKING_DAYS:
        whole = int(amount)
        fraction = amount - whole
        day_hours = Decimal(calendar.office_day_length().total_seconds()) / 3600
        if whole == 0:
            return calendar.add_work_hours(start, fraction * day_hours)
        end = calendar.working_days_deadline(start, whole)
        return calendar.add_work_hours(end, fraction * day_hours) if fraction else end
    raise ValueError(f"unknown clock unit {unit!r}")


def warning_at(start: dt.datetime, due: dt.datetime, unit: str, ratio: Decimal) -> dt.datetime:
    """The instant `ratio` of the allowed time [start, due] has passed, measured the way the
    clock counts: office time for working units, clock time for natural hours."""
    share = float(ratio)
    if unit == NATURAL_HOURS:
        return calendar.add_natural_hours(start, (due - start) * share)
    allowed = calendar.working_time_between(start, due)
    return calendar.add_work_hours(start, allowed * share)


def deadline_times(
    start: dt.datetime, unit: str, amount: Decimal | int, ratio: Decimal
) -> tuple[dt.datetime, dt.datetime]:
    """(warning, due) of a clock started at `start` with `amount` of `unit`."""
    due = deadline(start, unit, amount)
    return warning_at(start, due, unit, ratio), due


def light(
    *,
    yellow_at: dt.datetime,
    due_at: dt.datetime,
    stopped_at: dt.datetime | None,
    now: dt.datetime,
) -> str:
    """Green, yellow or red for a running clock; met or met late for a stopped one."""
    if stopped_at is not None:
        return MET if stopped_at <= due_at else MET_LATE
    if now >= due_at:
        return RED
    if now >= yellow_at:
        return YELLOW
    return GREEN


def worst_light(lights: set[str]) -> str:
    """The worst of several lights ("" for none)."""
    return next((lt for lt in SEVERITY if lt in lights), "")
