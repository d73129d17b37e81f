"""Two workers evaluate the same indicator at the same moment on real PostgreSQL (the
schedule's job retried while the first still runs): two readings, one alert, one task.

Real threads, each with its own connection, released together by a barrier."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.identity.models import OrgUnit
from hongmian.opscentre.models import Alert, Reading
from hongmian.opscentre.services.indicators import indicator_evaluate
from hongmian.opscentre.tests.conftest import SYSTEM, TODAY, at, make_indicator

WORKERS = 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write with one database lock: the race needs PostgreSQL",
)
def test_racing_evaluations_file_one_task(owner: OrgUnit) -> None:
    indicator = make_indicator(owner)
    ids = [WorkOrderFactory().pk for _ in range(3)]
    WorkOrder.objects.filter(pk__in=ids).update(created_at=at(TODAY))
    barrier = threading.Barrier(WORKERS)

    def evaluate(_: int) -> str:
        try:
            barrier.wait(timeout=30)
            return indicator_evaluate(actor=SYSTEM, indicator=indicator, period=TODAY).level
        finally:
            connection.close()

    with ThreadPoolExecutor(WORKERS) as pool:
        levels = list(pool.map(evaluate, range(WORKERS)))
    assert levels == ["alarm"] * WORKERS
    assert Reading.objects.count() == WORKERS
    assert Alert.objects.count() == 1
    assert WorkOrder.objects.filter(channel="system").count() == 1
