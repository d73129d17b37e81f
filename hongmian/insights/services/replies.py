"""答复质量 on the platform's orders: `reply_check(order)` / `reply_checks(orders)` before
the callback, with the algorithm in analysis/reply_quality.py. Reads only."""

from __future__ import annotations

from collections.abc import Sequence

from hongmian.hotline.models import SlaClock, WorkOrder
from hongmian.hotline.states import ClockKind
from hongmian.insights.analysis.reply_quality import ReplyAssessment, assess_reply


def _resolution_clocks(order_ids: Sequence[int]) -> dict[int, SlaClock]:
    """The latest resolution clock of each order (the one its reply answered)."""
    latest: dict[int, SlaClock] = {}
    for clock in SlaClock.objects.filter(
        order_id__in=list(order_ids), kind=ClockKind.RESOLUTION
    ).order_by("order_id", "started_at", "id"):
        latest[clock.order_id] = clock
    return latest


def _assess(order: WorkOrder, clock: SlaClock | None) -> ReplyAssessment:
    return assess_reply(
        request_title=order.title,
        request_text=order.content,
        reply=order.reply,
        requested_at=clock.started_at if clock else None,
        replied_at=order.replied_at,
        due_at=clock.due_at if clock else None,
    )


def reply_check(order: WorkOrder) -> ReplyAssessment:
    """答复质量: relevance, completeness and timeliness of the order's reply, with flags
    (analysis/reply_quality.py). One query (the resolution clock)."""
    return _assess(order, _resolution_clocks([order.pk]).get(order.pk))


def reply_checks(orders: Sequence[WorkOrder]) -> dict[int, ReplyAssessment]:
    """`reply_check` for a list of orders, in one query."""
    clocks = _resolution_clocks([o.pk for o in orders])
    return {o.pk: _assess(o, clocks.get(o.pk)) for o in orders}
