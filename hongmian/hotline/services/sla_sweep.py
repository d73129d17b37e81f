"""The SLA sweep (run on a schedule): it urges (催办) a yellow clock and supervises (督办) a
red one, each once per clock, claimed with a conditional UPDATE so that two sweeps at once
(two schedulers, a retry) still act once; first it recomputes the running clocks if the
calendar changed since the last run (sla_recompute.py)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.hotline.models import SlaClock, Supervision
from hongmian.hotline.services.sla_recompute import (
    calendar_changed,
    calendar_remember,
    sla_recompute_running,
)
from hongmian.hotline.services.timeline import timeline_add
from hongmian.hotline.states import (
    WITH_UNIT_STATUSES,
    ClockKind,
    SupervisionKind,
    Visibility,
)

logger = logging.getLogger(__name__)

# --- the sweep ------------------------------------------------------------------------------


@dataclass(slots=True)
class SweepResult:
    urged: list[int] = field(default_factory=list)  # clock ids urged by this run
    supervised: list[int] = field(default_factory=list)  # clock ids supervised by this run
    recomputed: int | None = None  # clocks moved after a calendar change; None: no change


_KIND_LABEL = {
    ClockKind.ACKNOWLEDGE: "签收",
    ClockKind.FIRST_RESPONSE: "首次响应",
    ClockKind.RESOLUTION: "办结",
}


def _act(*, actor: Actor, clock_id: int, kind: str, now: dt.datetime) -> bool:
    """Urge or supervise one clock if no one has yet; True when this call did it."""
    mark = "urged_at" if kind == SupervisionKind.URGE else "supervised_at"
    with transaction.atomic():
        # The claim: only the first UPDATE finds the mark empty. On PostgreSQL a concurrent
        # claimer waits for this row and then re-checks the condition, finding it taken; a
        # clock stopped meanwhile is no longer claimable either.
        claimed = SlaClock.objects.filter(
            **{"pk": clock_id, f"{mark}__isnull": True, "stopped_at__isnull": True}
        ).update(**{mark: now})
        if not claimed:
            return False
        clock = SlaClock.objects.select_related("order__lead_unit").get(pk=clock_id)
        order = clock.order
        if order.lead_unit is None:
            transaction.set_rollback(True)
            return False
        label = _KIND_LABEL[ClockKind(clock.kind)]
        local_due = timezone.localtime(clock.due_at)
        if kind == SupervisionKind.URGE:
            note = f"{label}时限将于{local_due:%Y-%m-%d %H:%M}到期，请抓紧办理。"
        else:
            note = (
                f"{label}时限已于{local_due:%Y-%m-%d %H:%M}到期，现予督办，请尽快办理并说明原因。"
            )
        Supervision.objects.create(order=order, kind=kind, unit=order.lead_unit, note=note)
        timeline_add(
            order=order,
            actor=actor,
            kind=f"sla_{kind}",
            visibility=Visibility.STAFF,
            text=note,
            data={"clock": clock.kind, "due_at": clock.due_at.isoformat()},
            unit=order.lead_unit,
        )
        audit_record(
            actor=actor,
            action=f"work_order.{kind}",
            target=order,
            after={"clock": clock.kind, "due_at": clock.due_at, "unit": order.lead_unit.code},
        )
    return True


def sla_sweep(*, actor: Actor, now: dt.datetime | None = None) -> SweepResult:
    """Urge every yellow clock and supervise every red one, once each, for orders in a
    unit's hands. Safe to run twice, late, or in two processes at once. First recomputes
    running clocks if the calendar or the office hours changed since the last sweep."""
    now = now or timezone.now()
    result = SweepResult()
    changed, version, hours = calendar_changed()
    if changed:
        # Whatever this process cached may predate the change; read the calendar afresh.
        calendar.overrides_cache_clear()
        result.recomputed = sla_recompute_running(actor=actor)
        calendar_remember(version, hours)
    running = SlaClock.objects.filter(stopped_at__isnull=True, order__status__in=WITH_UNIT_STATUSES)
    to_urge = running.filter(urged_at__isnull=True, yellow_at__lte=now, due_at__gt=now)
    to_supervise = running.filter(supervised_at__isnull=True, due_at__lte=now)
    for kind, queryset, done in (
        (SupervisionKind.URGE, to_urge, result.urged),
        (SupervisionKind.SUPERVISE, to_supervise, result.supervised),
    ):
        for clock_id in queryset.order_by("due_at").values_list("pk", flat=True):
            if _act(actor=actor, clock_id=clock_id, kind=kind, now=now):
                done.append(clock_id)
    if result.urged or result.supervised:
        logger.info("SLA sweep: %d urged, %d supervised", len(result.urged), len(result.supervised))
    return result
