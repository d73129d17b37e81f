"""SLA clocks (时限) on the business calendar: the rule that applies, start, stop, extend,
lights, and the copy of the running clocks kept on the order.

Three clocks run per dispatch — acknowledge (签收), first response (首次响应) and resolution
(办结) — with limits from the best-matching `SlaRule` (decision 0008):

- A rule matches when every criterion it sets holds for the order (a blank criterion
  matches anything; a category matches the order's category and its descendants).
- Of rules that differ only in their category, the nearest ancestor's wins.
- The rule matching the most criteria wins; a tie goes to the earliest resolution
  deadline (the stricter promise to the caller), then to precedence: emergency-zone tag ›
  priority › category › request type.

Units: a rule counted in working days gives the acknowledge and first-response clocks its
limits in *working hours* (a fraction of a day would be unreadable); a rule in working hours
or natural hours uses its unit for all three. Working time is office hours on working days
(hongmian.core.calendar); natural hours run day and night.

Lights: green until `yellow_at` (the rule's yellow_ratio of the allowed time), yellow until
`due_at`, then red; a stopped clock is met or met late.

Elsewhere: the sweep that urges and supervises (sla_sweep.py), the recomputation of running
clocks when the calendar changes (sla_recompute.py), the rules' admin and defaults
(sla_rules.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hongmian.core import deadlines
from hongmian.hotline.models import SlaClock, SlaRule, WorkOrder
from hongmian.hotline.services.taxonomy import category_chain
from hongmian.hotline.states import (
    ClockKind,
    ClockLight,
    ClockUnit,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limits:
    """The three limits a rule gives, each with its unit."""

    acknowledge: tuple[str, Decimal]
    first_response: tuple[str, Decimal]
    resolution: tuple[str, Decimal]
    yellow_ratio: Decimal

    def for_kind(self, kind: str) -> tuple[str, Decimal]:
        return {
            ClockKind.ACKNOWLEDGE: self.acknowledge,
            ClockKind.FIRST_RESPONSE: self.first_response,
            ClockKind.RESOLUTION: self.resolution,
        }[ClockKind(kind)]


# When no rule matches at all (the defaults not loaded, every rule deactivated): the
# longest ordinary limit, so that an order is never without clocks.
FALLBACK_LIMITS = Limits(
    acknowledge=(ClockUnit.WORKING_HOURS, Decimal(2)),
    first_response=(ClockUnit.WORKING_HOURS, Decimal(7)),
    resolution=(ClockUnit.WORKING_DAYS, Decimal(15)),
    yellow_ratio=Decimal("0.8"),
)


def rule_limits(rule: SlaRule) -> Limits:
    side_unit = ClockUnit.WORKING_HOURS if rule.unit == ClockUnit.WORKING_DAYS else rule.unit
    return Limits(
        acknowledge=(side_unit, Decimal(rule.acknowledge_limit)),
        first_response=(side_unit, Decimal(rule.first_response_limit)),
        resolution=(rule.unit, Decimal(rule.resolution_limit)),
        yellow_ratio=Decimal(rule.yellow_ratio),
    )


# --- deadline arithmetic -------------------------------------------------------------------
# The arithmetic and the lights live in core.deadlines, shared with the applications' time
# limits (decision 0053); the clocks, their rules and the sweep stay here.


def _times(
    start: dt.datetime, unit: str, amount: Decimal, ratio: Decimal
) -> tuple[dt.datetime, dt.datetime]:
    return deadlines.deadline_times(start, unit, amount, ratio)


# --- choosing a rule ----------------------------------------------------------------------


def _matches(rule: SlaRule, order: WorkOrder, depth: dict[int, int]) -> bool:
    return not (
        (rule.emergency_zone and not order.is_emergency)
        or (rule.priority and rule.priority != order.priority)
        or (rule.category_id is not None and rule.category_id not in depth)
        or (rule.request_type and rule.request_type != order.request_type)
    )


def _precedence(rule: SlaRule, depth: dict[int, int]) -> tuple[int, int, int, int]:
    """Which criteria the rule sets, in the contract's order of precedence."""
    return (
        int(rule.emergency_zone),
        int(bool(rule.priority)),
        depth.get(rule.category_id, 0) if rule.category_id is not None else 0,
        int(bool(rule.request_type)),
    )


def sla_rule_for(order: WorkOrder, *, at: dt.datetime | None = None) -> SlaRule | None:
    """The active rule that governs `order` (see the module docstring), or None.

    1. Rules that differ only in their category: the nearest ancestor's rule alone stays.
    2. The rule that sets the most criteria wins.
    3. A tie goes to the earliest resolution deadline from `at` (the stricter promise),
       then to precedence (emergency zone › priority › category › type), then to the oldest
       rule, so that the choice never depends on the order rows come back in."""
    depth: dict[int, int] = {}
    if order.category_id is not None:
        # Deeper categories are nearer: the level-3 category outranks its parents.
        depth = {c.pk: c.level for c in category_chain(order.category_id)}
    candidates = [
        rule
        for rule in SlaRule.objects.filter(is_active=True).filter(
            Q(category__isnull=True) | Q(category_id__in=list(depth))
        )
        if _matches(rule, order, depth)
    ]
    nearest: dict[tuple[object, ...], int] = {}
    for rule in candidates:
        if rule.category_id is not None:
            key = (rule.emergency_zone, rule.priority, rule.request_type)
            nearest[key] = max(nearest.get(key, 0), depth[rule.category_id])
    candidates = [
        rule
        for rule in candidates
        if rule.category_id is None
        or depth[rule.category_id]
        == nearest[(rule.emergency_zone, rule.priority, rule.request_type)]
    ]
    if not candidates:
        return None
    start = at or order.dispatched_at or timezone.now()

    def rank(rule: SlaRule) -> tuple[object, ...]:
        precedence = _precedence(rule, depth)
        unit, amount = rule_limits(rule).resolution
        count = sum(1 for p in precedence if p)
        due = deadlines.deadline(start, unit, amount)
        return (-count, due, tuple(-p for p in precedence), rule.pk)

    return min(candidates, key=rank)


# --- clocks ---------------------------------------------------------------------------------


# Atomic so that a caller outside a transaction still gets a consistent set of clocks;
# inside the caller's transaction (the usual case) it is a savepoint.
@transaction.atomic
def sla_clocks_start(*, order: WorkOrder, at: dt.datetime) -> list[SlaClock]:
    """Start the three clocks of a dispatch at `at` (the dispatch time, never 签收). Clocks
    still running from an earlier dispatch are stopped first. Call inside the dispatch's
    transaction, with the order locked."""
    sla_clocks_stop_all(order=order, at=at)
    rule = sla_rule_for(order, at=at)
    limits = rule_limits(rule) if rule is not None else FALLBACK_LIMITS
    clocks = []
    for kind in (ClockKind.ACKNOWLEDGE, ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
        unit, amount = limits.for_kind(kind)
        yellow, due = _times(at, unit, amount, limits.yellow_ratio)
        clocks.append(
            SlaClock(
                order=order,
                kind=kind,
                rule=rule,
                unit=unit,
                limit=amount,
                started_at=at,
                yellow_at=yellow,
                due_at=due,
            )
        )
    created = SlaClock.objects.bulk_create(clocks)
    sla_order_clocks_sync(order=order)
    return created


@transaction.atomic
def sla_clock_stop(*, order: WorkOrder, kind: str, at: dt.datetime) -> SlaClock | None:
    """Stop the running clock of `kind` (the act it measures is done). Returns it, or None
    when none was running — stopping twice is harmless, so callers need not check."""
    clock = (
        SlaClock.objects.select_for_update()
        .filter(order=order, kind=kind, stopped_at__isnull=True)
        .first()
    )
    if clock is None:
        return None
    clock.stopped_at = at
    clock.save(update_fields=["stopped_at", "updated_at"])
    sla_order_clocks_sync(order=order)
    return clock


def sla_clocks_stop_all(*, order: WorkOrder, at: dt.datetime) -> int:
    """Stop every running clock of `order` (re-dispatch, merge, direct answer)."""
    stopped = SlaClock.objects.filter(order=order, stopped_at__isnull=True).update(
        stopped_at=at, updated_at=timezone.now()
    )
    sla_order_clocks_sync(order=order)
    return stopped


def sla_order_clocks_sync(*, order: WorkOrder | int) -> None:
    """Copy the order's running clocks onto it — `clock_due_at` / `clock_yellow_at` (the
    earliest deadline and warning of any running clock) and `resolution_due_at` (the running
    resolution clock's), null when none runs — so that the lists filter and sort by one
    indexed column (decision 0036). The one writer of those fields: every change of a clock
    in this module ends here. Two queries; `order`, when an instance, is updated too."""
    pk = order if isinstance(order, int) else order.pk
    running = SlaClock.objects.filter(order_id=pk, stopped_at__isnull=True)
    values = running.aggregate(clock_due_at=Min("due_at"), clock_yellow_at=Min("yellow_at"))
    values["resolution_due_at"] = (
        running.filter(kind=ClockKind.RESOLUTION).values_list("due_at", flat=True).first()
    )
    WorkOrder.objects.filter(pk=pk).update(**values)
    if isinstance(order, WorkOrder):
        for name, value in values.items():
            setattr(order, name, value)


def sla_orders_clocks_sync(*, orders: QuerySet[WorkOrder]) -> int:
    """`sla_order_clocks_sync` for many orders in one UPDATE (a recomputed calendar, the
    demo's history). Returns how many orders were written."""
    running = SlaClock.objects.filter(order=OuterRef("pk"), stopped_at__isnull=True)

    def earliest(column: str) -> Subquery:
        per_order = running.order_by().values("order").annotate(m=Min(column)).values("m")
        return Subquery(per_order[:1])

    return orders.order_by().update(
        clock_due_at=earliest("due_at"),
        clock_yellow_at=earliest("yellow_at"),
        resolution_due_at=Subquery(running.filter(kind=ClockKind.RESOLUTION).values("due_at")[:1]),
    )


@transaction.atomic
def sla_clocks_extend(*, order: WorkOrder, amount: Decimal | int | str) -> SlaClock | None:
    """Add an approved extension (延期) to the running resolution clock, in the clock's own
    unit, and move its deadline and warning. A new deadline deserves its own reminders, so
    the urge and supervision marks are cleared when the moved instants lie ahead: an order
    urged before its extension is still supervised if it overruns the new deadline."""
    amount = Decimal(str(amount))
    if amount <= 0:
        raise ValueError("an extension must be positive")
    clock = (
        SlaClock.objects.select_for_update()
        .filter(order=order, kind=ClockKind.RESOLUTION, stopped_at__isnull=True)
        .first()
    )
    if clock is None:
        return None
    clock.extra = Decimal(clock.extra) + amount
    recompute_deadlines(clock)
    now = timezone.now()
    if clock.yellow_at > now:
        clock.urged_at = None
    if clock.due_at > now:
        clock.supervised_at = None
    clock.save(
        update_fields=["extra", "yellow_at", "due_at", "urged_at", "supervised_at", "updated_at"]
    )
    sla_order_clocks_sync(order=order)
    return clock


def recompute_deadlines(clock: SlaClock) -> None:
    """Set a clock's warning and due times again from its start, limit and extra time."""
    ratio = clock.rule.yellow_ratio if clock.rule is not None else FALLBACK_LIMITS.yellow_ratio
    amount = Decimal(clock.limit) + Decimal(clock.extra)
    clock.yellow_at, clock.due_at = _times(clock.started_at, clock.unit, amount, Decimal(ratio))


def sla_light(clock: SlaClock, now: dt.datetime | None = None) -> ClockLight:
    """Green, yellow or red for a running clock; met or met late for a stopped one."""
    return ClockLight(
        deadlines.light(
            yellow_at=clock.yellow_at,
            due_at=clock.due_at,
            stopped_at=clock.stopped_at,
            now=now or timezone.now(),
        )
    )


def sla_order_light(clocks: Iterable[SlaClock], now: dt.datetime | None = None) -> str:
    """The worst light among an order's clocks, for lists and boards ("" without clocks)."""
    return deadlines.worst_light({sla_light(c, now) for c in clocks})


def sla_overdue_q(now: dt.datetime) -> Q:
    """Orders with a running clock past its deadline (for boards and filters)."""
    return Q(clocks__stopped_at__isnull=True, clocks__due_at__lte=now)
