"""SLA clocks on the business calendar: arithmetic on real 2025–2026 dates (weekends,
statutory holidays, make-up workdays), rule choice, start/stop/extend, and lights.

Office hours are the defaults, 09:00-12:00 and 14:00-18:00 (7 hours a day)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hongmian.core import deadlines
from hongmian.core.actors import Actor
from hongmian.core.deadlines import deadline
from hongmian.hotline.models import Category, SlaClock
from hongmian.hotline.services import sla
from hongmian.hotline.services.sla_rules import sla_rules_load_defaults
from hongmian.hotline.services.taxonomy import taxonomy_load_defaults
from hongmian.hotline.states import (
    ClockKind,
    ClockLight,
    ClockUnit,
    Priority,
    RequestType,
    Status,
)
from hongmian.hotline.tests.factories import (
    CategoryFactory,
    SlaClockFactory,
    SlaRuleFactory,
    WorkOrderFactory,
)

BJ = ZoneInfo("Asia/Shanghai")
SYSTEM = Actor.system("test")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BJ)


@pytest.fixture(autouse=True)
def _office_hours(settings):
    settings.HONGMIAN_OFFICE_HOURS = ["09:00-12:00", "14:00-18:00"]


@pytest.fixture
def defaults(db) -> None:
    taxonomy_load_defaults(actor=SYSTEM)
    sla_rules_load_defaults(actor=SYSTEM)


def cat(code: str) -> Category:
    return Category.objects.get(code=code)


# --- arithmetic ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDeadlines:
    def test_three_working_days_over_national_day_end_on_the_makeup_saturday(self):
        # 2025: 10-01…10-08 off (National Day + Mid-autumn), Saturday 10-11 worked.
        due = deadline(at(2025, 9, 30, 15, 0), ClockUnit.WORKING_DAYS, Decimal(3))
        assert due == at(2025, 10, 11, 18, 0)

    def test_the_hour_of_dispatch_does_not_change_a_working_day_deadline(self):
        # The day of dispatch never counts (民法典 201): 09:00 and 20:00 give the same day.
        early = deadline(at(2025, 9, 30, 9, 0), ClockUnit.WORKING_DAYS, Decimal(3))
        late = deadline(at(2025, 9, 30, 20, 0), ClockUnit.WORKING_DAYS, Decimal(3))
        assert early == late == at(2025, 10, 11, 18, 0)

    def test_spring_festival_2026_and_its_makeup_saturday(self):
        # 2026: Saturday 02-14 worked, 02-15…02-23 off.
        due = deadline(at(2026, 2, 13, 16, 0), ClockUnit.WORKING_DAYS, Decimal(3))
        assert due == at(2026, 2, 25, 18, 0)

    def test_fifteen_working_days_from_an_ordinary_week(self):
        # Monday 2026-03-02 + 15 working days: three whole weeks on, Monday 03-23.
        due = deadline(at(2026, 3, 2, 10, 0), ClockUnit.WORKING_DAYS, Decimal(15))
        assert due == at(2026, 3, 23, 18, 0)

    def test_working_hours_skip_lunch_evening_and_weekend(self):
        # Friday 2026-03-06 17:00 + 2 h: one hour on Friday, one on Monday morning.
        due = deadline(at(2026, 3, 6, 17, 0), ClockUnit.WORKING_HOURS, Decimal(2))
        assert due == at(2026, 3, 9, 10, 0)
        lunch = deadline(at(2026, 3, 9, 11, 30), ClockUnit.WORKING_HOURS, Decimal(1))
        assert lunch == at(2026, 3, 9, 14, 30)

    def test_working_hours_over_new_year_2026(self):
        # 2026-01-01 and 01-02 are off; Sunday 01-04 is a make-up workday.
        due = deadline(at(2025, 12, 31, 17, 0), ClockUnit.WORKING_HOURS, Decimal(2))
        assert due == at(2026, 1, 4, 10, 0)

    def test_natural_hours_run_across_midnight_and_holidays(self):
        due = deadline(at(2025, 12, 31, 23, 30), ClockUnit.NATURAL_HOURS, Decimal(2))
        assert due == at(2026, 1, 1, 1, 30)
        quarter = deadline(at(2025, 12, 31, 23, 50), ClockUnit.NATURAL_HOURS, Decimal("0.25"))
        assert quarter == at(2026, 1, 1, 0, 5)

    def test_a_fraction_of_a_working_day_is_that_share_of_office_hours(self):
        # 1.5 days from Monday: Tuesday's close, then 3.5 office hours → Wednesday 14:30.
        due = deadline(at(2026, 3, 2, 10, 0), ClockUnit.WORKING_DAYS, Decimal("1.5"))
        assert due == at(2026, 3, 4, 14, 30)
        half = deadline(at(2026, 3, 2, 10, 0), ClockUnit.WORKING_DAYS, Decimal("0.5"))
        assert half == at(2026, 3, 2, 15, 30)

    def test_warning_at_eighty_percent_of_the_office_time(self):
        start = at(2026, 2, 13, 16, 0)
        due = deadline(start, ClockUnit.WORKING_DAYS, Decimal(3))
        # Allowed: 2 h (Fri) + 7 h × 3 = 23 h; 80 % = 18 h 24 min, counted in office time.
        yellow = deadlines.warning_at(start, due, ClockUnit.WORKING_DAYS, Decimal("0.8"))
        assert yellow == at(2026, 2, 25, 11, 24)

    def test_warning_in_natural_hours_is_plain_clock_time(self):
        start = at(2025, 12, 31, 23, 30)
        due = deadline(start, ClockUnit.NATURAL_HOURS, Decimal(2))
        assert deadlines.warning_at(start, due, ClockUnit.NATURAL_HOURS, Decimal("0.5")) == at(
            2026, 1, 1, 0, 30
        )


# --- choosing the rule ---------------------------------------------------------------------


@pytest.mark.django_db
class TestRuleChoice:
    def rule_for(self, **order_fields):
        order = WorkOrderFactory(**order_fields)
        return sla.sla_rule_for(order, at=at(2026, 3, 2, 10, 0))

    def test_request_type_rules(self, defaults):
        assert self.rule_for(request_type=RequestType.INQUIRY).name == "咨询"
        assert self.rule_for(request_type=RequestType.HELP).name == "求助"
        assert self.rule_for(request_type=RequestType.COMPLAINT).name == "投诉"
        assert self.rule_for(request_type=RequestType.PRAISE).name == "表扬"

    def test_priority_beats_the_type_by_its_shorter_limit(self, defaults):
        rule = self.rule_for(request_type=RequestType.COMPLAINT, priority=Priority.EMERGENCY)
        assert rule.name == "特急诉求"
        assert (rule.unit, rule.resolution_limit) == (ClockUnit.NATURAL_HOURS, 2)

    def test_water_power_gas_by_any_descendant_category(self, defaults):
        rule = self.rule_for(request_type=RequestType.COMPLAINT, category=cat("110101"))
        assert rule.name == "水电气诉求"
        assert (rule.unit, rule.resolution_limit) == (ClockUnit.NATURAL_HOURS, 24)

    def test_the_nearest_category_wins_over_its_ancestor(self, defaults):
        assert self.rule_for(category=cat("110302")).name == "燃气泄漏"  # not 水电气 (11)

    def test_the_emergency_zone_tag(self, defaults):
        rule = self.rule_for(request_type=RequestType.COMPLAINT, is_emergency=True)
        assert rule.name == "应急区域诉求"
        assert (rule.unit, rule.resolution_limit) == (ClockUnit.NATURAL_HOURS, 6)
        # Within the zone a water outage is still 6 hours (the shorter of 6 and 24).
        assert self.rule_for(is_emergency=True, category=cat("110101")).name == "应急区域诉求"

    def test_a_zone_never_slows_a_faster_rule(self, defaults):
        # Gas leak (2 h) and zone (6 h) set one criterion each: the shorter limit wins.
        assert self.rule_for(is_emergency=True, category=cat("110302")).name == "燃气泄漏"

    def test_most_criteria_win_over_a_shorter_limit(self, db):
        CategoryFactory(code="X1")
        narrow = SlaRuleFactory(
            name="窄", request_type=RequestType.INQUIRY, priority=Priority.URGENT,
            resolution_limit=Decimal(10),
        )  # fmt: skip
        SlaRuleFactory(name="宽", priority=Priority.URGENT, resolution_limit=Decimal(1))
        assert self.rule_for(request_type="inquiry", priority="urgent") == narrow

    def test_a_tie_of_criteria_goes_to_the_earliest_deadline(self, db):
        SlaRuleFactory(name="类型", request_type=RequestType.HELP, resolution_limit=Decimal(5))
        fast = SlaRuleFactory(
            name="优先级", priority=Priority.URGENT, unit=ClockUnit.NATURAL_HOURS,
            resolution_limit=Decimal(48),
        )  # fmt: skip
        # 48 natural hours from Monday 10:00 end before 5 working days do.
        assert self.rule_for(request_type="help", priority="urgent") == fast

    def test_inactive_rules_and_unmatched_criteria_are_ignored(self, db):
        SlaRuleFactory(name="停用", is_active=False)
        SlaRuleFactory(name="举报", request_type=RequestType.REPORT)
        assert self.rule_for(request_type=RequestType.INQUIRY) is None


# --- clocks ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestClocks:
    def test_three_clocks_start_at_dispatch(self, defaults):
        order = WorkOrderFactory(dispatched=True, request_type=RequestType.INQUIRY)
        start = at(2026, 2, 13, 16, 0)
        clocks = {c.kind: c for c in sla.sla_clocks_start(order=order, at=start)}
        ack, first, resolution = (
            clocks[ClockKind.ACKNOWLEDGE],
            clocks[ClockKind.FIRST_RESPONSE],
            clocks[ClockKind.RESOLUTION],
        )
        # A working-day rule gives 签收 and first response in working hours.
        assert (ack.unit, ack.limit, ack.due_at) == (
            ClockUnit.WORKING_HOURS,
            2,
            at(2026, 2, 13, 18, 0),
        )
        # 7 working hours: 2 on Friday, then the make-up Saturday 02-14.
        assert (first.unit, first.due_at) == (ClockUnit.WORKING_HOURS, at(2026, 2, 14, 16, 0))
        assert (resolution.unit, resolution.limit) == (ClockUnit.WORKING_DAYS, 3)
        assert resolution.due_at == at(2026, 2, 25, 18, 0)
        assert resolution.yellow_at == at(2026, 2, 25, 11, 24)
        assert all(c.started_at == start and c.rule.name == "咨询" for c in clocks.values())

    def test_restarting_stops_the_running_clocks_first(self, defaults):
        order = WorkOrderFactory(dispatched=True)
        first = sla.sla_clocks_start(order=order, at=at(2026, 3, 2, 10, 0))
        sla.sla_clocks_start(order=order, at=at(2026, 3, 3, 10, 0))
        assert SlaClock.objects.filter(order=order).count() == 6
        assert SlaClock.objects.filter(order=order, stopped_at__isnull=True).count() == 3
        old = SlaClock.objects.get(pk=first[0].pk)
        assert old.stopped_at == at(2026, 3, 3, 10, 0)

    def test_without_any_rule_the_fallback_limits_apply(self, db):
        order = WorkOrderFactory(dispatched=True)
        clocks = sla.sla_clocks_start(order=order, at=at(2026, 3, 2, 10, 0))
        resolution = next(c for c in clocks if c.kind == ClockKind.RESOLUTION)
        assert resolution.rule is None
        assert (resolution.unit, resolution.limit) == (ClockUnit.WORKING_DAYS, 15)

    def test_stop_one_kind_and_stop_twice(self, defaults):
        order = WorkOrderFactory(dispatched=True)
        sla.sla_clocks_start(order=order, at=at(2026, 3, 2, 10, 0))
        stopped = sla.sla_clock_stop(order=order, kind=ClockKind.ACKNOWLEDGE, at=at(2026, 3, 2, 11))
        assert stopped is not None
        assert stopped.stopped_at == at(2026, 3, 2, 11)
        assert (
            sla.sla_clock_stop(order=order, kind=ClockKind.ACKNOWLEDGE, at=at(2026, 3, 3)) is None
        )
        assert sla.sla_clocks_stop_all(order=order, at=at(2026, 3, 2, 12)) == 2
        assert not SlaClock.objects.filter(order=order, stopped_at__isnull=True).exists()

    def test_extension_moves_the_resolution_deadline_in_its_unit(self, defaults):
        order = WorkOrderFactory(dispatched=True, request_type=RequestType.INQUIRY)
        sla.sla_clocks_start(order=order, at=at(2025, 9, 30, 15, 0))
        clock = SlaClock.objects.get(order=order, kind=ClockKind.RESOLUTION)
        assert clock.due_at == at(2025, 10, 11, 18, 0)
        SlaClock.objects.filter(pk=clock.pk).update(urged_at=at(2025, 10, 11, 12, 0))
        extended = sla.sla_clocks_extend(order=order, amount=2)
        # 3 + 2 working days: 10-09, 10-10, 10-11 (Saturday worked), 10-13, 10-14.
        assert extended.due_at == at(2025, 10, 14, 18, 0)
        assert extended.extra == 2
        assert extended.yellow_at > clock.yellow_at
        # Both instants lie in the past, so the reminder already given stands.
        assert extended.urged_at == at(2025, 10, 11, 12, 0)

    def test_extension_without_a_running_clock_is_a_no_op(self, db):
        order = WorkOrderFactory(dispatched=True)
        assert sla.sla_clocks_extend(order=order, amount=1) is None
        with pytest.raises(ValueError, match="positive"):
            sla.sla_clocks_extend(order=order, amount=0)

    def test_a_future_extension_clears_the_reminder_marks(self, defaults):
        order = WorkOrderFactory(dispatched=True, request_type=RequestType.INQUIRY)
        now = dt.datetime.now(BJ)
        sla.sla_clocks_start(order=order, at=now - dt.timedelta(days=10))
        SlaClock.objects.filter(order=order).update(urged_at=now, supervised_at=now)
        extended = sla.sla_clocks_extend(order=order, amount=30)
        assert extended.due_at > now
        assert (extended.urged_at, extended.supervised_at) == (None, None)


@pytest.mark.django_db
class TestLights:
    def test_running_clock_lights(self):
        clock = SlaClockFactory(started_at=at(2026, 3, 2, 10, 0))  # yellow +19 h, due +24 h
        assert sla.sla_light(clock, at(2026, 3, 2, 10, 0)) == ClockLight.GREEN
        assert sla.sla_light(clock, at(2026, 3, 3, 5, 0)) == ClockLight.YELLOW
        assert sla.sla_light(clock, at(2026, 3, 3, 10, 0)) == ClockLight.RED

    def test_stopped_clock_lights(self):
        clock = SlaClockFactory(started_at=at(2026, 3, 2, 10, 0))
        clock.stopped_at = at(2026, 3, 3, 9, 59)
        assert sla.sla_light(clock, at(2026, 4, 1)) == ClockLight.MET
        clock.stopped_at = at(2026, 3, 3, 10, 1)
        assert sla.sla_light(clock, at(2026, 4, 1)) == ClockLight.MET_LATE

    def test_the_worst_light_of_an_order(self):
        order = WorkOrderFactory(dispatched=True, status=Status.DISPATCHED)
        green = SlaClockFactory(order=order, kind=ClockKind.ACKNOWLEDGE, started_at=at(2026, 3, 2))
        red = SlaClockFactory(order=order, started_at=at(2026, 2, 1))
        now = at(2026, 3, 2, 1)
        assert sla.sla_order_light([green], now) == ClockLight.GREEN
        assert sla.sla_order_light([green, red], now) == ClockLight.RED
        assert sla.sla_order_light([], now) == ""
