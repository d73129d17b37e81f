"""Periodic housekeeping of the platform. The scheduler (`hongmian crontask`) loads every
app's tasks.py; the worker (`hongmian db_worker`) runs what they enqueue."""

from __future__ import annotations

from datetime import timedelta

from crontask import cron
from django.utils import timezone

from hongmian.core.jobs import jobs_recover, reliable_task
from hongmian.core.models import JobRun


@cron("30 3 * * *")  # every night at 03:30 Asia/Shanghai, when the hotline is quietest
@reliable_task()
def prune_job_history(keep_days: int = 90) -> int:
    """Delete finished job records older than `keep_days`; failures are kept twice as long."""
    now = timezone.now()
    done = JobRun.objects.filter(
        outcome=JobRun.Outcome.SUCCEEDED, created_at__lt=now - timedelta(days=keep_days)
    ).delete()[0]
    failed = JobRun.objects.filter(
        outcome=JobRun.Outcome.FAILED, created_at__lt=now - timedelta(days=2 * keep_days)
    ).delete()[0]
    return done + failed


@cron("*/5 * * * *")  # every five minutes: a lost job runs again within lease + 5 minutes
@reliable_task()
def recover_lost_jobs() -> int:
    """Queue again the jobs a dead worker left running (core.jobs.jobs_recover)."""
    recovered = jobs_recover()
    return recovered.requeued + recovered.failed


@cron("20 * * * *")  # hourly: a counter whose window ended is dead weight on every hit
@reliable_task()
def prune_rate_counters() -> int:
    """Delete rate-limit counters whose window ended over an hour ago (core.ratelimit)."""
    from hongmian.core.ratelimit import prune_expired

    return prune_expired()
