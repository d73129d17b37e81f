"""Windows press "call next" at the same moment on real PostgreSQL: no ticket is called
twice, none is skipped.

Real threads, each with its own connection, released together by a barrier: each of the
windows calls, finishes and calls again until the line is empty. SKIP LOCKED passes over a
ticket another window is taking; the conditional UPDATE lets only one take it."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hongmian.appointments.models import QueueTicket, Window
from hongmian.appointments.services.queue import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_start,
)
from hongmian.appointments.states import TicketStatus
from hongmian.core.errors import ApplicationError

from .conftest import World, actor_of
from .test_queue import NINE

WINDOWS = 6
TICKETS = 24


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write with one database lock: the race needs PostgreSQL",
)
def test_windows_calling_at_once_never_get_the_same_ticket(world: World) -> None:
    actor = actor_of(world.hall_staff)
    for n in range(2, WINDOWS):
        Window.objects.create(hall=world.hall, number=f"{n + 1:02d}", group=world.group)
    for _ in range(TICKETS):
        ticket_issue(actor=actor, group=world.group, now=NINE)
    windows = list(Window.objects.filter(hall=world.hall))
    barrier = threading.Barrier(len(windows))

    def serve(window: Window) -> tuple[list[int], str]:
        called: list[int] = []
        try:
            barrier.wait(timeout=30)
            while True:
                try:
                    ticket = ticket_call_next(actor=actor, window_id=window.pk, now=NINE)
                except ApplicationError as exc:
                    return called, exc.code
                called.append(ticket.pk)
                ticket_start(actor=actor, window_id=window.pk, ticket_id=ticket.pk, now=NINE)
                ticket_finish(actor=actor, window_id=window.pk, ticket_id=ticket.pk, now=NINE)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(windows)) as pool:
        results = list(pool.map(serve, windows))

    assert {code for _called, code in results} == {"queue.empty"}
    per_window = [called for called, _code in results]

    calls = Counter(pk for called in per_window for pk in called)
    assert len(calls) == TICKETS
    assert set(calls.values()) == {1}
    assert QueueTicket.objects.filter(status=TicketStatus.DONE).count() == TICKETS
    # More than one window got work: the race really ran.
    assert sum(1 for called in per_window if called) > 1
