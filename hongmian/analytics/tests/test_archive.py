"""Issuing a report into the archive (`services.report_issue`) and the weekly / monthly
schedule that exports the database to the store and issues the report from it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from docx import Document as read_docx
from pypdf import PdfReader

from hongmian.analytics import tasks
from hongmian.analytics.models import ReportIssue
from hongmian.analytics.periods import Period
from hongmian.analytics.services import report_issue
from hongmian.analytics.states import IssueStatus, IssueTrigger
from hongmian.analytics.tests.conftest import order, write_store
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.core.models import AuditEvent, JobRun
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.factories import WorkOrderFactory, actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OCT = Period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HONGMIAN_ANALYTICS_STORE = tmp_path / "store"


def test_report_issue_archives_every_format_and_is_audited(tmp_path: Path) -> None:
    store = write_store(tmp_path / "hand", [order(dt.date(2026, 10, 5), i) for i in range(1, 8)])
    officer = UserFactory(role=Role.CHIEF_DATA_OFFICER)
    issue = report_issue(actor=actor_of(officer), period=OCT, source=store)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.READY
    assert issue.trigger == IssueTrigger.MANUAL
    assert issue.total == 7
    assert issue.data["total"] == 7
    assert issue.generated_by == officer
    with issue.pdf_file.open("rb") as f:
        assert "共受理群众诉求7件" in PdfReader(f).pages[0].extract_text().replace("\n", "")
    with issue.docx_file.open("rb") as f:
        assert any("7" in p.text for p in read_docx(io.BytesIO(f.read())).paragraphs)
    with issue.html_file.open("rb") as f:
        assert f.read().startswith(b"<!DOCTYPE html>")
    event = AuditEvent.objects.get(action="analytics.report_issue")
    assert event.actor == officer
    assert event.target_id == str(issue.pk)
    assert event.after == {"period": "2026年10月", "trigger": "manual", "total": 7}


def test_a_report_that_cannot_be_computed_is_archived_as_failed(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as caught:
        report_issue(actor=Actor.system("test"), period=OCT, source=tmp_path / "nowhere")
    assert caught.value.code == "analytics.no_store"
    issue = ReportIssue.objects.get()
    assert issue.status == IssueStatus.FAILED
    assert "analytics.no_store" in issue.error
    assert not issue.pdf_file
    assert AuditEvent.objects.filter(action="analytics.report_issue_failed").count() == 1


def test_schedule_periods() -> None:
    assert tasks.last_month(dt.date(2026, 11, 1)) == OCT
    assert tasks.last_month(dt.date(2026, 1, 1)) == Period(
        "month", dt.date(2025, 12, 1), dt.date(2025, 12, 31)
    )
    week = tasks.last_week(dt.date(2026, 11, 9))  # a Monday
    assert (week.start, week.end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    assert tasks.last_week(dt.date(2026, 11, 12)) == week  # any day of the following week


def test_scheduled_monthly_report_exports_then_issues(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three orders in the database last month → export → DuckDB → an archived issue."""
    now = timezone.localtime()
    first = now.date().replace(day=1)
    last_month = first - dt.timedelta(days=1)
    when = timezone.make_aware(dt.datetime.combine(last_month.replace(day=10), dt.time(10)))
    orders = [WorkOrderFactory() for _ in range(3)]
    WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).update(created_at=when, updated_at=when)
    WorkOrderFactory()  # this month: not in last month's report

    issue_id = tasks.monthly_report.call()

    issue = ReportIssue.objects.get(pk=issue_id)
    assert issue.status == IssueStatus.READY
    assert issue.trigger == IssueTrigger.SCHEDULED
    assert (issue.period_start, issue.period_end) == (last_month.replace(day=1), last_month)
    assert issue.total == 3
    assert issue.data["meta"]["engine"] == "duckdb"
    assert JobRun.objects.get(job__endswith="monthly_report").outcome == JobRun.Outcome.SUCCEEDED
    assert AuditEvent.objects.get(action="analytics.report_issue").actor_label == (
        "system:scheduled-report"
    )


def test_scheduled_weekly_report_on_an_empty_database() -> None:
    issue = ReportIssue.objects.get(pk=tasks.weekly_report.call())
    assert issue.status == IssueStatus.READY
    assert issue.total == 0
    assert issue.period_kind == "week"
