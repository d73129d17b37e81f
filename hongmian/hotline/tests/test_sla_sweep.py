"""The SLA sweep: urge (催办) at yellow, supervise (督办) at red, once per clock; and the
recomputation of running clocks when the business calendar or the office hours change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.core.services import calendar_override_set
from hongmian.hotline.models import SlaClock, Supervision, TimelineEntry
from hongmian.hotline.services import sla, sla_recompute, sla_sweep
from hongmian.hotline.states import (
    ClockKind,
    ClockUnit,
    RequestType,
    Status,
    SupervisionKind,
    Visibility,
)
from hongmian.hotline.tests.factories import SlaClockFactory, SlaRuleFactory, WorkOrderFactory

BJ = ZoneInfo("Asia/Shanghai")
SWEEPER = Actor.system("sla-sweep")
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BJ)  # clocks: yellow +19 h, due +24 h
YELLOW_TIME = START + dt.timedelta(hours=20)
RED_TIME = START + dt.timedelta(hours=25)


@pytest.fixture(autouse=True)
def _office_hours(settings):
    settings.HONGMIAN_OFFICE_HOURS = ["09:00-12:00", "14:00-18:00"]


@pytest.fixture
def clock(db) -> SlaClock:
    return SlaClockFactory(started_at=START)


def sweep(now: dt.datetime) -> sla_sweep.SweepResult:
    return sla_sweep.sla_sweep(actor=SWEEPER, now=now)


@pytest.mark.django_db
class TestSweep:
    def test_green_clocks_are_left_alone(self, clock):
        result = sweep(START + dt.timedelta(hours=1))
        assert (result.urged, result.supervised) == ([], [])
        assert not Supervision.objects.exists()

    def test_a_yellow_clock_is_urged_once(self, clock):
        result = sweep(YELLOW_TIME)
        assert result.urged == [clock.pk]
        urge = Supervision.objects.get()
        assert (urge.kind, urge.unit, urge.by) == (
            SupervisionKind.URGE,
            clock.order.lead_unit,
            None,
        )
        assert "办结时限将于2026-03-03 10:00到期" in urge.note
        entry = TimelineEntry.objects.get(order=clock.order)
        assert (entry.kind, entry.visibility) == ("sla_urge", Visibility.STAFF)
        assert entry.actor_label == "system:sla-sweep"
        assert AuditEvent.objects.filter(action="work_order.urge").count() == 1
        clock.refresh_from_db()
        assert clock.urged_at == YELLOW_TIME

        again = sweep(YELLOW_TIME + dt.timedelta(minutes=5))
        assert (again.urged, again.supervised) == ([], [])
        assert Supervision.objects.count() == 1

    def test_a_red_clock_is_supervised_once_after_its_urge(self, clock):
        sweep(YELLOW_TIME)
        result = sweep(RED_TIME)
        assert (result.urged, result.supervised) == ([], [clock.pk])
        kinds = list(Supervision.objects.order_by("created_at").values_list("kind", flat=True))
        assert sorted(kinds) == [SupervisionKind.SUPERVISE, SupervisionKind.URGE]
        assert "已于2026-03-03 10:00到期" in Supervision.objects.get(kind="supervise").note
        assert sweep(RED_TIME + dt.timedelta(hours=1)).supervised == []
        assert Supervision.objects.count() == 2

    def test_a_clock_found_red_is_supervised_and_never_urged_afterwards(self, clock):
        assert sweep(RED_TIME).supervised == [clock.pk]
        assert sweep(RED_TIME + dt.timedelta(hours=1)).urged == []
        assert list(Supervision.objects.values_list("kind", flat=True)) == ["supervise"]

    def test_stopped_clocks_and_orders_out_of_the_units_hands_are_skipped(self, db):
        SlaClockFactory(started_at=START, stopped_at=START + dt.timedelta(hours=2))
        replied = WorkOrderFactory(replied=True)
        assert replied.status == Status.REPLIED
        SlaClockFactory(order=replied, started_at=START)
        result = sweep(RED_TIME)
        assert (result.urged, result.supervised) == ([], [])

    def test_each_kind_of_clock_is_swept(self, db):
        order = WorkOrderFactory(dispatched=True)
        clocks = [SlaClockFactory(order=order, kind=k, started_at=START) for k in ClockKind]
        result = sweep(RED_TIME)
        assert sorted(result.supervised) == sorted(c.pk for c in clocks)
        notes = set(Supervision.objects.values_list("note", flat=True))
        assert {n[:2] for n in notes} == {"签收", "首次", "办结"}

    def test_clocks_of_an_acknowledged_order_are_swept(self, db):
        order = WorkOrderFactory(acknowledged=True)
        clock = SlaClockFactory(order=order, started_at=START)
        assert sweep(YELLOW_TIME).urged == [clock.pk]


@pytest.mark.django_db
class TestCalendarChanges:
    def start_inquiry(self) -> SlaClock:
        SlaRuleFactory(
            name="咨询",
            request_type=RequestType.INQUIRY,
            unit=ClockUnit.WORKING_DAYS,
            acknowledge_limit=Decimal(2),
            first_response_limit=Decimal(7),
            resolution_limit=Decimal(3),
        )
        order = WorkOrderFactory(dispatched=True, request_type=RequestType.INQUIRY)
        sla.sla_clocks_start(order=order, at=START)
        return SlaClock.objects.get(order=order, kind=ClockKind.RESOLUTION)

    def test_a_typhoon_day_moves_running_deadlines_at_the_next_sweep(self, db):
        clock = self.start_inquiry()
        assert clock.due_at == dt.datetime(2026, 3, 5, 18, 0, tzinfo=BJ)
        first = sweep(START)  # the first sweep ever records the calendar it computed with
        assert first.recomputed == 0
        assert sweep(START).recomputed is None

        calendar_override_set(
            actor=Actor.system("test"),
            day=dt.date(2026, 3, 4),
            kind="holiday",
            name="台风停工",
            reason="市政府停工通知",
        )
        result = sweep(START + dt.timedelta(minutes=5))
        assert result.recomputed == 1  # the resolution clock; the others end before 03-04
        clock.refresh_from_db()
        assert clock.due_at == dt.datetime(2026, 3, 6, 18, 0, tzinfo=BJ)
        assert AuditEvent.objects.filter(action="sla.recompute").exists()
        assert sweep(START + dt.timedelta(minutes=10)).recomputed is None

    def test_changed_office_hours_move_working_hour_clocks(self, db, settings):
        self.start_inquiry()
        sweep(START)
        ack = SlaClock.objects.get(kind=ClockKind.ACKNOWLEDGE)
        assert ack.due_at == dt.datetime(2026, 3, 2, 12, 0, tzinfo=BJ)
        settings.HONGMIAN_OFFICE_HOURS = ["08:30-12:00", "13:30-17:30"]
        assert sweep(START).recomputed == 2  # first response and resolution; 签收 ends 12:00
        ack.refresh_from_db()
        assert ack.due_at == dt.datetime(2026, 3, 2, 12, 0, tzinfo=BJ)  # 10:00 + 2 h still
        resolution = SlaClock.objects.get(kind=ClockKind.RESOLUTION)
        assert resolution.due_at == dt.datetime(2026, 3, 5, 17, 30, tzinfo=BJ)

    def test_recompute_keeps_extensions_and_leaves_stopped_clocks(self, db):
        clock = self.start_inquiry()
        sla.sla_clocks_extend(order=clock.order, amount=2)
        sla.sla_clock_stop(order=clock.order, kind=ClockKind.ACKNOWLEDGE, at=START)
        ack = SlaClock.objects.get(kind=ClockKind.ACKNOWLEDGE)
        SlaClock.objects.filter(pk=ack.pk).update(due_at=START)  # a deadline it was judged by
        moved = sla_recompute.sla_recompute_running(actor=SWEEPER)
        assert moved == 0
        clock.refresh_from_db()
        assert clock.due_at == dt.datetime(2026, 3, 9, 18, 0, tzinfo=BJ)  # 3 + 2 days
        ack.refresh_from_db()
        assert ack.due_at == START
