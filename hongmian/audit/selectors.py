"""Reads of the audit log for the auditor: the filter, the page with its true count, and the
rows of an export. The entries are core's (`AuditEvent`); this app only reads them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from hongmian.core.models import AuditEvent

PER_PAGE = 50
# Rows fetched at a time by an export: a year of entries streams in constant memory.
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor asked for; every part optional. Days are Beijing days, inclusive."""

    actor: str = ""  # the actor's name as recorded (a username, "system:sla-sweep" …)
    action: str = ""  # an action ("user.change_role") or its prefix ("work_order.")
    target_type: str = ""  # "hotline.workorder"
    target_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def is_empty(self) -> bool:
        return self == AuditFilter()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events_matching(wanted: AuditFilter) -> QuerySet[AuditEvent]:
    """The entries that match, newest first: by time across the chain's lanes (a place is
    the write order only within its lane, decision 0061)."""
    q = Q()
    if wanted.actor:
        q &= Q(actor_label=wanted.actor)
    if wanted.action:
        # "work_order." names a family of actions; a full name is matched exactly.
        q &= (
            Q(action__startswith=wanted.action)
            if wanted.action.endswith(".")
            else Q(action=wanted.action)
        )
    if wanted.target_type:
        q &= Q(target_type=wanted.target_type)
    if wanted.target_id:
        q &= Q(target_id=wanted.target_id)
    if wanted.since:
        q &= Q(created_at__gte=_day_start(wanted.since))
    if wanted.until:
        q &= Q(created_at__lt=_day_start(wanted.until + dt.timedelta(days=1)))
    return AuditEvent.objects.filter(q).order_by("-created_at", "-id")


def audit_event_page(wanted: AuditFilter, number: int) -> Page[AuditEvent]:
    """One page and the true count of all that match; a page past the end is the last."""
    paginator = Paginator(audit_events_matching(wanted), PER_PAGE)
    return paginator.get_page(number)


# The filter's suggestions are a DISTINCT over the whole log (a scan at millions of entries):
# kept in the cache for a while; a new kind of action shows up there within SUGGESTIONS_TTL.
SUGGESTIONS_TTL = 600


def _distinct(field: str, limit: int) -> list[str]:
    key = f"audit:distinct:{field}"
    found = cache.get(key)
    if found is None:
        values = AuditEvent.objects.values_list(field, flat=True).distinct()[:limit]
        found = sorted(values)
        cache.set(key, found, SUGGESTIONS_TTL)
    return list(found)


def audit_event_actions() -> list[str]:
    """The actions recorded so far, for the filter's suggestions."""
    return _distinct("action", 500)


def audit_event_target_types() -> list[str]:
    return _distinct("target_type", 200)


def audit_event_rows(wanted: AuditFilter) -> Iterator[AuditEvent]:
    """Every matching entry for an export, newest first, a chunk at a time."""
    return audit_events_matching(wanted).iterator(chunk_size=EXPORT_CHUNK)
