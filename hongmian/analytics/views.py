"""The analytics pages: the report archive (list, the report in the page, downloads, "generate
now") and the live operations dashboard (+ its control-room layout and the JSON it polls).

Pages exist only for the analytics roles: anyone else gets the same 404 as for a page that
does not exist (STYLE habit 3), so the archive's existence is not disclosed. A reader who may
not issue reports gets 403 from "generate now": the page is theirs, the action is not."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hongmian.analytics import selectors, services
from hongmian.analytics.permissions import can_issue_reports, can_view_dashboard, can_view_reports
from hongmian.analytics.report.outputs import report_file_stem, report_json
from hongmian.analytics.report.render_html import report_context
from hongmian.analytics.states import ISSUE_FILES, IssueStatus
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.datahub.services.assets import report_read_record

View = Callable[..., HttpResponseBase]


def _guarded(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return login_required(require_GET(wrapper))

    return decorate


reports_required = _guarded(can_view_reports)
dashboard_required = _guarded(can_view_dashboard)


def _issue_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.access_report_issue(request.user, pk)
    except NotFound:
        raise Http404 from None


@reports_required
def report_list(request: HttpRequest) -> HttpResponse:
    issues = list(selectors.report_issue_list(request.user)[:200])
    context = {"issues": issues, "can_issue": can_issue_reports(request.user), "job": None}
    if job_id := request.GET.get("job", "")[:64]:
        # The job "generate now" just queued: its progress box polls until it is finished.
        # Someone else's job or a stale link: the list alone.
        with suppress(NotFound):
            context["job"] = selectors.access_report_job(request.user, job_id)
    return render(request, "analytics/report_list.html", context)


@never_cache
@reports_required
def report_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress box of a requested report (HTMX polls it every 2 s until it is done or
    failed; the finished box has no trigger, so the polling stops)."""
    try:
        job = selectors.access_report_job(request.user, job_id)
    except NotFound:
        raise Http404 from None
    return render(request, "analytics/_report_job.html", {"job": job})


@login_required
@require_POST
def report_generate(request: HttpRequest) -> HttpResponseBase:
    """ "Generate now": queue the schedule's job for the week or month just ended."""
    if not can_view_reports(request.user):
        raise Http404
    kind = request.POST.get("kind", "")
    try:
        job_id = services.report_request(actor=Actor.from_request(request), kind=kind)
    except PermissionDenied:
        raise Forbidden from None
    except ValidationFailed:
        messages.error(request, _("请选择周报或月报。"))
        return redirect("analytics:reports")
    if kind == "week":
        done = _("上周的周报已加入生成队列，几分钟后会出现在下面的列表中。")
    else:
        done = _("上月的月报已加入生成队列，几分钟后会出现在下面的列表中。")
    messages.success(request, done)
    return redirect(f"{reverse('analytics:reports')}?{urlencode({'job': job_id})}")


@reports_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_or_404(request, pk)
    if issue.status != IssueStatus.READY or not issue.data:
        return render(request, "analytics/report_failed.html", {"issue": issue}, status=200)
    context = report_context(issue.data)
    context["issue"] = issue
    report_read_record(issue, request.user)  # the report is a data asset (decision 0085)
    return render(request, "analytics/report_detail.html", context)


@reports_required
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    issue = _issue_or_404(request, pk)
    if issue.status != IssueStatus.READY:
        raise Http404
    stem = report_file_stem(issue.period_kind, issue.period_start, issue.period_end)
    report_read_record(issue, request.user)  # the report is a data asset (decision 0085)
    if fmt == "json":
        response = HttpResponse(report_json(issue.data), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        return response
    if fmt not in ISSUE_FILES:
        raise Http404
    field, content_type = ISSUE_FILES[fmt]
    stored = getattr(issue, field)
    if not stored:
        raise Http404
    # The HTML report is a page to read: the browser opens it (it still carries its file
    # name for "save as"); Word and PDF are documents to keep, so they download.
    document = FileResponse(
        stored.open("rb"),
        as_attachment=fmt != "html",
        filename=f"{stem}.{fmt}",
        content_type=content_type,
    )
    if fmt == "html":
        # Self-contained (it opens from a disk): its scripts and styles are inline, which the
        # site's policy forbids. Its own policy runs them in a sandbox — an opaque origin with
        # no cookies, no requests, no forms — so they can reach nothing of ours.
        document["Content-Security-Policy"] = REPORT_DOCUMENT_CSP
    return document


REPORT_DOCUMENT_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; frame-ancestors 'none'; sandbox allow-scripts"
)


# The month's rates on the dashboard, in the order of the report (each with its counts).
DASHBOARD_RATES = (
    ("response", gettext_lazy("响应率")),
    ("on_time", gettext_lazy("按时办结率")),
    ("resolution", gettext_lazy("解决率")),
    ("satisfaction", gettext_lazy("满意率")),
    ("callback", gettext_lazy("回访率")),
)


def _dashboard_context(request: HttpRequest, *, wall: bool) -> dict[str, Any]:
    figures = selectors.dashboard_figures(request.user, timezone.now())
    return {"figures": figures, "wall": wall, "rate_labels": DASHBOARD_RATES}


@dashboard_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/dashboard.html", _dashboard_context(request, wall=False))


@dashboard_required
def dashboard_wall(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/dashboard_wall.html", _dashboard_context(request, wall=True))


@never_cache
@dashboard_required
def dashboard_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.dashboard_figures(request.user, timezone.now()))
