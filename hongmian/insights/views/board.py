"""Insights on the supervisor's side: the board's hot spots and alerts, its duplicate groups
(并单候选) and the reply checks on its callback queue; the full hot spot page; acknowledging
an alert; and the duplicate candidates on the order page (loaded by HTMX, for the centre).

The hotline's board asks for `board_hotspots`, `board_duplicates` and `board_callbacks`
through its insights_hook; the algorithms and their reads are in services/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hongmian.core.errors import ApplicationError, NotFound
from hongmian.hotline import selectors as hotline_selectors
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.permissions import CENTRE_ROLES
from hongmian.hotline.views.common import actor, hotline_nav, role_required, safe_next
from hongmian.identity.states import Role
from hongmian.insights import selectors
from hongmian.insights.analysis import duplicates as duplicate_rules
from hongmian.insights.analysis.reply_quality import ReplyAssessment
from hongmian.insights.models import Hotspot, HotspotAlert
from hongmian.insights.services import duplicates, hotspots, replies
from hongmian.insights.tasks import duplicate_scan_job

supervisor_required = role_required(Role.HOTLINE_SUPERVISOR)
centre_required = role_required(*CENTRE_ROLES)

# Orders shown under each hot spot on the board: the most typical one and the newest.
ORDERS_PER_HOTSPOT = 3
# A board on a database no duplicate scan has run on queues one, at most once this often
# per process (the job replaces its snapshot whole, so a second run does no harm).
DUPLICATE_SCAN_QUEUED_KEY = "insights:duplicate-scan-queued"
DUPLICATE_SCAN_REQUEUE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class HotspotRow:
    spot: Hotspot
    orders: list[WorkOrder]


@dataclass
class HotspotPanel:
    """The board's 热点 section: open alerts, then the latest scan's hottest groups."""

    alerts: list[HotspotAlert] = field(default_factory=list)
    rows: list[HotspotRow] = field(default_factory=list)
    scanned_at: dt.datetime | None = None

    def __len__(self) -> int:
        return len(self.alerts) + len(self.rows)


def _orders_by_pk(ids: set[int]) -> dict[int, WorkOrder]:
    return {
        o.pk: o
        for o in WorkOrder.objects.filter(pk__in=ids).only(
            "pk", "number", "title", "status", "created_at"
        )
    }


def hotspot_rows(spots: list[Hotspot], per_spot: int = ORDERS_PER_HOTSPOT) -> list[HotspotRow]:
    """Each hot spot with its representative order and its newest ones. One query."""
    wanted: dict[int, list[int]] = {}
    for spot in spots:
        ids = [spot.representative_id] if spot.representative_id else []
        ids += [i for i in reversed(spot.order_ids) if i not in ids][: per_spot - len(ids)]
        wanted[spot.pk] = ids
    found = _orders_by_pk({i for ids in wanted.values() for i in ids})
    return [HotspotRow(s, [found[i] for i in wanted[s.pk] if i in found]) for s in spots]


def board_hotspots(limit: int = hotspots.BOARD_HOTSPOTS) -> HotspotPanel:
    """Three queries: the open alerts, the latest scan, their orders."""
    spots = selectors.hotspots_latest(limit=limit)
    return HotspotPanel(
        alerts=list(selectors.hotspot_alerts_open().select_related("representative")[:20]),
        rows=hotspot_rows(spots),
        scanned_at=spots[0].scanned_at if spots else None,
    )


def board_duplicates(limit: int = 50) -> duplicates.StoredGroups:
    """The board's 并单候选 from the latest scan of the periodic job (decision 0049), with
    the orders merged or closed since taken out. Before the first scan (a fresh database)
    the scan is queued and the panel says it is being computed. Two queries."""
    stored = duplicates.duplicate_groups_stored(limit=limit)
    if stored.scanned_at is None and cache.add(
        DUPLICATE_SCAN_QUEUED_KEY, True, timeout=DUPLICATE_SCAN_REQUEUE_SECONDS
    ):
        duplicate_scan_job.enqueue()
    return stored


def board_callbacks(orders: list[WorkOrder]) -> list[tuple[WorkOrder, ReplyAssessment]]:
    """The callback queue with each reply's check; replies that need a look come first (so
    they are sent back before the caller is asked), otherwise the queue's own order."""
    checks = replies.reply_checks(orders)
    rows = [(o, checks[o.pk]) for o in orders]
    return sorted(rows, key=lambda row: not row[1].needs_review)


@supervisor_required
def hotspot_list(request: HttpRequest) -> HttpResponse:
    """热点诉求: every group of the latest scan, the open alerts, and the alerts already
    acknowledged (the last 50)."""
    spots = selectors.hotspots_latest()
    panel = HotspotPanel(
        alerts=list(selectors.hotspot_alerts_open().select_related("representative")),
        rows=hotspot_rows(spots),
        scanned_at=spots[0].scanned_at if spots else None,
    )
    seen = selectors.hotspot_alerts_acknowledged(limit=50)
    context = {
        "panel": panel,
        "seen": seen,
        "days": hotspots.HOTSPOT_DAYS,
        "hotline_nav": hotline_nav(request, "hotline:board"),
        "here": request.get_full_path(),
    }
    return render(request, "insights/hotspots.html", context)


@require_POST
@supervisor_required
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    back = safe_next(request, reverse("hotline:board") + "#hotspots")
    try:
        hotspots.hotspot_alert_acknowledge(actor=actor(request), alert=pk)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, gettext("已知悉该热点预警。"))
    return redirect(back)


@centre_required
def order_duplicates(request: HttpRequest, pk: int) -> HttpResponse:
    """The order page's 疑似重复 panel (HTMX): open orders that may report the same problem,
    each with a one-click merge (the older order becomes the master)."""
    try:
        order = hotline_selectors.work_order_get(request.user, pk)
    except NotFound:
        raise Http404 from None
    mergeable = order.status in duplicates.MERGEABLE
    candidates = duplicates.duplicate_candidates(order) if mergeable else []
    rows = []
    for c in candidates:
        older_first = sorted((order, c.order), key=lambda o: (o.created_at, o.pk))
        rows.append((c, older_first[0], older_first[1]))
    context = {
        "order": order,
        "rows": rows,
        "window_days": duplicate_rules.WINDOW_DAYS,
        "back": reverse("hotline:order", args=(order.pk,)),
    }
    return render(request, "insights/_order_duplicates.html", context)
