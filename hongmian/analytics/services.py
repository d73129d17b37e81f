"""Writes of the analytics app: issuing a periodic report into the archive, and queueing the
scheduled job on a person's request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hongmian.analytics.models import ReportIssue
from hongmian.analytics.permissions import can_issue_reports
from hongmian.analytics.report.compute import compute_report
from hongmian.analytics.report.outputs import render_outputs
from hongmian.analytics.report.periods import Period
from hongmian.analytics.states import ISSUE_FILES, IssueStatus, IssueTrigger
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ApplicationError, PermissionDenied, ValidationFailed


def analytics_store_path() -> Path:
    """The Parquet store the exports write and the reports read."""
    default = Path(settings.BASE_DIR) / "var" / "analytics" / "orders"
    return Path(getattr(settings, "HONGMIAN_ANALYTICS_STORE", default))


def _file_stem(period: Period) -> str:
    return f"report-{period.kind}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def report_issue(
    *,
    actor: Actor,
    period: Period,
    source: Path | str | None = None,
    engine: str = "duckdb",
    trigger: str = IssueTrigger.MANUAL,
    top_n: int = 10,
) -> ReportIssue:
    """Compute the report for `period` from the store at `source` (default: the analytics
    store), render it as HTML, PDF and Word, and archive it. The computing and rendering run
    before the transaction (seconds of work that hold no lock). A report that cannot be
    computed is archived as failed, with its error, and the error is raised again for the
    caller (a scheduled job then records and retries it)."""
    now = timezone.now()
    issue = ReportIssue(
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        title=f"广州12345热线数据分析报告（{period.label}）",
        trigger=trigger,
        generated_at=now,
        generated_by=actor.user,
    )
    try:
        report = compute_report(
            source=source or analytics_store_path(),
            period=period,
            engine=engine,
            top_n=top_n,
            hotspots=True,
        )
    except ApplicationError as exc:
        issue.status = IssueStatus.FAILED
        issue.error = f"{exc.message}（{exc.code}）"
        with transaction.atomic():
            issue.save()
            audit_record(actor=actor, action="analytics.report_issue_failed", target=issue,
                         after={"period": period.label, "error": issue.error})  # fmt: skip
        raise
    files = render_outputs(report, ("html", "pdf", "docx"))
    issue.status = IssueStatus.READY
    issue.title = report["title"]
    issue.total = report["total"]
    issue.data = report
    stem = _file_stem(period)
    saved: list[Any] = []
    try:
        for fmt, (field, _content_type) in ISSUE_FILES.items():
            file_field = getattr(issue, field)
            file_field.save(f"{stem}.{fmt}", ContentFile(files[fmt]), save=False)
            saved.append(file_field)
        with transaction.atomic():
            issue.save()
            audit_record(
                actor=actor,
                action="analytics.report_issue",
                target=issue,
                after={"period": period.label, "trigger": trigger, "total": issue.total},
            )
    except Exception:
        # Files without their record would never be listed or removed.
        for file_field in saved:
            file_field.delete(save=False)
        raise
    return issue


# What "generate now" may ask for: the periods the schedule issues, the one just ended.
REQUESTABLE_KINDS = ("week", "month")


def report_request(*, actor: Actor, kind: str) -> None:
    """Queue the scheduled job for the `kind` ("week" or "month") just ended, now, on the
    actor's request. The job is the schedule's own (export, compute, render, archive) and
    runs in the worker, never in the request; its issue names the actor and is marked
    manual."""
    if actor.user is None or not can_issue_reports(actor.user):
        raise PermissionDenied("无权生成报告", code="analytics.cannot_issue")
    if kind not in REQUESTABLE_KINDS:
        raise ValidationFailed(
            f"报告周期应为 week 或 month：{kind}",
            code="analytics.bad_period",
            fields={"kind": ["unknown"]},
        )
    # tasks.py imports this module: import it here, when the request is made.
    from hongmian.analytics import tasks

    job = tasks.weekly_report if kind == "week" else tasks.monthly_report
    job.enqueue(requested_by=actor.user.pk)


__all__ = ["REQUESTABLE_KINDS", "analytics_store_path", "report_issue", "report_request"]
