"""The business calendar against the real 2025–2026 schedules of the State Council.

Expected dates are written out from the official notices (国办发明电〔2024〕12号 for 2025,
国办发明电〔2025〕7号 for 2026), not read back from chinese_calendar, so a wrong library
table would fail here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F

from hongmian.core import calendar
from hongmian.core.calendar import (
    DayKind,
    add_natural_hours,
    add_work_hours,
    add_workdays,
    add_working_duration,
    day_kind,
    is_workday,
    workdays_between,
    workdays_in_year,
    working_days_deadline,
    working_time_between,
    year_is_official,
)
from hongmian.core.models import CacheVersion, CalendarOverride

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
D = dt.date
H = dt.timedelta(hours=1)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # A rolled-back test can leave the version counter where it was, so the process's copy
    # of the overrides must not outlive the test that loaded it.
    calendar.overrides_cache_clear()
    yield
    calendar.overrides_cache_clear()


def other_process_bumps() -> None:
    CacheVersion.objects.get_or_create(key=calendar.OVERRIDES_VERSION_KEY)
    CacheVersion.objects.filter(key=calendar.OVERRIDES_VERSION_KEY).update(version=F("version") + 1)


def other_process_sets(day: dt.date, kind: str, name: str) -> None:
    """What another worker's committed service call leaves in the database: the row and a
    bumped version, without this process hearing about it."""
    other_process_bumps()
    CalendarOverride.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})


def next_request(client) -> None:
    """Any request will do: the calendar re-checks its overrides when one starts."""
    assert client.get("/healthz").status_code == 200


def brute_add_workdays(d: dt.date, n: int) -> dt.date:
    """Step one day at a time: the slow reference for the indexed implementation."""
    if n == 0:
        while not is_workday(d):
            d += dt.timedelta(days=1)
        return d
    step = dt.timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        d += step
        if is_workday(d):
            left -= 1
    return d


def brute_working_minutes(a: dt.datetime, b: dt.datetime) -> int:
    """Count office minutes one by one (09:00–12:00 and 14:00–18:00 on working days)."""
    minutes, t = 0, a
    while t < b:
        local = t.astimezone(SH)
        hm = local.hour * 60 + local.minute
        if is_workday(local.date()) and (540 <= hm < 720 or 840 <= hm < 1080):
            minutes += 1
        t += dt.timedelta(minutes=1)
    return minutes


# ---------------------------------------------------------------------------------------------
# The official schedule


def test_2025_spring_festival_break_and_makeup_days():
    for d in span(D(2025, 1, 28), D(2025, 2, 4)):
        info = day_kind(d)
        assert (info.kind, info.is_workday, info.name) == (DayKind.HOLIDAY, False, "春节"), d
    for d in (D(2025, 1, 26), D(2025, 2, 8)):  # a Sunday and a Saturday
        assert d.weekday() >= 5
        info = day_kind(d)
        assert (info.kind, info.is_workday, info.name) == (DayKind.MAKEUP_WORKDAY, True, "春节")
    assert day_kind(D(2025, 1, 27)).kind == DayKind.WORKDAY  # 除夕前一天照常上班
    assert day_kind(D(2025, 2, 9)).kind == DayKind.WEEKEND
    assert add_workdays(D(2025, 1, 27), 1) == D(2025, 2, 5)


def test_2025_national_day_with_mid_autumn():
    for d in span(D(2025, 10, 1), D(2025, 10, 8)):
        assert not is_workday(d), d
        assert day_kind(d).kind == DayKind.HOLIDAY
    assert day_kind(D(2025, 10, 6)).name == "中秋节"
    assert day_kind(D(2025, 10, 1)).name == "国庆节"
    assert day_kind(D(2025, 9, 28)).kind == DayKind.MAKEUP_WORKDAY  # Sunday
    assert day_kind(D(2025, 10, 11)).kind == DayKind.MAKEUP_WORKDAY  # Saturday
    assert add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_workdays(D(2025, 10, 10), 1) == D(2025, 10, 11)
    assert add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)


def test_2026_national_day():
    for d in span(D(2026, 10, 1), D(2026, 10, 7)):
        assert day_kind(d).kind == DayKind.HOLIDAY, d
    assert is_workday(D(2026, 10, 8))
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert day_kind(D(2026, 9, 20)).kind == DayKind.MAKEUP_WORKDAY  # Sunday
    assert day_kind(D(2026, 10, 10)).kind == DayKind.MAKEUP_WORKDAY  # Saturday
    for d in span(D(2026, 9, 25), D(2026, 9, 27)):
        assert day_kind(d).name == "中秋节"


def test_2026_spring_festival_new_year_and_labour_day():
    for d in span(D(2026, 2, 15), D(2026, 2, 23)):
        assert day_kind(d).kind == DayKind.HOLIDAY, d
    assert [d for d in span(D(2026, 2, 13), D(2026, 3, 1)) if is_workday(d)][:3] == [
        D(2026, 2, 13),
        D(2026, 2, 14),  # Saturday, worked for the Spring Festival
        D(2026, 2, 24),
    ]
    assert day_kind(D(2026, 2, 28)).kind == DayKind.MAKEUP_WORKDAY
    for d in span(D(2026, 1, 1), D(2026, 1, 3)):
        assert day_kind(d).name == "元旦"
    assert day_kind(D(2026, 1, 4)).kind == DayKind.MAKEUP_WORKDAY  # Sunday
    for d in span(D(2026, 5, 1), D(2026, 5, 5)):
        assert day_kind(d).name == "劳动节"
    assert day_kind(D(2026, 5, 9)).kind == DayKind.MAKEUP_WORKDAY
    for d in span(D(2025, 5, 1), D(2025, 5, 5)):
        assert not is_workday(d)
    assert day_kind(D(2025, 4, 27)).kind == DayKind.MAKEUP_WORKDAY


def test_working_days_per_year():
    # 261 weekdays, less the weekday holidays, plus the make-up weekend days.
    assert len(workdays_in_year(2025)) == 261 - 18 + 5
    assert len(workdays_in_year(2026)) == 261 - 19 + 6


def test_agrees_with_the_library_on_every_day_of_2025_and_2026():
    for d in span(D(2025, 1, 1), D(2026, 12, 31)):
        assert is_workday(d) == chinese_calendar.is_workday(d), d


def test_plain_days():
    assert day_kind(D(2026, 11, 27)) == calendar.DayInfo(D(2026, 11, 27), DayKind.WORKDAY, True)
    assert day_kind(D(2026, 11, 28)) == calendar.DayInfo(D(2026, 11, 28), DayKind.WEEKEND, False)


# ---------------------------------------------------------------------------------------------
# Counting working days


def test_add_workdays_zero_and_negative():
    assert add_workdays(D(2026, 10, 8), 0) == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert add_workdays(D(2026, 10, 3), -1) == D(2026, 9, 30)
    assert add_workdays(D(2025, 10, 13), -1) == D(2025, 10, 11)  # a make-up Saturday
    assert add_workdays(D(2025, 10, 9), -2) == D(2025, 9, 29)


def test_add_workdays_across_the_new_year():
    assert add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)  # Sunday, worked for 元旦
    assert add_workdays(D(2026, 1, 4), -1) == D(2025, 12, 31)
    assert add_workdays(D(2025, 12, 30), 3) == D(2026, 1, 5)


def test_add_workdays_matches_stepping_day_by_day():
    starts = [D(2024, 12, 20) + dt.timedelta(days=i) for i in range(0, 760, 7)]
    for d in starts:
        for n in (-30, -9, -3, -1, 0, 1, 2, 5, 8, 23, 260):
            assert add_workdays(d, n) == brute_add_workdays(d, n), (d, n)


def test_workdays_between():
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert workdays_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert workdays_between(D(2026, 5, 6), D(2026, 5, 6)) == 0
    assert workdays_between(D(2024, 12, 31), D(2026, 12, 31)) == 248 + 248
    for d in (D(2025, 1, 24), D(2025, 9, 27), D(2026, 2, 14), D(2026, 12, 25)):
        for n in range(1, 40):
            assert workdays_between(d, add_workdays(d, n)) == n
            if is_workday(d):
                assert workdays_between(add_workdays(d, -n), d) == n


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="n must be an int"):
        add_workdays(D(2026, 1, 5), 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a date"):
        is_workday("2026-01-05")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="naive"):
        is_workday(dt.datetime(2026, 1, 5, 10, 0))


def test_an_aware_datetime_counts_as_its_beijing_date():
    # 2026-10-07 20:00 UTC is already 10-08 04:00 in Guangzhou, a working day.
    assert is_workday(dt.datetime(2026, 10, 7, 20, 0, tzinfo=dt.UTC))
    assert not is_workday(dt.datetime(2026, 10, 7, 15, 0, tzinfo=dt.UTC))


# ---------------------------------------------------------------------------------------------
# Years the library does not know


def test_year_is_official():
    assert year_is_official(2025)
    assert year_is_official(2026)
    assert not year_is_official(2027)
    assert not year_is_official(2003)


def test_unknown_year_falls_back_to_monday_to_friday():
    info = day_kind(D(2027, 1, 1))  # a Friday; its holiday is not published yet
    assert (info.kind, info.is_workday, info.official) == (DayKind.WORKDAY, True, False)
    assert day_kind(D(2027, 1, 2)).kind == DayKind.WEEKEND
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert add_workdays(D(2027, 1, 1), 1) == D(2027, 1, 4)
    assert len(workdays_in_year(2027)) == 261


def test_next_years_schedule_entered_as_overrides():
    other_process_sets(D(2027, 1, 1), "holiday", "元旦")
    info = day_kind(D(2027, 1, 1))
    assert (info.kind, info.is_workday, info.name, info.official) == (
        DayKind.OVERRIDE,
        False,
        "元旦",
        False,
    )
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


# ---------------------------------------------------------------------------------------------
# Overrides and their cache


def test_an_override_beats_the_library_both_ways():
    other_process_sets(D(2026, 9, 16), "holiday", "台风停工")  # an ordinary Wednesday
    other_process_sets(D(2026, 10, 5), "workday", "应急值守")  # a National Day holiday
    typhoon = day_kind(D(2026, 9, 16))
    assert (typhoon.kind, typhoon.is_workday, typhoon.name) == (DayKind.OVERRIDE, False, "台风停工")
    assert add_workdays(D(2026, 9, 15), 1) == D(2026, 9, 17)
    assert is_workday(D(2026, 10, 5))
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 5)
    assert workdays_between(D(2026, 9, 14), D(2026, 10, 9)) == 14
    official = day_kind(D(2026, 10, 5), include_overrides=False)
    assert (official.kind, official.name) == (DayKind.HOLIDAY, "国庆节")


def test_a_change_in_another_process_is_seen_by_the_next_request(client):
    assert is_workday(D(2026, 9, 16))
    other_process_sets(D(2026, 9, 16), "holiday", "台风停工")
    assert is_workday(D(2026, 9, 16))  # same request, checked moments ago: still the old copy
    next_request(client)
    assert not is_workday(D(2026, 9, 16))


def test_a_change_is_seen_after_a_few_seconds_outside_requests(monkeypatch):
    assert is_workday(D(2026, 9, 16))
    other_process_sets(D(2026, 9, 16), "holiday", "台风停工")
    later = calendar.time.monotonic() + calendar.RECHECK_SECONDS + 1
    monkeypatch.setattr(calendar.time, "monotonic", lambda: later)
    assert not is_workday(D(2026, 9, 16))


def test_removal_in_another_process_is_seen(client):
    other_process_sets(D(2026, 9, 16), "holiday", "台风停工")
    assert not is_workday(D(2026, 9, 16))
    other_process_bumps()
    CalendarOverride.objects.filter(date=D(2026, 9, 16)).delete()
    next_request(client)
    assert is_workday(D(2026, 9, 16))


def test_the_cache_costs_one_query_per_request(client, django_assert_num_queries):
    other_process_sets(D(2026, 9, 16), "holiday", "台风停工")
    with django_assert_num_queries(2):  # the version, then the overrides
        assert not is_workday(D(2026, 9, 16))
    with django_assert_num_queries(0):
        for d in span(D(2025, 1, 1), D(2026, 12, 31)):
            is_workday(d)
        add_work_hours(at(2026, 9, 15, 10), 100)
        working_time_between(at(2025, 1, 1), at(2026, 12, 31))
    next_request(client)
    with django_assert_num_queries(1):  # the version only: unchanged, so the copy is kept
        assert not is_workday(D(2026, 9, 16))


# ---------------------------------------------------------------------------------------------
# Office hours


def test_work_hours_across_the_lunch_break():
    assert add_work_hours(at(2026, 11, 27, 11), 2) == at(2026, 11, 27, 15)
    assert add_work_hours(at(2026, 11, 27, 12, 30), 1) == at(2026, 11, 27, 15)
    assert add_work_hours(at(2026, 11, 27, 11), 1) == at(2026, 11, 27, 12)  # not 14:00
    assert add_work_hours(at(2026, 11, 27, 9), 7) == at(2026, 11, 27, 18)


def test_work_hours_across_evenings_weekends_and_holidays():
    assert add_work_hours(at(2026, 11, 26, 7), 1) == at(2026, 11, 26, 10)  # before opening
    assert add_work_hours(at(2026, 11, 26, 17), 2) == at(2026, 11, 27, 10)  # overnight
    assert add_work_hours(at(2026, 11, 27, 20), 1) == at(2026, 11, 30, 10)  # over a weekend
    assert add_work_hours(at(2026, 9, 30, 16), 3) == at(2026, 10, 8, 10)  # over National Day


def test_work_hours_on_make_up_days():
    # Friday 17:00 + 2h: the next working day is the make-up Saturday, 10 October.
    assert add_work_hours(at(2026, 10, 9, 17), 2) == at(2026, 10, 10, 10)
    # Saturday 17:30 + 1h: Sunday is off, so Monday 09:30.
    assert add_work_hours(at(2026, 10, 10, 17, 30), 1) == at(2026, 10, 12, 9, 30)


def test_many_work_hours_skip_whole_days():
    # Ten working days from 30 September: 9/30, 10/8, 9, 10 (Sat), 12, 13, 14, 15, 16, 19.
    assert add_work_hours(at(2026, 9, 30, 9), 70) == at(2026, 10, 19, 18)
    assert add_work_hours(at(2026, 9, 30, 9), 70.5) == at(2026, 10, 20, 9, 30)


def test_hours_as_decimal_float_and_timedelta():
    start = at(2026, 11, 27, 11)
    assert add_work_hours(start, Decimal("1.5")) == at(2026, 11, 27, 14, 30)
    assert add_work_hours(start, 0.25) == at(2026, 11, 27, 11, 15)
    assert add_working_duration(start, dt.timedelta(minutes=90)) == at(2026, 11, 27, 14, 30)
    assert add_work_hours(at(2026, 11, 28, 20), 0) == at(2026, 11, 28, 20)
    with pytest.raises(ValueError, match="finite"):
        add_work_hours(start, float("nan"))
    with pytest.raises(TypeError, match="timedelta"):
        add_working_duration(start, 2)  # type: ignore[arg-type]


def test_negative_work_hours_count_backwards():
    assert add_work_hours(at(2026, 10, 8, 10), -2) == at(2026, 9, 30, 17)
    assert add_work_hours(at(2026, 11, 27, 15), -2) == at(2026, 11, 27, 11)
    assert add_work_hours(at(2026, 11, 30, 9, 30), -1) == at(2026, 11, 27, 17, 30)
    assert add_work_hours(at(2026, 10, 19, 18), -70) == at(2026, 9, 30, 9)


def test_results_are_in_beijing_time_and_naive_input_is_refused():
    utc_start = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 10:00 in Guangzhou
    result = add_work_hours(utc_start, 1)
    assert result == at(2026, 11, 27, 11)
    assert result.utcoffset() == dt.timedelta(hours=8)
    with pytest.raises(ValueError, match="naive datetime"):
        add_work_hours(dt.datetime(2026, 11, 27, 10), 1)
    with pytest.raises(ValueError, match="naive datetime"):
        working_time_between(at(2026, 11, 27), dt.datetime(2026, 11, 28))


def test_natural_hours_run_day_and_night():
    assert add_natural_hours(at(2026, 9, 30, 20), 24) == at(2026, 10, 1, 20)
    assert add_natural_hours(dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC), 1).utcoffset() == 8 * H


def test_working_time_between():
    assert working_time_between(at(2026, 10, 9, 10), at(2026, 10, 12, 10)) == 14 * H
    assert working_time_between(at(2026, 11, 27, 11), at(2026, 11, 27, 15)) == 2 * H
    assert working_time_between(at(2026, 9, 30, 17), at(2026, 10, 8, 10)) == 2 * H
    assert working_time_between(at(2026, 10, 12, 10), at(2026, 10, 9, 10)) == dt.timedelta()
    assert working_time_between(at(2026, 11, 28, 9), at(2026, 11, 29, 18)) == dt.timedelta()
    assert working_time_between(at(2026, 1, 1), at(2027, 1, 1)) == 248 * 7 * H


def test_working_time_matches_counting_minutes():
    starts = [at(2026, 9, 29, 8, 7), at(2026, 10, 9, 11, 59), at(2026, 2, 13, 13, 1)]
    for a in starts:
        for hours in (0.5, 3, 11, 30, 55):
            b = a + dt.timedelta(hours=hours)
            expected = dt.timedelta(minutes=brute_working_minutes(a, b))
            assert working_time_between(a, b) == expected, (a, b)


def test_adding_then_measuring_gives_the_hours_back():
    for day in (D(2025, 1, 24), D(2025, 9, 26), D(2026, 2, 13), D(2026, 9, 30)):
        for hh, mm in ((0, 0), (9, 0), (11, 45), (12, 0), (13, 0), (17, 59), (18, 0), (22, 0)):
            start = at(day.year, day.month, day.day, hh, mm)
            for hours in (Decimal("0.5"), 1, 3, 7, 8, 20, 49):
                end = add_work_hours(start, hours)
                assert working_time_between(start, end) == float(hours) * H, (start, hours)
                assert add_work_hours(end, -hours) >= start


def test_office_hours_from_settings(settings):
    settings.HONGMIAN_OFFICE_HOURS = ["08:30-12:00", "13:30-17:30"]
    assert add_work_hours(at(2026, 11, 27, 11), 2) == at(2026, 11, 27, 14, 30)
    assert working_days_deadline(at(2026, 11, 26, 10), 1) == at(2026, 11, 27, 17, 30)
    settings.HONGMIAN_OFFICE_HOURS = ["00:00-24:00"]
    assert add_work_hours(at(2026, 9, 30, 20), 5) == at(2026, 10, 8, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "empty"),
        ("09:00-12:00,14:00-18:00", "must be a list"),
        (["9-12"], "not a span HH:MM-HH:MM"),
        (["09:00-12:60"], "not a time of day"),
        (["09:00-25:00"], "not a time of day"),
        (["18:00-09:00"], "ends before it starts"),
        (["14:00-18:00", "09:00-12:00"], "overlaps or precedes"),
        (["09:00-12:00", "11:00-18:00"], "overlaps or precedes"),
    ],
)
def test_malformed_office_hours_are_refused(settings, value, message):
    settings.HONGMIAN_OFFICE_HOURS = value
    with pytest.raises(ImproperlyConfigured, match=message):
        add_work_hours(at(2026, 11, 27, 10), 1)


# ---------------------------------------------------------------------------------------------
# Deadlines of N working days


def test_working_days_deadline_ends_at_close_of_the_nth_day():
    # Dispatched on 30 September: 10/8, 10/9 and the make-up Saturday 10/10.
    assert working_days_deadline(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 18)
    assert working_days_deadline(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 18)


def test_the_day_of_dispatch_never_counts_whatever_the_hour():
    # Friday 18 September: Saturday off, Sunday 20th worked for National Day, then Mon, Tue.
    morning = working_days_deadline(at(2026, 9, 18, 9), 3)
    evening = working_days_deadline(at(2026, 9, 18, 20), 3)
    assert morning == evening == at(2026, 9, 22, 18)
    # Dispatched on a holiday: counting starts with the next day all the same.
    assert working_days_deadline(at(2026, 10, 3, 15), 1) == at(2026, 10, 8, 18)


def test_same_day_deadline():
    assert working_days_deadline(at(2026, 11, 27, 10), 0) == at(2026, 11, 27, 18)
    assert working_days_deadline(at(2026, 11, 27, 19), 0) == at(2026, 11, 30, 18)
    assert working_days_deadline(at(2026, 11, 28, 10), 0) == at(2026, 11, 30, 18)
    with pytest.raises(ValueError, match="0 or more"):
        working_days_deadline(at(2026, 11, 27, 10), -1)


def test_deadline_moves_with_a_typhoon_day():
    other_process_sets(D(2026, 9, 21), "holiday", "台风停工")
    assert working_days_deadline(at(2026, 9, 18, 9), 3) == at(2026, 9, 23, 18)


def test_system_check_reports_malformed_office_hours(settings):
    assert calendar.check_office_hours() == []
    settings.HONGMIAN_OFFICE_HOURS = ["09:00-12:00", "13:00-11:00"]
    [error] = calendar.check_office_hours()
    assert error.id == "core.E001"
    assert "'13:00-11:00' ends before it starts" in error.msg
