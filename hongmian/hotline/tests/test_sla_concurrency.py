"""Two sweeps at once (two schedulers, or a retry overlapping a slow run) still urge and
supervise each clock exactly once. Needs real concurrent transactions: PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from hongmian.core.actors import Actor
from hongmian.hotline.models import SlaClock, Supervision, TimelineEntry
from hongmian.hotline.services import sla_sweep
from hongmian.hotline.states import ClockKind, SupervisionKind
from hongmian.hotline.tests.factories import SlaClockFactory, WorkOrderFactory

BJ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BJ)
SWEEPERS = 4


def _run_at_once(now: dt.datetime) -> list[sla_sweep.SweepResult]:
    barrier = threading.Barrier(SWEEPERS)
    results: list[sla_sweep.SweepResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(sla_sweep.sla_sweep(actor=Actor.system("sla-sweep"), now=now))
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(SWEEPERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(results) == SWEEPERS
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_urge_and_supervise_each_clock_once():
    orders = [WorkOrderFactory(dispatched=True) for _ in range(5)]
    clocks = [
        SlaClockFactory(order=o, kind=kind, started_at=START)
        for o in orders
        for kind in (ClockKind.ACKNOWLEDGE, ClockKind.RESOLUTION)
    ]

    yellow = _run_at_once(START + dt.timedelta(hours=20))
    urged = [pk for r in yellow for pk in r.urged]
    assert sorted(urged) == sorted(c.pk for c in clocks)  # each once, across all sweepers
    assert Supervision.objects.filter(kind=SupervisionKind.URGE).count() == len(clocks)

    red = _run_at_once(START + dt.timedelta(hours=25))
    supervised = [pk for r in red for pk in r.supervised]
    assert sorted(supervised) == sorted(c.pk for c in clocks)
    assert Supervision.objects.filter(kind=SupervisionKind.SUPERVISE).count() == len(clocks)
    assert TimelineEntry.objects.count() == 2 * len(clocks)
    assert not SlaClock.objects.filter(urged_at__isnull=True).exists()
    # The first sweep ever also recomputes; doing that four times at once must not fail.
    assert sum(1 for r in yellow if r.recomputed is not None) >= 1
