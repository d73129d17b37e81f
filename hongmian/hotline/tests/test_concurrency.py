"""Races on PostgreSQL: real threads, real row locks. Skipped on SQLite, which serialises
writers by itself (and whose in-memory test database other threads cannot open)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from hongmian.core.errors import ApplicationError, IllegalTransition
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.services.lifecycle_dispatch import work_order_acknowledge
from hongmian.hotline.services.lifecycle_handling import work_order_progress, work_order_reply
from hongmian.hotline.tests.factories import actor_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race(work: Callable[[int], Any], n: int = THREADS) -> tuple[list[Any], list[BaseException]]:
    """Run `work(i)` in n threads released at once; returns results and errors."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcome = work(i)
            with lock:
                results.append(outcome)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


INTAKE = {
    "channel": "phone",
    "request_type": "complaint",
    "title": "同时提交",
    "content": "网络重试导致的重复提交。",
    "caller_phone": "13800138000",
}


def test_concurrent_retries_with_one_key_make_one_order(agent) -> None:
    actor = actor_of(agent)
    results, errors = race(
        lambda i: work_order_intake(
            actor=actor, request=IntakeRequest(**INTAKE), idempotency_key="same"
        )
    )
    assert errors == []
    assert len({order.pk for order, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * (THREADS - 1) + [True]
    assert WorkOrder.objects.count() == 1


def test_concurrent_intakes_get_distinct_numbers(agent) -> None:
    actor = actor_of(agent)

    def five(i: int) -> list[str]:
        return [
            work_order_intake(actor=actor, request=IntakeRequest(**INTAKE))[0].number
            for _ in range(5)
        ]

    results, errors = race(five)
    assert errors == []
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == len(set(numbers)) == THREADS * 5


def test_one_acknowledge_wins(flow, units) -> None:
    order = flow.dispatched(units.shipai)
    handlers = [actor_of(flow.handler(units.shipai))] * THREADS
    results, errors = race(lambda i: work_order_acknowledge(actor=handlers[i], order=order.pk))
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, IllegalTransition) and e.status_code == 409 for e in errors)
    order.refresh_from_db()
    assert order.version == 3  # intake, dispatch, one 签收
    assert order.timeline.filter(kind="acknowledged").count() == 1


def test_one_reply_wins(flow, units) -> None:
    order = flow.acknowledged(units.shipai)
    actor = actor_of(flow.handler(units.shipai))
    results, errors = race(
        lambda i: work_order_reply(actor=actor, order=order.pk, reply=f"答复 {i}")
    )
    assert len(results) == 1
    assert all(isinstance(e, ApplicationError) and e.status_code == 409 for e in errors)
    order.refresh_from_db()
    assert order.reply == results[0].reply
    assert order.timeline.filter(kind="replied").count() == 1


def test_version_has_no_lost_update(flow, units) -> None:
    order = flow.acknowledged(units.shipai)
    actor = actor_of(flow.handler(units.shipai))
    before = order.version
    results, errors = race(
        lambda i: work_order_progress(actor=actor, order=order.pk, text=f"进展 {i}")
    )
    assert errors == []
    order.refresh_from_db()
    assert order.version == before + THREADS
    assert sorted(o.version for o in results) == list(range(before + 1, before + THREADS + 1))


def test_stale_writers_lose_with_expected_version(flow, units) -> None:
    order = flow.acknowledged(units.shipai)
    actor = actor_of(flow.handler(units.shipai))
    seen = order.version
    results, errors = race(
        lambda i: work_order_progress(
            actor=actor, order=order.pk, text=f"进展 {i}", expected_version=seen
        )
    )
    assert len(results) == 1
    assert {e.code for e in errors} == {"work_order.stale"}  # type: ignore[attr-defined]
