"""Recomputing the running SLA clocks when the business calendar or the office hours
change: every running clock's warning and due times are worked out again from its start,
its limit and its extension, and the orders' copies follow. The sweep (sla_sweep.py) calls
it when it sees a change; `hongmian hotline recompute` runs it by hand."""

from __future__ import annotations

import logging
import zlib

from django.db import transaction

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.models import CacheVersion
from hongmian.hotline.models import SlaClock, WorkOrder
from hongmian.hotline.services.sla import recompute_deadlines, sla_orders_clocks_sync
from hongmian.hotline.states import (
    ClockUnit,
)

logger = logging.getLogger(__name__)

# CacheVersion rows where the sweep remembers the calendar it last computed deadlines with.
CALENDAR_SEEN_KEY = "hotline.sla.calendar_seen"
OFFICE_HOURS_SEEN_KEY = "hotline.sla.office_hours_seen"

_BATCH = 500

# --- recomputation when the calendar changes -------------------------------------------------


def _office_hours_fingerprint() -> int:
    return zlib.crc32("|".join(str(w) for w in calendar.office_hours()).encode())


def sla_recompute_running(*, actor: Actor) -> int:
    """Recompute `due_at` and `yellow_at` of every running clock from its start, limit and
    extensions — after a change of the calendar (a typhoon day, next year's schedule) or of
    the office hours. Returns how many clocks moved. The urge and supervision marks stay:
    a unit already reminded is not reminded again for a shift of a day."""
    moved = 0
    # Natural hours do not depend on the calendar: those clocks never move.
    running = (
        SlaClock.objects.filter(stopped_at__isnull=True)
        .exclude(unit=ClockUnit.NATURAL_HOURS)
        .select_related("rule")
        .order_by("pk")
    )
    batch: list[SlaClock] = []
    for clock in running.iterator(chunk_size=_BATCH):
        before = (clock.yellow_at, clock.due_at)
        recompute_deadlines(clock)
        if (clock.yellow_at, clock.due_at) != before:
            batch.append(clock)
        if len(batch) >= _BATCH:
            moved += _save_moved(batch)
            batch = []
    moved += _save_moved(batch)
    with transaction.atomic():
        seen, _ = CacheVersion.objects.get_or_create(key=CALENDAR_SEEN_KEY)
        audit_record(actor=actor, action="sla.recompute", target=seen, after={"moved": moved})
    logger.info("SLA: recomputed running clocks, %d moved", moved)
    return moved


def _save_moved(clocks: list[SlaClock]) -> int:
    if not clocks:
        return 0
    # Only clocks still running: one stopped meanwhile keeps the deadline it was judged by.
    with transaction.atomic():
        still = set(
            SlaClock.objects.select_for_update()
            .filter(pk__in=[c.pk for c in clocks], stopped_at__isnull=True)
            .order_by("pk")  # one lock order, so that two recomputations cannot deadlock
            .values_list("pk", flat=True)
        )
        keep = [c for c in clocks if c.pk in still]
        SlaClock.objects.bulk_update(keep, ["yellow_at", "due_at"])
        sla_orders_clocks_sync(orders=WorkOrder.objects.filter(pk__in={c.order_id for c in keep}))
    return len(keep)


def calendar_changed() -> tuple[bool, int, int]:
    """Whether the calendar or the office hours changed since the sweep last looked."""
    version = (
        CacheVersion.objects.filter(key=calendar.OVERRIDES_VERSION_KEY)
        .values_list("version", flat=True)
        .first()
    ) or 0
    hours = _office_hours_fingerprint()
    seen = dict(
        CacheVersion.objects.filter(key__in=[CALENDAR_SEEN_KEY, OFFICE_HOURS_SEEN_KEY]).values_list(
            "key", "version"
        )
    )
    changed = seen.get(CALENDAR_SEEN_KEY) != version or seen.get(OFFICE_HOURS_SEEN_KEY) != hours
    return changed, version, hours


def calendar_remember(version: int, hours: int) -> None:
    for key, value in ((CALENDAR_SEEN_KEY, version), (OFFICE_HOURS_SEEN_KEY, hours)):
        CacheVersion.objects.update_or_create(key=key, defaults={"version": value})
