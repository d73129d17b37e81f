"""The periodic report's schedule: the weekly report on Monday at 07:00 and the monthly one
on the 1st at 07:00 (Asia/Shanghai), each for the period just ended. Each run first brings
the analytics store up to date from the database (the incremental export), then computes the
report with DuckDB and archives it (`services.report_issue`).

The same jobs run on request ("generate now" on the archive page, `services.report_request`):
then `requested_by` names the user, who is the issue's author and its audit entry's actor,
and the issue is marked manual."""

from __future__ import annotations

import datetime as dt

from crontask import cron
from django.contrib.auth import get_user_model

from hongmian.analytics.export import analytics_export
from hongmian.analytics.periods import Period, today
from hongmian.analytics.services import analytics_store_path, report_issue
from hongmian.analytics.states import IssueTrigger
from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task


def last_week(day: dt.date) -> Period:
    """The ISO week (Monday–Sunday) before the one holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return Period("week", monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))


def last_month(day: dt.date) -> Period:
    end = day.replace(day=1) - dt.timedelta(days=1)
    return Period("month", end.replace(day=1), end)


def issue_scheduled_report(period: Period, requested_by: int | None = None) -> int:
    """Export, compute, render, archive; returns the new issue's id."""
    if requested_by is None:
        actor, trigger = Actor.system("scheduled-report"), IssueTrigger.SCHEDULED
    else:
        user = get_user_model().objects.get(pk=requested_by)
        actor, trigger = Actor(user=user, via="web", label="report-request"), IssueTrigger.MANUAL
    store = analytics_store_path()
    analytics_export(out=store, commit=True)
    issue = report_issue(actor=actor, period=period, source=store, trigger=trigger)
    return issue.pk


@cron("0 7 * * Mon")  # Mondays at 07:00: last week's report is on the desks by the morning meeting
@reliable_task()
def weekly_report(requested_by: int | None = None) -> int:
    return issue_scheduled_report(last_week(today()), requested_by)


@cron("0 7 1 * *")  # the 1st of each month at 07:00: last month's report (民情月历)
@reliable_task()
def monthly_report(requested_by: int | None = None) -> int:
    return issue_scheduled_report(last_month(today()), requested_by)
