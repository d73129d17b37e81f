"""Call-up screen push latency (issue 14, item 9; decision 0064): from a window's "call
next" (the service call, `ticket_call_next`) to the `called` event arriving at the hall's
screen stream, over real HTTP to gunicorn on 127.0.0.1 (the demo's server: gthread).

    .venv/bin/python bench/appointments/push_latency.py [--calls 50] [--servers gthread:2x8]
        [--database-url URL] [--poll 0.2] [--stream-seconds 25]

What it does: a fresh database (a temporary SQLite file unless --database-url names one,
which is migrated as it is), a hall with two windows and its screen key; gunicorn started
from the venv (bench/telephony/run.py's `start`); one client holds the screen's event
stream open (`GET /appointments/halls/<id>/queue/stream?key=…`, reconnecting with
Last-Event-ID as a browser's EventSource does) while this process, as a window, issues a
ticket, calls it (timed), serves and finishes it, N times. Prints p50, p95 and max of
call → event received, and whether every call arrived exactly once. Goal: ≤ 1 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from bench.telephony.run import free_port, start  # noqa: E402  (the shared server starter)


class Screen(threading.Thread):
    """The TV's EventSource: reads `event: ticket`, reconnects when a response ends."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.last_id = ""
        self.received: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.arrived = threading.Condition()
        self.connected = threading.Event()
        self.stop = False
        self.reconnects = 0

    def run(self) -> None:
        while not self.stop:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"Accept": "text/event-stream"}
            if self.last_id:
                headers["Last-Event-ID"] = self.last_id
            conn.request("GET", self.path, headers=headers)
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"stream answered {response.status}")
            self.connected.set()
            event: dict[str, str] = {}
            while line := response.readline():
                text = line.decode().rstrip("\n")
                if text:
                    name, _, value = text.partition(": ")
                    event[name] = value
                    continue
                if event.get("event") == "ticket":
                    at = time.perf_counter()
                    data = json.loads(event["data"])
                    self.last_id = event["id"]
                    if data["kind"] == "called":
                        with self.arrived:
                            self.received.setdefault(data["ticket"], at)
                            self.counts[data["ticket"]] = self.counts.get(data["ticket"], 0) + 1
                            self.arrived.notify_all()
                event = {}
            self.reconnects += 1


def _arrived(screen: Screen, number: str) -> bool:
    return number in screen.received


def _world() -> tuple[int, int, str]:
    """A hall with two windows (the appointments tests' small world) and its screen key."""
    from hongmian.appointments.services.queue import hall_screen_key_rotate
    from hongmian.appointments.tests.conftest import make_world
    from hongmian.core.actors import Actor

    world = make_world()
    key = hall_screen_key_rotate(actor=Actor.system("bench"), hall=world.hall)
    return world.hall.pk, world.group.pk, key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--servers", default="gthread:2x8")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--poll", type=float, default=0.2)
    parser.add_argument("--stream-seconds", type=float, default=25)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "HONGMIAN_QUEUE_POLL_SECONDS": str(args.poll),
        "HONGMIAN_QUEUE_STREAM_SECONDS": str(args.stream_seconds),
        "HONGMIAN_DEBUG": "false",
    }
    os.environ.update(env)
    migrate = [str(BIN / "hongmian"), "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, env=os.environ, cwd=ROOT, check=True)  # noqa: S603  # our own executable

    import django

    django.setup()
    from django.db import connection

    from hongmian.appointments.models import ItemGroup, Window
    from hongmian.appointments.services.queue import (
        ticket_call_next,
        ticket_finish,
        ticket_issue,
        ticket_start,
    )
    from hongmian.core.actors import Actor

    hall_id, group_id, key = _world()
    group = ItemGroup.objects.get(pk=group_id)
    window = Window.objects.filter(hall_id=hall_id).order_by("number").first()
    assert window is not None
    actor = Actor.system("bench")
    connection.close()  # the server's workers open their own
    for spec in args.servers.split(","):
        port = free_port()
        server = start(dict(os.environ), spec, port)
        try:
            screen = Screen(port, f"/appointments/halls/{hall_id}/queue/stream?key={key}")
            screen.start()
            screen.connected.wait(10)
            latencies: list[float] = []
            numbers: list[str] = []
            for _n in range(args.calls):
                ticket_issue(actor=actor, group=group)
                started = time.perf_counter()
                ticket = ticket_call_next(actor=actor, window_id=window.pk)
                numbers.append(ticket.number)
                number: str = ticket.number
                with screen.arrived:
                    screen.arrived.wait_for(partial(_arrived, screen, number), timeout=5)
                if ticket.number not in screen.received:
                    raise RuntimeError(f"{ticket.number}: no event within 5 s")
                latencies.append((screen.received[ticket.number] - started) * 1000)
                ticket_start(actor=actor, window_id=window.pk, ticket_id=ticket.pk)
                ticket_finish(actor=actor, window_id=window.pk, ticket_id=ticket.pk)
                time.sleep(0.05)
            screen.stop = True
            once = all(screen.counts.get(n) == 1 for n in numbers)
            q = statistics.quantiles(latencies, n=20)
            print(
                f"{spec}: {args.calls} calls, poll {args.poll:.2f} s — call next → screen "
                f"event: p50 {statistics.median(latencies):.0f} ms, p95 {q[18]:.0f} ms, "
                f"max {max(latencies):.0f} ms; every call arrived once: {once}; "
                f"stream reconnects: {screen.reconnects}; goal ≤ 1000 ms: "
                f"{'met' if q[18] <= 1000 else 'NOT met'}"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
