"""Reads of the analytics app: the report archive (through its access function) and the live
operations dashboard's figures, computed from the database with a fixed, small number of
aggregate queries (pinned by the tests), cheap enough to poll every 30 seconds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils.formats import date_format
from django.utils.translation import gettext

from hongmian.analytics.links import order_list_url
from hongmian.analytics.models import ReportIssue
from hongmian.analytics.permissions import can_view_dashboard
from hongmian.analytics.pipelines.figures import ratio
from hongmian.analytics.schema import TZ
from hongmian.core.errors import NotFound
from hongmian.hotline.models import SlaClock, WorkOrder
from hongmian.hotline.states import (
    OPEN_STATUSES,
    WITH_UNIT_STATUSES,
    Channel,
    ClockKind,
    ClockLight,
    Satisfaction,
)

# Units listed on the dashboard: the ones with most overdue, then most open orders.
DASHBOARD_UNITS = 15
DASHBOARD_CATEGORIES = 10
DASHBOARD_HOTSPOTS = 5

# Guangzhou's eleven districts as a tile grid (row, column): each tile where the district
# roughly lies — 花都 and 从化 in the north, the old city (荔湾 越秀 天河 黄埔) across the
# middle, 海珠 番禺 南沙 down the Pearl River to the south. Tiles, not boundaries: every
# district gets the same space, so 越秀 (33 km², the densest) reads as well as 从化
# (1,974 km²); decisions/0033.
DISTRICT_TILES: tuple[tuple[str, str, int, int], ...] = (
    ("440114000", "花都区", 1, 1),
    ("440117000", "从化区", 1, 3),
    ("440111000", "白云区", 2, 2),
    ("440118000", "增城区", 2, 4),
    ("440103000", "荔湾区", 3, 1),
    ("440104000", "越秀区", 3, 2),
    ("440106000", "天河区", 3, 3),
    ("440112000", "黄埔区", 3, 4),
    ("440105000", "海珠区", 4, 2),
    ("440113000", "番禺区", 4, 3),
    ("440115000", "南沙区", 5, 3),
)


def report_issues_visible_to(user: Any) -> QuerySet[ReportIssue]:
    """The archive for `user`: every issue for the analytics roles, nothing for others
    (`ReportIssue.scopes["view"]`)."""
    return ReportIssue.objects.restrict(user, "view").select_related("generated_by")


def report_issue_list(user: Any) -> QuerySet[ReportIssue]:
    """The archive's list, without the report data (a year of monthly JSON is megabytes)."""
    return report_issues_visible_to(user).defer("data")


def access_report_issue(user: Any, issue_id: int) -> ReportIssue:
    """One issue, or NotFound both when it is missing and when `user` may not see it."""
    issue = report_issues_visible_to(user).filter(pk=issue_id).first()
    if issue is None:
        raise NotFound(gettext("报告不存在"), code="analytics.report_not_found")
    return issue


# The jobs "generate now" queues (services.report_request): their task paths, and the
# period each makes. Named here, not imported: tasks.py sits above this module.
REPORT_JOBS = {
    "hongmian.analytics.tasks.weekly_report": "week",
    "hongmian.analytics.tasks.monthly_report": "month",
}


@dataclass(frozen=True)
class ReportJob:
    """Where a requested report stands: `state` is queued, running, done or failed; `issue`
    is the archived report once done."""

    id: str
    kind: str
    state: str
    issue: ReportIssue | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


_JOB_STATES = {"READY": "queued", "RUNNING": "running", "SUCCESSFUL": "done", "FAILED": "failed"}


def access_report_job(user: Any, job_id: str) -> ReportJob:
    """The report job `job_id` that `user` asked for ("generate now"), read from the task
    queue; NotFound when it is missing, not a report job, or someone else's (a job id
    discloses nothing). A job that failed and was queued again (core.jobs retries) is shown
    failed: the archive lists the failure with its error, and the retry's issue when done."""
    from django.tasks import default_task_backend
    from django.tasks.exceptions import TaskResultDoesNotExist

    missing = NotFound(gettext("生成任务不存在"), code="analytics.job_not_found")
    try:
        result = default_task_backend.get_result(job_id)
    except (TaskResultDoesNotExist, NotImplementedError, ValueError):
        raise missing from None
    kind = REPORT_JOBS.get(result.task.module_path)
    if kind is None or result.kwargs.get("requested_by") != getattr(user, "pk", None):
        raise missing
    state = _JOB_STATES.get(result.status.name, "queued")
    issue = None
    if state == "done":
        issue = report_issues_visible_to(user).defer("data").filter(pk=result.return_value).first()
    return ReportJob(id=str(result.id), kind=kind, state=state, issue=issue)


def _day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = now.astimezone(TZ).date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=TZ)
    return start, start + dt.timedelta(days=1)


def _light(overdue: int, due_soon: int) -> str:
    if overdue:
        return ClockLight.RED.value
    if due_soon:
        return ClockLight.YELLOW.value
    return ClockLight.GREEN.value


def _hotspots() -> list[dict[str, Any]]:
    """The latest hot-spot scan (insights app; problem × place × time, ranked by heat), top
    DASHBOARD_HOTSPOTS. One query (the scan runs hourly; see hotline decision 0016)."""
    from hongmian.insights.selectors import hotspots_latest

    return [
        {
            "rank": h.rank,
            "title": h.title,
            "place": h.place_label,
            "reports": h.reports,
            "callers": h.callers,
            "heat": round(h.heat, 1),
            "bursting": h.bursting,
        }
        for h in hotspots_latest(limit=DASHBOARD_HOTSPOTS)
    ]


def dashboard_figures(user: Any, now: dt.datetime) -> dict[str, Any]:
    """Everything the operations dashboard shows at `now`, JSON-serialisable, with the link
    of each figure to its orders (`urls`). Eight queries: today's intake by hour × channel,
    open orders, open orders per unit with their lights, today's categories, the latest hot
    spots, open orders per district, and the month's rates (clocks, callbacks) — each rate
    with its numerator and denominator. Raises NotFound for a user who may not see the
    dashboard."""
    if not can_view_dashboard(user):
        raise NotFound(gettext("页面不存在"), code="analytics.not_found")
    local = now.astimezone(TZ)
    day_start, day_end = _day_bounds(now)
    month_start = day_start.replace(day=1)
    today = WorkOrder.objects.filter(created_at__gte=day_start, created_at__lt=day_end)

    # 1. Intake today by hour and channel.
    hours = [0] * 24
    by_channel: dict[str, list[int]] = {}
    rows = (
        today.annotate(hour=ExtractHour("created_at", tzinfo=TZ))
        .values("hour", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        hours[r["hour"]] += r["n"]
        by_channel.setdefault(r["channel"], [0] * 24)[r["hour"]] += r["n"]
    labels = dict(Channel.choices)
    channels: list[dict[str, Any]] = [
        {"code": code, "name": str(labels.get(code, code)), "hours": counts, "count": sum(counts)}
        for code, counts in by_channel.items()
    ]
    channels.sort(key=lambda c: (-c["count"], c["code"]))

    # 2. Open orders (all the centre and the units still have to act on).
    open_total = WorkOrder.objects.filter(status__in=OPEN_STATUSES).count()

    # 3. Orders in a unit's hands, per lead unit, with overdue and warned counts.
    running = SlaClock.objects.filter(order=OuterRef("pk"), stopped_at__isnull=True)
    unit_rows = (
        WorkOrder.objects.filter(status__in=WITH_UNIT_STATUSES, lead_unit__isnull=False)
        .annotate(
            late=Exists(running.filter(due_at__lte=now)),
            warned=Exists(running.filter(yellow_at__lte=now, due_at__gt=now)),
        )
        .values("lead_unit_id", "lead_unit__code", "lead_unit__name")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(late=True)),
            due_soon=Count("id", filter=Q(warned=True, late=False)),
        )
        .order_by()
    )
    units = sorted(
        (
            {
                "code": r["lead_unit__code"],
                "name": r["lead_unit__name"],
                "open": r["open"],
                "overdue": r["overdue"],
                "due_soon": r["due_soon"],
                "light": _light(r["overdue"], r["due_soon"]),
                "urls": {
                    "open": order_list_url(status="with_unit", unit=r["lead_unit_id"]),
                    "overdue": order_list_url(
                        status="with_unit", unit=r["lead_unit_id"], overdue=True
                    ),
                    "due_soon": order_list_url(
                        status="with_unit", unit=r["lead_unit_id"], light="yellow"
                    ),
                },
            }
            for r in unit_rows
        ),
        key=lambda u: (-u["overdue"], -u["due_soon"], -u["open"], u["code"]),
    )

    # 4. Today's most frequent categories (the hot spots of the day).
    categories = [
        {
            "code": r["category__code"],
            "name": r["category__name"],
            "count": r["n"],
            "url": order_list_url(category=r["category_id"], from_=local.date(), to=local.date()),
        }
        for r in today.filter(category__isnull=False)
        .values("category_id", "category__code", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")[:DASHBOARD_CATEGORIES]
    ]

    # 5. Open orders per district, with how many of them are late (the district tiles).
    per_district: dict[str, dict[str, int]] = {
        r["district_code"]: {"open": r["open"], "overdue": r["overdue"]}
        for r in WorkOrder.objects.filter(status__in=OPEN_STATUSES)
        .annotate(late=Exists(running.filter(due_at__lte=now)))
        .values("district_code")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(late=True)))
        .order_by()
    }
    nothing = {"open": 0, "overdue": 0}
    districts: list[dict[str, Any]] = [
        {
            "code": code,
            "name": name,
            "row": row,
            "col": col,
            "open": per_district.get(code, nothing)["open"],
            "overdue": per_district.get(code, nothing)["overdue"],
            "url": order_list_url(status="open", district=code),
        }
        for code, name, row, col in DISTRICT_TILES
    ]
    placed = sum(d["open"] for d in districts)

    # 6–7. The rates of orders received this month. 响应率 and 按时办结率 count clocks (one
    # per dispatch, one per resolution limit): on time when stopped by the due time; known
    # once stopped or past due. The others count the orders' callbacks.
    month_orders = WorkOrder.objects.filter(created_at__gte=month_start, created_at__lt=day_end)
    stopped_in_time = Q(stopped_at__isnull=False, stopped_at__lte=F("due_at"))
    known = Q(stopped_at__isnull=False) | Q(due_at__lte=now)
    ack, res = Q(kind=ClockKind.ACKNOWLEDGE), Q(kind=ClockKind.RESOLUTION)
    clocks = SlaClock.objects.filter(
        order__created_at__gte=month_start, order__created_at__lt=day_end
    ).aggregate(
        ack_on_time=Count("id", filter=ack & stopped_in_time),
        ack_known=Count("id", filter=ack & known),
        res_on_time=Count("id", filter=res & stopped_in_time),
        res_known=Count("id", filter=res & known),
    )
    answered = ~Q(satisfaction="")
    callbacks = month_orders.aggregate(
        # Aliases differ from the field names: Django refuses an alias that shadows a field.
        n_resolved=Count("id", filter=Q(resolved=True)),
        n_resolved_known=Count("id", filter=Q(resolved__isnull=False)),
        n_satisfied=Count(
            "id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
        ),
        n_satisfaction_known=Count("id", filter=answered),
        n_replied=Count("id", filter=Q(replied_at__isnull=False)),
        n_called_back=Count("id", filter=Q(replied_at__isnull=False) & answered),
    )
    day, first = local.date(), month_start.date()
    month = {"from_": first, "to": day}
    every_answer = [s.value for s in Satisfaction if s.value]
    return {
        "hotspots": _hotspots(),
        "as_of": local.isoformat(timespec="seconds"),
        # For people: "2026年12月7日 22:40" / "Dec. 7, 2026, 10:40 p.m." (the active language's).
        "as_of_text": date_format(local, "DATETIME_FORMAT"),
        "date": day.isoformat(),
        # "2026年11月" / "November 2026": the active language's year-month format.
        "month": date_format(local, "YEAR_MONTH_FORMAT"),
        "today": {"total": sum(hours), "hours": hours, "channels": channels},
        "open": open_total,
        "with_units": sum(u["open"] for u in units),
        "overdue": sum(u["overdue"] for u in units),
        "due_soon": sum(u["due_soon"] for u in units),
        "units": units[:DASHBOARD_UNITS],
        "top_categories": categories,
        "districts": districts,
        # Open orders whose address was not placed in a district (no tile shows them).
        "districts_unplaced": open_total - placed,
        "rates": {
            "response": ratio(clocks["ack_on_time"], clocks["ack_known"]),
            "on_time": ratio(clocks["res_on_time"], clocks["res_known"]),
            "resolution": ratio(callbacks["n_resolved"], callbacks["n_resolved_known"]),
            "satisfaction": ratio(callbacks["n_satisfied"], callbacks["n_satisfaction_known"]),
            "callback": ratio(callbacks["n_called_back"], callbacks["n_replied"]),
        },
        # Where each figure leads (the order list with the figure's filters; links.py). A
        # rate links to the orders it is counted over where the list can say so exactly
        # (the satisfaction answers); the others to the month's orders (decisions/0033).
        "urls": {
            "today": order_list_url(from_=day, to=day),
            "open": order_list_url(status="open"),
            "with_units": order_list_url(status="with_unit"),
            "overdue": order_list_url(status="with_unit", overdue=True),
            "due_soon": order_list_url(status="with_unit", light="yellow"),
            "month": order_list_url(**month),
            "rates": {
                "response": order_list_url(**month),
                "on_time": order_list_url(**month),
                "resolution": order_list_url(satisfaction=every_answer, **month),
                "satisfaction": {
                    "numerator": order_list_url(
                        satisfaction=[Satisfaction.SATISFIED, Satisfaction.BASIC], **month
                    ),
                    "denominator": order_list_url(satisfaction=every_answer, **month),
                },
                "callback": order_list_url(**month),
            },
        },
    }


__all__ = [
    "DISTRICT_TILES",
    "REPORT_JOBS",
    "ReportJob",
    "access_report_issue",
    "access_report_job",
    "dashboard_figures",
    "report_issue_list",
    "report_issues_visible_to",
]
