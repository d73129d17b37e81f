"""The shared rate limit (core.ratelimit): counts, windows, and one count across processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.process
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from hongmian.core import ratelimit
from hongmian.core.models import RateCounter

pytestmark = pytest.mark.django_db


def test_hits_within_the_limit_are_allowed_and_the_next_is_refused() -> None:
    decisions = [ratelimit.hit("t:a", limit=3, window=60) for _ in range(4)]

    assert [d.count for d in decisions] == [1, 2, 3, 4]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 55 <= decisions[-1].retry_after <= 60
    assert decisions[0].retry_after == 0  # allowed: nothing to wait for


def test_a_hit_may_count_as_many() -> None:
    # The data hub's row quota: a call counts the rows it returns.
    first = ratelimit.hit("t:rows", limit=10, window=60, amount=7)
    second = ratelimit.hit("t:rows", limit=10, window=60, amount=5)

    assert (first.count, first.allowed) == (7, True)
    assert (second.count, second.allowed) == (12, False)
    RateCounter.objects.filter(key="t:rows").update(
        window_ends=timezone.now() - dt.timedelta(seconds=1)
    )
    assert ratelimit.hit("t:rows", limit=10, window=60, amount=4).count == 4  # a new window
    with pytest.raises(ValueError, match="amount"):
        ratelimit.hit("t:rows", limit=10, window=60, amount=0)


def test_keys_count_apart() -> None:
    ratelimit.hit("t:a", limit=1, window=60)

    assert ratelimit.hit("t:b", limit=1, window=60).allowed
    assert not ratelimit.hit("t:a", limit=1, window=60).allowed


def test_a_new_window_starts_from_one_once_the_old_one_ended() -> None:
    for _ in range(3):
        ratelimit.hit("t:a", limit=2, window=60)
    RateCounter.objects.filter(key="t:a").update(
        window_ends=timezone.now() - dt.timedelta(seconds=1)
    )

    again = ratelimit.hit("t:a", limit=2, window=60)

    assert (again.count, again.allowed) == (1, True)
    assert again.window_ends is not None
    assert again.window_ends > timezone.now()


def test_peek_does_not_count_and_refuses_once_the_limit_is_used() -> None:
    assert ratelimit.peek("t:a", limit=2).allowed
    ratelimit.hit("t:a", limit=2, window=60)
    assert ratelimit.peek("t:a", limit=2) == ratelimit.peek("t:a", limit=2)
    assert ratelimit.peek("t:a", limit=2).count == 1
    ratelimit.hit("t:a", limit=2, window=60)

    locked = ratelimit.peek("t:a", limit=2)
    assert not locked.allowed
    assert locked.retry_after > 0
    ratelimit.reset("t:a")
    assert ratelimit.peek("t:a", limit=2).allowed


def test_the_address_keys_the_public_guard() -> None:
    here = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    there = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")
    ratelimit.hit_address(here, "t", limit=1, window=60)

    assert not ratelimit.hit_address(here, "t", limit=1, window=60).allowed
    assert ratelimit.hit_address(there, "t", limit=1, window=60).allowed


def test_refuse_is_a_429_with_retry_after() -> None:
    ratelimit.hit("t:a", limit=1, window=90)
    error = ratelimit.refuse(ratelimit.hit("t:a", limit=1, window=90), code="x.too_many")

    assert (error.status_code, error.code) == (429, "x.too_many")
    assert 85 <= error.retry_after <= 90


def test_bad_keys_and_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        ratelimit.hit("", limit=1, window=1)
    with pytest.raises(ValueError, match="key"):
        ratelimit.hit("k" * (ratelimit.KEY_MAX + 1), limit=1, window=1)
    with pytest.raises(ValueError, match="positive"):
        ratelimit.hit("k", limit=0, window=1)


def test_prune_removes_only_ended_windows() -> None:
    ratelimit.hit("t:live", limit=1, window=60)
    RateCounter.objects.create(
        key="t:old", count=3, window_ends=timezone.now() - dt.timedelta(hours=2)
    )

    assert ratelimit.prune_expired() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["t:live"]


# --- across processes ---------------------------------------------------------------------


def _worker(key: str, limit: int, sqlite_file: str | None, barrier: Any, out: Any) -> None:
    """One forked OS process, as a gunicorn worker is: its own database connection."""
    from django.db import connection

    # The parent's handle is the parent's: forget it without closing it (closing would end
    # the parent's session too), and open our own on first use.
    connection.connection = None
    if sqlite_file:
        connection.settings_dict["NAME"] = sqlite_file
    if key == "create":
        with connection.schema_editor() as editor:
            editor.create_model(RateCounter)
    else:
        barrier.wait(timeout=30)
        hits = [ratelimit.hit(key, limit=limit, window=600) for _ in range(limit)]
        out.put([(d.count, d.allowed) for d in hits])
    connection.close()


def _fork(*args: Any) -> multiprocessing.process.BaseProcess:
    proc = multiprocessing.get_context("fork").Process(target=_worker, args=args)
    proc.start()
    return proc


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_count(tmp_path: Path) -> None:
    # Two OS processes (as two gunicorn workers) hit one key at once, each as many times as
    # the limit: between them every count from 1 to 2×limit is handed out exactly once, and
    # only `limit` hits are allowed in all — not `limit` per process.
    sqlite_file = None
    if connection.vendor == "sqlite":
        # The tests' SQLite database lives in memory, out of another process's reach: the
        # workers share a file, as the demo's processes do.
        sqlite_file = str(tmp_path / "shared.sqlite3")
        creator = _fork("create", 0, sqlite_file, None, None)
        creator.join(30)
        assert creator.exitcode == 0
    limit = 40
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    workers = [_fork("t:shared", limit, sqlite_file, barrier, out) for _ in range(2)]
    decisions = out.get(timeout=60) + out.get(timeout=60)
    for proc in workers:
        proc.join(30)
        assert proc.exitcode == 0

    assert sorted(count for count, _allowed in decisions) == list(range(1, 2 * limit + 1))
    assert sum(allowed for _count, allowed in decisions) == limit
