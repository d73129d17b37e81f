"""The reads Open311 needs: services from the category tree, and service requests filtered
the GeoReport way. Which orders a reader gets is decided by the hotline's own
`work_orders_visible_to`; nothing here widens it. A reader without a key gets the public
view instead (`public_service_requests`): every order that is not confidential, read only
for its non-personal fields (decision 0027)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from hongmian.hotline.models import Category, SlaClock, TimelineEntry, WorkOrder
from hongmian.hotline.selectors import work_orders_visible_to
from hongmian.hotline.states import FINISHED_STATUSES, Channel, ClockKind, Visibility

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


def service_description(category: Category) -> str:
    """A service's description: its path in the taxonomy, then the category's own note if it
    has one ("城乡建设 / 市容环境 / 占道经营：流动摊贩占用道路经营"). Stable while the
    categories' names and notes are."""
    middle, top = category.parent, category.parent.parent if category.parent else None
    path = " / ".join(c.name for c in (top, middle, category) if c is not None)
    note = " ".join(category.description.split())
    return f"{path}：{note}" if note else path


def _filtered(
    orders: QuerySet[WorkOrder],
    *,
    numbers: Collection[str],
    service_codes: Collection[str],
    start: dt.datetime | None,
    end: dt.datetime | None,
    statuses: Collection[str],
) -> QuerySet[WorkOrder]:
    if numbers:
        return orders.filter(number__in=list(numbers))
    if service_codes:
        orders = orders.filter(category__code__in=list(service_codes))
    if start is not None:
        orders = orders.filter(created_at__gte=start)
    if end is not None:
        orders = orders.filter(created_at__lte=end)
    if statuses and set(statuses) != {"open", "closed"}:
        closed = Q(status__in=sorted(FINISHED_STATUSES))
        orders = orders.filter(closed if "closed" in statuses else ~closed)
    return orders


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
    orders = _filtered(
        work_orders_visible_to(user),
        numbers=numbers,
        service_codes=service_codes,
        start=start,
        end=end,
        statuses=statuses,
    )
    return list(
        orders.select_related("category", "lead_unit", "caller_person")
        .prefetch_related(resolution_clocks())
        .order_by("-created_at", "-id")[:MAX_REQUESTS]
    )


# What the public may know exists: every order but a confidential one (保密). The order has
# no other "not public" mark; should one be added, it belongs here and nowhere else.
PUBLIC_ORDERS = Q(confidential=False)


def public_orders() -> QuerySet[WorkOrder]:
    """The orders anyone may read in the public view, each annotated `reply_is_public`: true
    when the timeline holds the reply as a public entry (the caller's own track page shows
    it too). Only `serialisers.public_service_request`'s fields may be read from them."""
    public_reply = TimelineEntry.objects.filter(
        order=OuterRef("pk"), visibility=Visibility.PUBLIC, text=OuterRef("reply")
    )
    return (
        WorkOrder.objects.filter(PUBLIC_ORDERS)
        .annotate(reply_is_public=Exists(public_reply))
        .select_related("category", "lead_unit")
        .prefetch_related(resolution_clocks())
    )


def public_service_requests(
    *,
    numbers: Collection[str] = (),
    service_codes: Collection[str] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: Collection[str] = (),
) -> list[WorkOrder]:
    """The public view's list: the same filters and bound as `service_requests`."""
    orders = _filtered(
        public_orders(),
        numbers=numbers,
        service_codes=service_codes,
        start=start,
        end=end,
        statuses=statuses,
    )
    return list(orders.order_by("-created_at", "-id")[:MAX_REQUESTS])


def public_service_request(number: str) -> WorkOrder | None:
    return public_orders().filter(number=number).first()


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
