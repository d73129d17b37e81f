"""Bookings per second under contention on PostgreSQL, with zero over-booking (issue 14,
item 9; decision 0055).

    .venv/bin/python bench/appointments/run.py [--seats 1500] [--processes 8] [--runs 2]
        [--slots 1] [--database-url postgres://postgres@127.0.0.1:55432/hm_bench_appointments]

Every process (a server's worker) books the same slot (the worst case: every request
queues on one row; `--slots N` spreads them over N slots, which leaves the audit chain as
what they share) for its own people through `booking_hold`, the service the web, the
API and the agent call: the person's lock, the limits, the booking's INSERT, the
conditional UPDATE of the seat and the audited entry, one transaction each. `--seats`
seats are offered to seats + 10 % requests, so the last ones are refused as full. The
figures: booked per second (wall), requests per second, requests per CPU-second of the
Python workers (the figure to read on a shared, loaded machine: wall-clock rates there
measure the neighbours), and the check that the slot holds exactly its capacity. A fresh
database, dropped at the end. The box is shared: best of --runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgres://postgres@127.0.0.1:55432/hm_bench_appointments"


def _pg(url: str, *, drop_only: bool = False) -> bool:
    import psycopg

    parts = urlsplit(url)
    admin, name = urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable at {admin}: {exc}")
        return False
    return True


def _world(slots: int) -> tuple[Any, Any, list[Any]]:
    from hongmian.appointments.models import Hall, ItemGroup, Slot
    from hongmian.catalog.models import ServiceItem
    from hongmian.core.calendar import CALENDAR_TZ
    from hongmian.geo.models import Division
    from hongmian.identity.models import OrgUnit

    city = Division.objects.create(code="440100000", name="广州市", short_name="广州", level="city")
    unit = OrgUnit.objects.create(code="bench", name="基准单位", kind="service_hall")
    item = ServiceItem.objects.create(
        code="B-0001", name="基准事项", department=unit, status="published"
    )
    hall = Hall.objects.create(
        code="HB", name="基准大厅", level="city", division=city, org_unit=unit, address="-"
    )
    group = ItemGroup.objects.create(hall=hall, name="基准")
    group.items.add(item)
    # A weekday far enough ahead, 09:00–09:30; opening hours for it on every weekday.
    day = dt.date.today() + dt.timedelta(days=30)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    for weekday in range(7):
        hall.hours.create(weekday=weekday, opens=dt.time(9), closes=dt.time(12))
    first = dt.datetime.combine(day, dt.time(9), tzinfo=CALENDAR_TZ)
    made = []
    for k in range(slots):
        starts = first + dt.timedelta(minutes=30 * k)
        made.append(
            Slot.objects.create(
                hall=hall,
                group=group,
                day=day,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=30),
                capacity=0,
            )
        )
    return hall, item, made


def measure(seats: int, threads: int, runs: int, slots: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from hongmian.appointments.models import Booking, Slot
    from hongmian.appointments.services.booking import booking_hold
    from hongmian.core.actors import Actor
    from hongmian.core.calendar import is_workday
    from hongmian.core.errors import ApplicationError
    from hongmian.identity.models import Person

    _hall, item, made = _world(slots)
    slot = made[0]
    if not is_workday(slot.day):
        print("the chosen day is a holiday: run again tomorrow")
        return
    requests = seats + seats // 10
    actor = Actor(user=None, via="api", client_address="10.0.0.1", label="bench")
    for run in range(runs):
        Booking.objects.all().delete()
        Slot.objects.filter(pk__in=[s.pk for s in made]).update(capacity=seats // slots, booked=0)
        people = Person.objects.bulk_create(
            Person(name=f"基准{run}-{n}", resident_id=f"B{run:02d}{n:015d}")
            for n in range(requests)
        )
        ids = [p.pk for p in people]
        # With --slots, request j goes to slot j mod slots: each slot is asked 10 % over.
        slot_of = {pk: made[j % slots].pk for j, pk in enumerate(ids)}
        if run == 0:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_before = usage.ru_utime + usage.ru_stime
        connection.close()  # each process opens its own
        barrier = multiprocessing.Barrier(threads)
        results: multiprocessing.Queue[dict[str, int]] = multiprocessing.Queue()

        def work(share: list[int], barrier: Any, results: Any, slot_of: dict[int, int]) -> None:
            mine: Counter[str] = Counter()
            chosen = {p.pk: p for p in Person.objects.filter(pk__in=share)}
            barrier.wait()
            for pk in share:
                try:
                    booking_hold(
                        actor=actor,
                        person=chosen[pk],
                        slot_id=slot_of[pk],
                        item=item,
                    )
                    mine["booked"] += 1
                except ApplicationError as exc:
                    mine[exc.code] += 1
            connection.close()
            results.put(dict(mine))

        context = multiprocessing.get_context("fork")
        workers = [
            context.Process(target=work, args=(ids[i::threads], barrier, results, slot_of))
            for i in range(threads)
        ]
        for w in workers:
            w.start()
        # The clock starts when the last worker has its people and reaches the barrier.
        while barrier.n_waiting < threads - 1 and any(w.is_alive() for w in workers):
            time.sleep(0.001)
        start = time.perf_counter()
        outcomes: Counter[str] = Counter()
        for _ in workers:
            outcomes.update(results.get())
        elapsed = time.perf_counter() - start
        for w in workers:
            w.join()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = children.ru_utime + children.ru_stime - cpu_before
        cpu_before += cpu
        booked = [s.booked for s in Slot.objects.filter(pk__in=[s.pk for s in made])]
        rows = Booking.objects.filter(slot__in=made).count()
        ok = outcomes["booked"] == seats == rows == sum(booked)
        ok = ok and all(b == seats // slots for b in booked)
        refused = dict(outcomes - Counter(booked=outcomes["booked"]))
        print(
            f"run {run + 1}: {threads} processes, {requests} requests for {seats} seats of "
            f"{slots} slot(s): {outcomes['booked'] / elapsed:6.0f} bookings/s, "
            f"{requests / elapsed:6.0f} requests/s ({elapsed:.2f} s; "
            f"{requests / cpu:5.0f} requests per CPU-second of the workers); "
            f"booked {outcomes['booked']}, refused {refused}; "
            f"slots {sum(booked)}/{seats}, rows {rows}: "
            f"{'no over-booking' if ok else 'OVER-BOOKED OR LOST'}"
        )
        if not ok:
            raise SystemExit(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=1500)
    parser.add_argument("--processes", dest="threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=2)
    # More than one slot takes the one seat row out of the way: what is left in common is
    # the audit chain (decision 0061). Each holds seats / slots; at most 6 (09:00–12:00).
    parser.add_argument("--slots", type=int, choices=range(1, 7), default=1)
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args._child:
        measure(args.seats - args.seats % args.slots, args.threads, args.runs, args.slots)
        return 0
    import subprocess

    if not _pg(args.database_url):
        return 0
    env = dict(os.environ, DATABASE_URL=args.database_url)
    command = [sys.executable, __file__, "--_child", "--seats", str(args.seats)]
    command += ["--processes", str(args.threads), "--runs", str(args.runs)]
    command += ["--slots", str(args.slots)]
    try:
        # Our own script with our own arguments, not input from anyone.
        subprocess.run(command, env=env, check=True)  # noqa: S603
    finally:
        _pg(args.database_url, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
