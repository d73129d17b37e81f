"""200 requests race for the last 10 seats of a slot on real PostgreSQL: exactly 10 win.

Real threads, each with its own database connection, all released at once by a barrier;
64 of them at a time (the server's connection limit is shared with other databases), so
that 64 requests are always in flight against the slot's row."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hongmian.appointments.models import Booking, Slot
from hongmian.appointments.services.booking import booking_hold
from hongmian.core.errors import ApplicationError
from hongmian.identity.models import Person
from hongmian.identity.tests.factories import PersonFactory

from .conftest import NOW, World, actor_of

REQUESTS = 200
SEATS_LEFT = 10
THREADS = 64


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write with one database lock: the race needs PostgreSQL",
)
def test_200_requests_for_the_last_10_seats_book_exactly_10(world: World) -> None:
    slot = world.slots()[0]
    Slot.objects.filter(pk=slot.pk).update(capacity=REQUESTS + SEATS_LEFT, booked=REQUESTS)
    people: list[Person] = PersonFactory.create_batch(REQUESTS)
    barrier = threading.Barrier(THREADS)
    started = threading.local()

    def attempt(person: Person) -> str:
        try:
            if not getattr(started, "done", False):
                started.done = True
                barrier.wait(timeout=30)
            booking_hold(
                actor=actor_of(world.citizen),
                person=person,
                slot_id=slot.pk,
                item=world.item,
                now=NOW,
            )
            return "booked"
        except ApplicationError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = Counter(pool.map(attempt, people))

    slot.refresh_from_db()
    assert outcomes == {"booked": SEATS_LEFT, "appointment.slot_full": REQUESTS - SEATS_LEFT}
    assert slot.booked == slot.capacity
    assert Booking.objects.filter(slot=slot).count() == SEATS_LEFT
