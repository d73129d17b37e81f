"""Fault drills (issue 16, item 6): the background worker killed mid-job.

A real `hongmian db_worker` process takes a job that writes its effect in a transaction and
is killed with SIGKILL in the middle of it; the effect is rolled back with its connection, the
job stays RUNNING, `jobs_recover` queues it again once its lease is over, and the next worker
runs it to the end: the effect exists exactly once, the lost attempt is on record. Needs a
database a second process can reach: PostgreSQL (the SQLite test database is in memory)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hongmian.core.jobs import jobs_recover
from hongmian.core.models import CalendarOverride, JobRun
from hongmian.core.tests.jobs_for_tests import effect_once, flaky

DAY = "2031-01-02"


def _database_url() -> str:
    conf = connection.settings_dict
    auth = quote(conf["USER"] or "")
    if conf.get("PASSWORD"):
        auth += ":" + quote(conf["PASSWORD"])
    return f"postgres://{auth}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def _after_the_lease() -> timezone.datetime:
    return timezone.now() + timedelta(seconds=settings.HONGMIAN_TASK_LEASE_SECONDS + 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_the_job_to_run_again_once(tmp_path: Path) -> None:
    # Slow by nature: a second Python process starts Django (3–6 s idle, ≈ 20 s at load 10).
    marker = tmp_path / "mid-job"
    effect_once.enqueue(day=DAY, marker=str(marker))
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "hongmian", "db_worker", "--batch", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    # Killed inside the job's transaction: the effect went with the connection.
    time.sleep(0.2)  # PostgreSQL ends the dead client's backend as soon as it sees the socket close
    assert not CalendarOverride.objects.filter(date=DAY).exists()
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.RUNNING
    first = JobRun.objects.get()
    assert (first.attempt, first.outcome, first.finished_at) == (1, "failed", None)
    assert "interrupted" in first.error

    # Within its lease a running job is left alone: it may only be slow.
    assert jobs_recover().requeued == 0
    assert jobs_recover(now=_after_the_lease()).requeued == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert row.args_kwargs["kwargs"]["_attempt"] == 2

    _work()
    assert CalendarOverride.objects.filter(date=DAY).count() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    runs = list(JobRun.objects.order_by("id").values_list("attempt", "outcome"))
    assert runs == [(1, "failed"), (2, "succeeded")]

    # Nothing left to recover, nothing runs twice.
    assert jobs_recover(now=_after_the_lease()).requeued == 0
    _work()
    assert CalendarOverride.objects.filter(date=DAY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_last_attempt_is_recorded_as_failed_not_run_again() -> None:
    flaky.enqueue(fail_until_attempt=0)
    row = DBTaskResult.objects.get()
    # What a worker killed on the job's last attempt (max_attempts=2) leaves behind.
    row.args_kwargs = {**row.args_kwargs, "kwargs": {**row.args_kwargs["kwargs"], "_attempt": 2}}
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now()
    row.save()

    recovered = jobs_recover(now=_after_the_lease())
    assert (recovered.requeued, recovered.failed) == (0, 1)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "hongmian.core.jobs.WorkerLost"
    _work()
    assert not JobRun.objects.exists()
