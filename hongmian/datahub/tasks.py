"""The sources' schedule: every five minutes the sources that are due (DataSource.every_minutes,
next_run_at) are run, each as its own reliable job, so that one that hangs or fails is
retried and recorded on its own and never holds up the others."""

from __future__ import annotations

import datetime as dt

from crontask import cron
from django.db.models import Q
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.jobs import enqueue_many, reliable_task
from hongmian.datahub.models import DataSource
from hongmian.datahub.services.ingestion import sources_run


@reliable_task()
def source_run(source_id: int) -> str:
    source = DataSource.objects.select_related("dataset").get(pk=source_id)
    (result,) = sources_run(actor=Actor.system("datahub-source"), sources=[source])
    return f"{result.run.outcome} {result.run.error_code}".strip()


@cron("*/5 * * * *")  # every five minutes: the finest schedule a source may declare
@reliable_task()
def sources_due() -> int:
    now = timezone.now()
    due = list(
        DataSource.objects.filter(enabled=True, every_minutes__gt=0)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .values_list("pk", "every_minutes")
    )
    # The next run is set when the job is queued, so that a source whose load outlasts five
    # minutes is not queued a second time meanwhile (sources_run sets it again when done).
    for pk, minutes in due:
        DataSource.objects.filter(pk=pk).update(next_run_at=now + dt.timedelta(minutes=minutes))
    enqueue_many(source_run, [{"source_id": pk} for pk, _ in due])
    return len(due)


@cron("5 0 * * *")  # just after midnight (Asia/Shanghai): grants whose period ended yesterday
@reliable_task()
def sharing_expire_due() -> int:
    """Approved grants past their period become expired (reads refuse them already; this
    keeps "my requests" and the inbox truthful)."""
    from hongmian.datahub.services.sharing import sharing_requests_expire

    return sharing_requests_expire(actor=Actor.system("datahub-sharing"))


@cron("*/15 * * * *")  # a failed run reaches its owner within a quarter of an hour
@reliable_task()
def data_alerts_sweep() -> int:
    """Alerts for failed runs and late sources (services/alerts.py, decision 0085)."""
    from hongmian.datahub.services.alerts import data_alerts_check

    return len(data_alerts_check(actor=Actor.system("datahub-alerts")).raised)


@cron("7 * * * *")  # hourly: new datasets, sources and reports join the asset registry
@reliable_task()
def assets_registry_sync() -> int:
    from hongmian.datahub.services.assets import assets_sync

    result = assets_sync(actor=Actor.system("datahub-assets"))
    return result.created + result.updated + result.retired
