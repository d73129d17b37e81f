"""The reads Open311 needs: services from the category tree, and service requests filtered
the GeoReport way. Which orders a reader gets is decided by the hotline's own
`work_orders_visible_to`; nothing here widens it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from hongmian.hotline.models import Category, SlaClock, WorkOrder
from hongmian.hotline.selectors import work_orders_visible_to
from hongmian.hotline.states import FINISHED_STATUSES, Channel, ClockKind

SERVICE_LEVEL = 3
# The spec's limits for GET requests: a span of 90 days, at most 1000 requests.
MAX_SPAN = dt.timedelta(days=90)
MAX_REQUESTS = 1000


def _active_leaves() -> QuerySet[Category]:
    # A leaf under a deactivated branch is not offered either: the branch is gone for intake.
    return Category.objects.filter(
        level=SERVICE_LEVEL,
        is_active=True,
        parent__is_active=True,
        parent__parent__is_active=True,
    ).select_related("parent__parent")


def service_list() -> QuerySet[Category]:
    """Every active level-3 category, with its top-level category for `group`."""
    return _active_leaves().order_by("sort_order", "code")


def service_get(code: str) -> Category | None:
    return _active_leaves().filter(code=code).first()


def service_requests(
    user: Any,
    *,
    numbers: Collection[str] = (),
    service_codes: Collection[str] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: Collection[str] = (),
) -> list[WorkOrder]:
    """The orders `user` may see, newest first, at most MAX_REQUESTS. Given `numbers`, the
    other filters are ignored (as the spec says of service_request_id)."""
    orders = work_orders_visible_to(user)
    if numbers:
        orders = orders.filter(number__in=list(numbers))
    else:
        if service_codes:
            orders = orders.filter(category__code__in=list(service_codes))
        if start is not None:
            orders = orders.filter(created_at__gte=start)
        if end is not None:
            orders = orders.filter(created_at__lte=end)
        if statuses and set(statuses) != {"open", "closed"}:
            closed = Q(status__in=sorted(FINISHED_STATUSES))
            orders = orders.filter(closed if "closed" in statuses else ~closed)
    return list(
        orders.select_related("category", "lead_unit", "caller_person")
        .prefetch_related(resolution_clocks())
        .order_by("-created_at", "-id")[:MAX_REQUESTS]
    )


def resolution_clocks() -> Prefetch[str, QuerySet[SlaClock], str]:
    """The order's resolution clocks, newest first, as `order.resolution_clocks`: the first
    one's due time is the request's expected_datetime."""
    return Prefetch(
        "clocks",
        queryset=SlaClock.objects.filter(kind=ClockKind.RESOLUTION).order_by("-started_at", "-id"),
        to_attr="resolution_clocks",
    )


def order_by_token(token: str) -> WorkOrder | None:
    """The order an Open311 POST handed `token` for. The token is 128 random bits, held only
    by the client that posted: knowing it is the permission to learn the order's number."""
    return (
        WorkOrder.objects.filter(channel=Channel.OPEN311, external_ref=token)
        .only("number", "external_ref")
        .first()
    )
