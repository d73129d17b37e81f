"""Reads of the hall's line: the windows' current tickets, the waiting counts, the last
calls (the call-up screen), the events after an id (its push stream), the live view and the
waiting and service times. Nothing here names a person: tickets and windows only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet

from hongmian.appointments.models import Hall, ItemGroup, QueueTicket, TicketEvent, Window
from hongmian.appointments.states import (
    AT_WINDOW_STATUSES,
    WAITING_TICKET_STATUSES,
    TicketEventKind,
    TicketStatus,
)

# Calls the screen keeps on show.
SCREEN_CALLS = 8
# Events one poll of a stream sends at most (the rest come on the next).
EVENTS_BATCH = 50


@dataclass(frozen=True, slots=True)
class GroupLine:
    group: ItemGroup
    waiting: int
    # The longest wait of a ticket still in line, None when no one waits.
    longest: dt.timedelta | None


def group_lines(hall: Hall, day: dt.date, *, now: dt.datetime) -> list[GroupLine]:
    """Each of the hall's groups with its true number waiting and the longest wait."""
    rows = {
        r["group_id"]: r
        for r in QueueTicket.objects.filter(
            hall=hall, day=day, status__in=sorted(WAITING_TICKET_STATUSES)
        )
        .values("group_id")
        .annotate(n=Count("id"), first=Min("queued_at"))
    }
    lines = []
    for group in ItemGroup.objects.filter(hall=hall).order_by("id"):
        row = rows.get(group.pk)
        lines.append(
            GroupLine(
                group=group,
                waiting=row["n"] if row else 0,
                longest=(now - row["first"]) if row else None,
            )
        )
    return lines


def window_waiting(window: Window, day: dt.date) -> int:
    """The true count a window's line has: its group's tickets, and those sent to it."""
    return (
        QueueTicket.objects.filter(
            hall_id=window.hall_id,
            group_id=window.group_id,
            day=day,
            status__in=sorted(WAITING_TICKET_STATUSES),
        )
        .filter(Q(for_window__isnull=True) | Q(for_window=window))
        .count()
    )


def window_current(window: Window) -> QueueTicket | None:
    return (
        QueueTicket.objects.filter(window=window, status__in=sorted(AT_WINDOW_STATUSES))
        .select_related("group")
        .order_by("-called_at")
        .first()
    )


def windows_with_current(hall: Hall) -> list[tuple[Window, QueueTicket | None]]:
    """The live view's windows, each with the ticket it has now (called or serving)."""
    current = {
        t.window_id: t
        for t in QueueTicket.objects.filter(
            hall=hall, status__in=sorted(AT_WINDOW_STATUSES)
        ).order_by("called_at")
    }
    return [
        (w, current.get(w.pk))
        for w in Window.objects.filter(hall=hall).select_related("group").order_by("number")
    ]


def last_calls(hall: Hall, day: dt.date) -> list[TicketEvent]:
    """The screen's list: the latest calls and recalls of the day, newest first."""
    return list(
        TicketEvent.objects.filter(
            hall=hall,
            ticket__day=day,
            kind__in=[TicketEventKind.CALLED, TicketEventKind.RECALLED],
        )
        .select_related("ticket", "window")
        .order_by("-id")[:SCREEN_CALLS]
    )


def ticket_events_after(hall_id: int, last_id: int) -> list[TicketEvent]:
    """The hall's events newer than `last_id` (the stream's Last-Event-ID), oldest first."""
    return list(
        TicketEvent.objects.filter(hall_id=hall_id, pk__gt=last_id)
        .select_related("ticket", "window")
        .order_by("id")[:EVENTS_BATCH]
    )


def ticket_event_last_id(hall_id: int) -> int:
    last = (
        TicketEvent.objects.filter(hall_id=hall_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return int(last or 0)


def recent_tickets(hall: Hall, day: dt.date, *, limit: int = 10) -> list[QueueTicket]:
    """The desk's list of the tickets it gave last."""
    return list(
        QueueTicket.objects.filter(hall=hall, day=day)
        .select_related("group")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True, slots=True)
class TimesRow:
    label: str
    served: int
    no_shows: int
    avg_wait: dt.timedelta | None
    avg_service: dt.timedelta | None

    @property
    def wait_minutes(self) -> float | None:
        return self.avg_wait.total_seconds() / 60 if self.avg_wait is not None else None

    @property
    def service_minutes(self) -> float | None:
        return self.avg_service.total_seconds() / 60 if self.avg_service is not None else None


_WAIT = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
_SERVICE = ExpressionWrapper(F("finished_at") - F("serving_at"), output_field=DurationField())


def _times(tickets: QuerySet[QueueTicket], key: str) -> dict[int, dict[str, Any]]:
    return {
        r[key]: r
        for r in tickets.values(key).annotate(
            served=Count("id", filter=Q(status=TicketStatus.DONE)),
            no_shows=Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
            avg_wait=Avg(_WAIT, filter=Q(called_at__isnull=False)),
            avg_service=Avg(_SERVICE, filter=Q(status=TicketStatus.DONE)),
        )
    }


def queue_times(hall: Hall, start: dt.date, end: dt.date) -> tuple[list[TimesRow], list[TimesRow]]:
    """Waiting time (joined → called) and service time (serving → done), averaged per
    item group and per window over the days `start`..`end`. A transferred ticket counts
    at the group and window that finished it, its wait from when it first joined."""
    tickets = QueueTicket.objects.filter(hall=hall, day__gte=start, day__lte=end)
    by_group = _times(tickets, "group_id")
    by_window = _times(tickets.filter(window__isnull=False), "window_id")

    def row(label: str, r: dict[str, Any] | None) -> TimesRow:
        if r is None:
            return TimesRow(label=label, served=0, no_shows=0, avg_wait=None, avg_service=None)
        return TimesRow(
            label=label,
            served=int(r["served"]),
            no_shows=int(r["no_shows"]),
            avg_wait=r["avg_wait"],
            avg_service=r["avg_service"],
        )

    groups = [
        row(g.name, by_group.get(g.pk)) for g in ItemGroup.objects.filter(hall=hall).order_by("id")
    ]
    windows = [
        row(w.number, by_window.get(w.pk))
        for w in Window.objects.filter(hall=hall).order_by("number")
    ]
    return groups, windows
