"""The business calendar (营业日历): working days, office hours and deadlines.

A day is a working day when:

1. an administrator's override (`CalendarOverride`: a typhoon day, a local holiday, next
   year's schedule entered early) says so — overrides always win; otherwise
2. the State Council's official schedule, as shipped by the `chinese_calendar` library, says
   so: statutory holidays are days off and make-up workdays (调休上班) are working days even
   on a weekend; otherwise
3. for a year the library does not know yet, Monday to Friday (`year_is_official(year)` is
   then False, so that callers and screens can warn that the schedule is provisional).

Office hours come from `settings.HONGMIAN_OFFICE_HOURS` (["09:00-12:00", "14:00-18:00"]) and
are the same on every working day. Every datetime taken or returned is aware; results are in
Asia/Shanghai. A naive datetime is refused, because guessing its zone would shift a deadline.

Overrides are read from the database once and cached in the process; the cache is checked
against a version counter at the start of each request and every few seconds elsewhere
(decision 0003), so the SLA sweep can call these functions for thousands of orders cheaply.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import time
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_started
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import CacheVersion, CalendarOverride

# China's calendar is kept in Beijing time whatever TIME_ZONE the deployment uses.
CALENDAR_TZ = ZoneInfo("Asia/Shanghai")

# The CacheVersion row that services bump when an override changes.
OVERRIDES_VERSION_KEY = "calendar.overrides"

# Outside a request (task worker, shell) the cached overrides are re-checked this often.
RECHECK_SECONDS = 5.0

_DAY = dt.timedelta(days=1)
_TICK = dt.timedelta(microseconds=1)

# The library's English holiday names, in the words of the State Council's notices.
_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日")  # Monday–Friday with nothing special about it
    WEEKEND = "weekend", _("休息日")  # Saturday or Sunday with nothing special about it
    HOLIDAY = "holiday", _("法定节假日")  # a day off of the official holiday schedule
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")  # a weekend day worked for a holiday
    OVERRIDE = "override", _("日历调整")  # decided by an administrator's CalendarOverride


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one date, and why."""

    day: dt.date
    kind: DayKind
    is_workday: bool
    # The holiday's name (春节), the holiday a make-up day serves, or the override's name.
    name: str = ""
    # False when the year is outside the official schedule and Monday–Friday was assumed.
    official: bool = True


@dataclass(frozen=True, slots=True)
class OfficeWindow:
    """One span of office hours, as offsets from midnight ("24:00" is allowed as an end)."""

    start: dt.timedelta
    end: dt.timedelta

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


# ---------------------------------------------------------------------------------------------
# The official schedule


@functools.cache
def year_is_official(year: int) -> bool:
    """True when the official holiday schedule of `year` is known; otherwise the calendar
    assumes Monday–Friday (plus overrides) and screens should say the year is provisional."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def holiday_name_zh(library_name: str) -> str:
    if library_name in _HOLIDAY_NAMES_ZH:
        return _HOLIDAY_NAMES_ZH[library_name]
    try:
        return str(chinese_calendar.Holiday(library_name).chinese)
    except ValueError:
        return library_name


def _official_day(d: dt.date) -> DayInfo:
    weekday = d.weekday() < 5
    if not year_is_official(d.year):
        kind = DayKind.WORKDAY if weekday else DayKind.WEEKEND
        return DayInfo(d, kind, weekday, official=False)
    # Read the library's tables directly: its is_workday() gives the same answer but no name.
    if (name := chinese_calendar.holidays.get(d)) is not None:
        return DayInfo(d, DayKind.HOLIDAY, False, holiday_name_zh(name))
    if (name := chinese_calendar.workdays.get(d)) is not None:
        return DayInfo(d, DayKind.MAKEUP_WORKDAY, True, holiday_name_zh(name))
    return DayInfo(d, DayKind.WORKDAY if weekday else DayKind.WEEKEND, weekday)


# ---------------------------------------------------------------------------------------------
# Overrides, cached per process


@dataclass(slots=True)
class _Overrides:
    """The overrides as of one version, plus the working days of each year computed with them."""

    version: int
    days: dict[dt.date, tuple[bool, str]]
    checked_generation: int
    checked_at: float
    # Sorted ordinals of the working days of each year, filled on demand.
    years: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def day_info(self, d: dt.date) -> DayInfo:
        if (found := self.days.get(d)) is not None:
            return DayInfo(d, DayKind.OVERRIDE, found[0], found[1], year_is_official(d.year))
        return _official_day(d)

    def is_workday(self, d: dt.date) -> bool:
        if (found := self.days.get(d)) is not None:
            return found[0]
        return _official_day(d).is_workday

    def workdays_of(self, year: int) -> tuple[int, ...]:
        found = self.years.get(year)
        if found is None:
            first = dt.date(year, 1, 1).toordinal()
            last = dt.date(year, 12, 31).toordinal()
            found = tuple(
                o for o in range(first, last + 1) if self.is_workday(dt.date.fromordinal(o))
            )
            self.years[year] = found
        return found

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        ordinal = d.toordinal()
        year = d.year
        days = self.workdays_of(year)
        if n >= 0:
            if n == 0 and self.is_workday(d):
                return d
            k = max(n, 1)
            i = bisect_right(days, ordinal)  # the first working day after d
            while i + k > len(days):
                k -= len(days) - i
                year += 1
                days, i = self.workdays_of(year), 0
            return dt.date.fromordinal(days[i + k - 1])
        k = -n
        i = bisect_left(days, ordinal)  # days[i - 1] is the last working day before d
        while i - k < 0:
            k -= i
            year -= 1
            days = self.workdays_of(year)
            i = len(days)
        return dt.date.fromordinal(days[i - k])

    def count_after(self, a: dt.date, b: dt.date) -> int:
        """The number of working days in (a, b], for a <= b."""
        total = 0
        for year in range(a.year, b.year + 1):
            days = self.workdays_of(year)
            lo = bisect_right(days, a.toordinal()) if year == a.year else 0
            hi = bisect_right(days, b.toordinal()) if year == b.year else len(days)
            total += hi - lo
        return total


_cached: _Overrides | None = None
# Bumped when a request starts, so that each request checks the overrides' version once.
_generation = 0
# Connections inside a transaction that changed the overrides, with the copy that transaction
# sees (its own uncommitted rows). Such a copy is never shared: the transaction may roll back.
_writers: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Overrides | None] = (
    weakref.WeakKeyDictionary()
)


def _on_request_started(**_kwargs: object) -> None:
    global _generation
    _generation += 1


request_started.connect(_on_request_started, dispatch_uid="hongmian.core.calendar")


def _stored_version() -> int:
    found = (
        CacheVersion.objects.filter(key=OVERRIDES_VERSION_KEY)
        .values_list("version", flat=True)
        .first()
    )
    return int(found or 0)


def _load(version: int, generation: int, now: float) -> _Overrides:
    # Called with the version read first: a change committed before the rows are read then
    # leaves the copy one version behind (re-read next time), never marked current while stale.
    rows = CalendarOverride.objects.values_list("date", "kind", "name")
    days = {d: (kind == CalendarOverride.Kind.WORKDAY, name) for d, kind, name in rows}
    return _Overrides(version, days, generation, now)


def _writing_transaction() -> BaseDatabaseWrapper | None:
    """This thread's connection if its open transaction has changed the overrides."""
    conn = transaction.get_connection()
    if conn not in _writers:
        return None
    # Django drops the queued on-commit clear when the change rolls back: then it is over.
    queued = getattr(conn, "run_on_commit", ())
    if conn.in_atomic_block and any(func is overrides_cache_clear for _, func, _ in queued):
        return conn
    del _writers[conn]
    return None


def _overrides() -> _Overrides:
    global _cached
    generation, now = _generation, time.monotonic()
    if _writers and (conn := _writing_transaction()) is not None:
        own = _writers[conn]
        if own is None:
            own = _writers[conn] = _load(_stored_version(), generation, now)
        return own
    cached = _cached
    if (
        cached is not None
        and cached.checked_generation == generation
        and now - cached.checked_at < RECHECK_SECONDS
    ):
        return cached
    version = _stored_version()
    if cached is not None and cached.version == version:
        cached.checked_generation, cached.checked_at = generation, now
        return cached
    _cached = _load(version, generation, now)
    return _cached


def overrides_cache_clear() -> None:
    """Forget this process's copy of the overrides. Runs when a change commits; tests call it
    between cases, because a rolled-back transaction can leave the counter where it was."""
    global _cached
    _cached = None
    _writers.pop(transaction.get_connection(), None)


def overrides_version_bump() -> None:
    """Record that the overrides change. Call inside the transaction that changes
    CalendarOverride rows, before reading them: the counter's row lock also queues concurrent
    writers, so versions commit in the order they were taken. Until the transaction ends,
    the calendar in it sees its own changes; when it commits, every process is told
    (this one at once, the others at their next check)."""
    CacheVersion.objects.get_or_create(key=OVERRIDES_VERSION_KEY)
    CacheVersion.objects.filter(key=OVERRIDES_VERSION_KEY).update(version=F("version") + 1)
    _writers[transaction.get_connection()] = None
    transaction.on_commit(overrides_cache_clear)


# ---------------------------------------------------------------------------------------------
# Working days


def _as_date(value: dt.date, name: str = "d") -> dt.date:
    if isinstance(value, dt.datetime):
        return _local(value, name).date()
    if not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")
    return value


def day_kind(d: dt.date, *, include_overrides: bool = True) -> DayInfo:
    """What kind of day `d` is. With include_overrides=False: what the official schedule
    (or the Monday–Friday fallback) says, ignoring administrators' overrides."""
    d = _as_date(d)
    return _overrides().day_info(d) if include_overrides else _official_day(d)


def is_workday(d: dt.date) -> bool:
    return _overrides().is_workday(_as_date(d))


def add_workdays(d: dt.date, n: int) -> dt.date:
    """The n-th working day after `d` (n > 0) or before it (n < 0); `d` itself never counts.
    n = 0 gives `d` when it is a working day, otherwise the next working day."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    return _overrides().add_workdays(_as_date(d), n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    """The number of working days after `a` up to and including `b` — so that
    `workdays_between(d, add_workdays(d, n)) == n` for every n >= 1. Negative when b < a."""
    a, b = _as_date(a, "a"), _as_date(b, "b")
    if b < a:
        return -_overrides().count_after(b, a)
    return _overrides().count_after(a, b)


def workdays_in_year(year: int) -> list[dt.date]:
    return [dt.date.fromordinal(o) for o in _overrides().workdays_of(year)]


# ---------------------------------------------------------------------------------------------
# Office hours

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _hhmm(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@functools.lru_cache(maxsize=8)
def _parse_office_hours(spec: tuple[str, ...]) -> tuple[OfficeWindow, ...]:
    example = 'e.g. ["09:00-12:00", "14:00-18:00"]'
    if not spec:
        raise ImproperlyConfigured(f"HONGMIAN_OFFICE_HOURS is empty; list the spans, {example}")
    windows: list[OfficeWindow] = []
    for item in spec:
        match = _WINDOW.match(item) if isinstance(item, str) else None
        if match is None:
            raise ImproperlyConfigured(
                f"HONGMIAN_OFFICE_HOURS: {item!r} is not a span HH:MM-HH:MM, {example}"
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ImproperlyConfigured(f"HONGMIAN_OFFICE_HOURS: {item!r} is not a time of day")
        window = OfficeWindow(
            dt.timedelta(hours=h1, minutes=m1), dt.timedelta(hours=h2, minutes=m2)
        )
        if window.start >= window.end:
            raise ImproperlyConfigured(
                f"HONGMIAN_OFFICE_HOURS: {item!r} ends before it starts "
                "(a span cannot cross midnight)"
            )
        if windows and window.start < windows[-1].end:
            raise ImproperlyConfigured(
                f"HONGMIAN_OFFICE_HOURS: {item!r} overlaps or precedes {str(windows[-1])!r}; "
                "list the spans in order of the day without overlaps"
            )
        windows.append(window)
    return tuple(windows)


def office_hours() -> tuple[OfficeWindow, ...]:
    """The validated office hours of every working day (ImproperlyConfigured if malformed)."""
    spec = settings.HONGMIAN_OFFICE_HOURS
    if isinstance(spec, str) or not isinstance(spec, Sequence):
        raise ImproperlyConfigured(
            'HONGMIAN_OFFICE_HOURS must be a list like ["09:00-12:00", "14:00-18:00"], '
            f"not {spec!r}"
        )
    return _parse_office_hours(tuple(spec))


@checks.register()
def check_office_hours(**_kwargs: object) -> list[checks.CheckMessage]:
    """`hongmian check` (and so `make test` and deployment) refuses malformed office hours."""
    try:
        office_hours()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E001")]
    return []


def office_day_length() -> dt.timedelta:
    """Office time in one working day (7 hours with the default settings)."""
    return sum((w.end - w.start for w in office_hours()), dt.timedelta())


def office_close(d: dt.date) -> dt.datetime:
    """The end of office hours on `d` (whether or not `d` is a working day)."""
    return _at(_as_date(d), office_hours()[-1].end)


# ---------------------------------------------------------------------------------------------
# Working time


def _local(value: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name}={value.isoformat()} is a naive datetime; the business calendar needs an "
            "aware one (django.utils.timezone.now(), or tzinfo=ZoneInfo('Asia/Shanghai'))"
        )
    return value.astimezone(CALENDAR_TZ)


def _since_midnight(local: dt.datetime) -> dt.timedelta:
    return dt.timedelta(
        hours=local.hour,
        minutes=local.minute,
        seconds=local.second,
        microseconds=local.microsecond,
    )


def _at(d: dt.date, offset: dt.timedelta) -> dt.datetime:
    # Wall-clock arithmetic: office hours are local times (Beijing time has no DST since 1991).
    return dt.datetime.combine(d, dt.time(), tzinfo=CALENDAR_TZ) + offset


def _duration(hours: float | int | Decimal | dt.timedelta) -> dt.timedelta:
    if isinstance(hours, dt.timedelta):
        return hours
    if isinstance(hours, bool):
        raise TypeError("hours must be a number or a timedelta, not bool")
    if isinstance(hours, Decimal):
        if not hours.is_finite():
            raise ValueError(f"hours must be finite, not {hours}")
        micros = (hours * 3_600_000_000).to_integral_value(rounding=ROUND_HALF_EVEN)
        return dt.timedelta(microseconds=int(micros))
    if isinstance(hours, int | float):
        if not math.isfinite(hours):
            raise ValueError(f"hours must be finite, not {hours}")
        return dt.timedelta(hours=hours)
    raise TypeError(f"hours must be a number or a timedelta, not {type(hours).__name__}")


def _overlap(cal: _Overrides, d: dt.date, start: dt.timedelta, end: dt.timedelta) -> dt.timedelta:
    """Office time of day `d` that falls within [start, end) (offsets from midnight)."""
    total = dt.timedelta()
    if not cal.is_workday(d):
        return total
    for w in office_hours():
        lo, hi = max(start, w.start), min(end, w.end)
        if hi > lo:
            total += hi - lo
    return total


def add_work_hours(start: dt.datetime, hours: float | int | Decimal | dt.timedelta) -> dt.datetime:
    """The instant when `hours` of office time on working days have passed since `start`.

    Time outside office hours (evenings, the lunch break, weekends, holidays) does not count.
    A result that lands exactly at the end of a span stays there (11:00 + 1h = 12:00, not
    14:00). Negative hours count backwards (a reminder 2 working hours before a deadline).
    """
    local = _local(start, "start")
    amount = _duration(hours)
    if not amount:
        return local
    cal = _overrides()
    windows = office_hours()
    day, t = local.date(), _since_midnight(local)
    full = office_day_length()
    if amount > dt.timedelta():
        if cal.is_workday(day):
            for w in windows:
                if t >= w.end:
                    continue
                begin = max(t, w.start)
                if amount <= w.end - begin:
                    return _at(day, begin + amount)
                amount -= w.end - begin
        # Skip whole working days at once; the remainder ends within the last one.
        whole = (amount - _TICK) // full
        day = cal.add_workdays(day, 1 + whole)
        amount -= full * whole
        for w in windows:
            if amount <= w.end - w.start:
                return _at(day, w.start + amount)
            amount -= w.end - w.start
    else:
        amount = -amount
        if cal.is_workday(day):
            for w in reversed(windows):
                if t <= w.start:
                    continue
                finish = min(t, w.end)
                if amount <= finish - w.start:
                    return _at(day, finish - amount)
                amount -= finish - w.start
        whole = (amount - _TICK) // full
        day = cal.add_workdays(day, -(1 + whole))
        amount -= full * whole
        for w in reversed(windows):
            if amount <= w.end - w.start:
                return _at(day, w.end - amount)
            amount -= w.end - w.start
    raise AssertionError("unreachable: the remainder always fits within one working day")


def add_working_duration(start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """`add_work_hours` for a timedelta of office time (the SLA tables store durations)."""
    if not isinstance(duration, dt.timedelta):
        raise TypeError(f"duration must be a timedelta, not {type(duration).__name__}")
    return add_work_hours(start, duration)


def add_natural_hours(
    start: dt.datetime, hours: float | int | Decimal | dt.timedelta
) -> dt.datetime:
    """`start` plus `hours` of clock time (自然时), for limits that run day and night."""
    return _local(start, "start") + _duration(hours)


def working_time_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Office time on working days within [a, b); zero when b <= a."""
    la, lb = _local(a, "a"), _local(b, "b")
    if lb <= la:
        return dt.timedelta()
    cal = _overrides()
    da, db = la.date(), lb.date()
    if da == db:
        return _overlap(cal, da, _since_midnight(la), _since_midnight(lb))
    first = _overlap(cal, da, _since_midnight(la), _DAY)
    last = _overlap(cal, db, dt.timedelta(), _since_midnight(lb))
    middle = cal.count_after(da, db - _DAY) if db - _DAY > da else 0
    return first + office_day_length() * middle + last


def working_days_deadline(start: dt.datetime, n: int) -> dt.datetime:
    """The deadline of "n working days" (n个工作日) from `start`: the close of office hours
    on the n-th working day after the date of `start`.

    The day of `start` is not counted, whatever the hour — as the Civil Code counts periods
    (民法典第二百零一条：开始的当日不计入，自下一日开始计算) — and the period ends when
    business stops on its last day (第二百零三条：有业务时间的，停止业务活动的时间为截止时间).
    So an order dispatched on Friday at 09:00 or at 20:00 with 3 working days is due on
    Wednesday at 18:00 (with the default hours), and a holiday in between pushes it further.

    n = 0 ("the same day", 当日办结) is the close of the first working day whose close is not
    before `start`: that day if it is a working day and still open, otherwise the next one.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    local = _local(start, "start")
    cal = _overrides()
    day = cal.add_workdays(local.date(), n)
    deadline = office_close(day)
    if deadline < local:
        deadline = office_close(cal.add_workdays(day, 1))
    return deadline
