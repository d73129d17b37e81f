"""The periodic report's schedule: the weekly report on Monday at 07:00 and the monthly one
on the 1st at 07:00 (Asia/Shanghai), each for the period just ended. Each run first brings
the analytics store up to date from the database (the incremental export), then computes the
report with DuckDB and archives it (`services.report_issue`)."""

from __future__ import annotations

import datetime as dt

from crontask import cron

from hongmian.analytics.export import analytics_export
from hongmian.analytics.report.periods import Period, today
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


def issue_scheduled_report(period: Period) -> int:
    """Export, compute, render, archive; returns the new issue's id."""
    store = analytics_store_path()
    analytics_export(out=store, commit=True)
    issue = report_issue(
        actor=Actor.system("scheduled-report"),
        period=period,
        source=store,
        trigger=IssueTrigger.SCHEDULED,
    )
    return issue.pk


@cron("0 7 * * Mon")  # Mondays at 07:00: last week's report is on the desks by the morning meeting
@reliable_task()
def weekly_report() -> int:
    return issue_scheduled_report(last_week(today()))


@cron("0 7 1 * *")  # the 1st of each month at 07:00: last month's report (民情月历)
@reliable_task()
def monthly_report() -> int:
    return issue_scheduled_report(last_month(today()))
