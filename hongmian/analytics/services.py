"""Writes of the analytics app: issuing a periodic report into the archive, and queueing the
scheduled job on a person's request — and the one path from the store to a report's files
(`report_build`), which the archive and `hongmian report` share.

The flow runs one way: pipelines/ (data → figures) ← report/ (figures → words and documents)
← this module ← the command, the views and the tasks (analytics/tests/test_layers.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.analytics.models import ReportIssue
from hongmian.analytics.periods import Period
from hongmian.analytics.permissions import can_issue_reports
from hongmian.analytics.report.compute import compute_report
from hongmian.analytics.report.outputs import render_outputs, report_file_stem
from hongmian.analytics.states import ISSUE_FILES, IssueStatus, IssueTrigger
from hongmian.analytics.store import atomic_write_bytes
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ApplicationError, PermissionDenied, ValidationFailed


def analytics_store_path() -> Path:
    """The Parquet store the exports write and the reports read."""
    default = Path(settings.BASE_DIR) / "var" / "analytics" / "orders"
    return Path(getattr(settings, "HONGMIAN_ANALYTICS_STORE", default))


@dataclass(frozen=True)
class BuiltReport:
    """A computed report (its JSON, narrative included) and its files, format → content."""

    report: dict[str, Any]
    files: dict[str, bytes]
    # The files' name without the format (outputs.report_file_stem).
    stem: str

    def write_to(self, out: Path) -> list[Path]:
        """Write every file into `out`, each atomically (a reader never sees half a file)."""
        paths = []
        for fmt, content in self.files.items():
            path = out / f"{self.stem}.{fmt}"
            atomic_write_bytes(path, content)
            paths.append(path)
        return paths


def report_build(
    *,
    period: Period,
    formats: Iterable[str],
    source: Path | str | None = None,
    engine: str = "duckdb",
    district: str | None = None,
    unit: str | None = None,
    top_n: int = 10,
    memory_limit: str | None = None,
    hotspots: bool = True,
) -> BuiltReport:
    """Compute the report of `period` from the store at `source` (default: the analytics
    store) and render it in `formats` (outputs.FORMATS). Writes nothing: `report_issue`
    archives the result, `hongmian report` writes it to a folder. `hotspots` adds the
    hotline's hot-spot scans from this database (leave it off for a store from elsewhere).
    Failures are ApplicationErrors with a stable code."""
    report = compute_report(
        source=source or analytics_store_path(),
        period=period,
        engine=engine,
        district=district,
        unit=unit,
        top_n=top_n,
        memory_limit=memory_limit,
        hotspots=hotspots,
    )
    stem = report_file_stem(
        period.kind,
        period.start,
        period.end,
        district=report["filters"]["district"],
        unit=report["filters"]["unit"],
    )
    return BuiltReport(report=report, files=render_outputs(report, formats), stem=stem)


def report_issue(
    *,
    actor: Actor,
    period: Period,
    source: Path | str | None = None,
    engine: str = "duckdb",
    trigger: str = IssueTrigger.MANUAL,
    top_n: int = 10,
) -> ReportIssue:
    """Build the report for `period` from the store at `source` (default: the analytics
    store) as HTML, PDF and Word (`report_build`), and archive it. The building runs before
    the transaction (seconds of work that hold no lock). A report that cannot be built is
    archived as failed, with its error, and the error is raised again for the caller (a
    scheduled job then records and retries it)."""
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
        built = report_build(
            period=period, formats=ISSUE_FILES, source=source, engine=engine, top_n=top_n
        )
    except ApplicationError as exc:
        issue.status = IssueStatus.FAILED
        issue.error = f"{exc.message}（{exc.code}）"
        with transaction.atomic():
            issue.save()
            audit_record(actor=actor, action="analytics.report_issue_failed", target=issue,
                         after={"period": period.label, "error": issue.error})  # fmt: skip
        raise
    issue.status = IssueStatus.READY
    issue.title = built.report["title"]
    issue.total = built.report["total"]
    issue.data = built.report
    saved: list[Any] = []
    try:
        for fmt, (field, _content_type) in ISSUE_FILES.items():
            file_field = getattr(issue, field)
            file_field.save(f"{built.stem}.{fmt}", ContentFile(built.files[fmt]), save=False)
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


def report_request(*, actor: Actor, kind: str) -> str:
    """Queue the scheduled job for the `kind` ("week" or "month") just ended, now, on the
    actor's request, and return the job's id (selectors.access_report_job follows it). The
    job is the schedule's own (export, compute, render, archive) and runs in the worker,
    never in the request; its issue names the actor and is marked manual."""
    if actor.user is None or not can_issue_reports(actor.user):
        raise PermissionDenied(gettext("无权生成报告"), code="analytics.cannot_issue")
    if kind not in REQUESTABLE_KINDS:
        raise ValidationFailed(
            gettext("报告周期应为 week 或 month：%(kind)s") % {"kind": kind},
            code="analytics.bad_period",
            fields={"kind": ["unknown"]},
        )
    # The one import against the flow (test_layers.py allows it): a service enqueues the
    # schedule's own job, and tasks.py imports this module, so it is imported on request.
    from hongmian.analytics import tasks

    job = tasks.weekly_report if kind == "week" else tasks.monthly_report
    return str(job.enqueue(requested_by=actor.user.pk).id)


__all__ = [
    "REQUESTABLE_KINDS",
    "BuiltReport",
    "analytics_store_path",
    "report_build",
    "report_issue",
    "report_request",
]
