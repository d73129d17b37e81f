"""The hotline's periodic job: the SLA sweep, every five minutes, as the system actor."""

from __future__ import annotations

import datetime as dt

import pytest
from crontask import scheduler
from django.core.management import call_command
from django.utils import timezone

from hongmian.core.models import JobRun
from hongmian.hotline.models import Supervision, TimelineEntry
from hongmian.hotline.tasks import sla_sweep_job
from hongmian.hotline.tests.factories import SlaClockFactory


def test_the_sweep_is_scheduled_every_five_minutes():
    [job] = [j for j in scheduler.get_jobs() if j.name == sla_sweep_job.name]
    assert str(job.trigger.fields[6]) == "*/5"  # the minute field
    assert all(str(f) == "*" for f in job.trigger.fields[:6] if f.name != "second")


@pytest.mark.django_db
def test_the_job_sweeps_as_the_system(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    now = timezone.now()
    red = SlaClockFactory(started_at=now - dt.timedelta(hours=25))
    yellow = SlaClockFactory(started_at=now - dt.timedelta(hours=20))
    result = sla_sweep_job.enqueue()
    assert result.return_value == {"urged": 1, "supervised": 1, "recomputed": 0}
    assert Supervision.objects.get(order=red.order).kind == "supervise"
    assert Supervision.objects.get(order=yellow.order).kind == "urge"
    assert set(TimelineEntry.objects.values_list("actor_label", flat=True)) == {"system:sla-sweep"}
    assert JobRun.objects.get().outcome == JobRun.Outcome.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_run_twice_by_the_worker_it_acts_once():
    now = timezone.now()
    SlaClockFactory(started_at=now - dt.timedelta(hours=25))
    sla_sweep_job.enqueue()
    sla_sweep_job.enqueue()  # a second scheduler, or a late duplicate
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert Supervision.objects.count() == 1
    assert JobRun.objects.filter(outcome=JobRun.Outcome.SUCCEEDED).count() == 2
