"""Screen-pop latency: from the PBX adapter's `answered` POST to the agent's browser stream
receiving the pop, over real HTTP to gunicorn on 127.0.0.1 (the demo's server: gthread).

    .venv/bin/python bench/telephony/run.py [--calls 50] [--servers gthread:2x8]
        [--database-url URL] [--poll 0.1] [--stream-seconds 25]

What it does: a fresh database (a temporary SQLite file unless --database-url names one,
which is migrated as it is), an agent seated at extension 8001 with a logged-in session, a
PBX gateway account with an API key; gunicorn started from the venv; one client holds the
agent's event stream open (`GET /telephony/pops/stream`, reconnecting with Last-Event-ID as
a browser's EventSource does when a response ends) while another posts `answered` for N
calls, one at a time. Prints p50, p95 and max of POST-start → event received, and whether
every call popped exactly once. Standard library only on the client side.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

SETUP = """
from django.test import Client
from hongmian.core.actors import Actor
from hongmian.identity.models import User
from hongmian.identity.services.api_keys import api_key_create
from hongmian.telephony.services import extension_assign, gateway_register
setup = Actor.cli(None, label="bench")
agent = User.objects.create_user(username="bench-agent", role="hotline_agent")
pbx = User.objects.create_user(username="bench-pbx", role="hotline_agent")
gateway_register(actor=setup, name="bench PBX", kind="pbx", user=pbx)
extension_assign(actor=setup, number="8001", user=agent)
client = Client()
client.force_login(agent)
print(api_key_create(actor=setup, user=pbx, name="bench")[1])
print(client.cookies["sessionid"].value)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(env: dict[str, str], spec: str, port: int) -> subprocess.Popen[bytes]:
    kind, _, size = spec.partition(":")
    workers, _, threads = size.partition("x")
    argv = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", workers or "2", "--worker-class", kind, "--log-level", "warning"]
    if kind == "gthread":
        argv += ["--threads", threads or "8"]
    proc = subprocess.Popen(argv, env=env, cwd=ROOT)  # noqa: S603  # our venv's gunicorn
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not answer /healthz")


class Stream(threading.Thread):
    """The agent's EventSource: reads `event: pop` messages, reconnects when a response ends."""

    def __init__(self, port: int, session: str) -> None:
        super().__init__(daemon=True)
        self.port, self.session = port, session
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
            headers = {"Cookie": f"sessionid={self.session}", "Accept": "text/event-stream"}
            path = "/telephony/pops/stream"
            if self.last_id:
                headers["Last-Event-ID"] = self.last_id
            else:
                path += "?after=0"
            conn.request("GET", path, headers=headers)
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
                if event.get("event") == "pop":
                    at = time.perf_counter()
                    call = json.loads(event["data"])["call_id"]
                    self.last_id = event["id"]
                    with self.arrived:
                        self.received.setdefault(call, at)
                        self.counts[call] = self.counts.get(call, 0) + 1
                        self.arrived.notify_all()
                event = {}
            self.reconnects += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--servers", default="gthread:2x8")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--poll", type=float, default=0.1)
    parser.add_argument("--stream-seconds", type=float, default=25)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-telephony-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "HONGMIAN_TELEPHONY_POLL_SECONDS": str(args.poll),
        "HONGMIAN_TELEPHONY_STREAM_SECONDS": str(args.stream_seconds),
        "HONGMIAN_DEBUG": "false",
    }
    migrate = [str(BIN / "hongmian"), "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, env=env, cwd=ROOT, check=True)  # noqa: S603  # our own executable
    out = subprocess.run(  # noqa: S603
        [str(BIN / "hongmian"), "shell", "-c", SETUP],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        capture_output=True,
    ).stdout.split()
    key, session = out[-2], out[-1]
    for spec in args.servers.split(","):
        port = free_port()
        server = start(env, spec, port)
        try:
            stream = Stream(port, session)
            stream.start()
            stream.connected.wait(10)
            poster = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            latencies: list[float] = []
            posts: list[float] = []
            for n in range(args.calls):
                call = f"bench-{spec}-{n}"
                body = json.dumps(
                    {
                        "call_id": call,
                        "event_id": "answered",
                        "event": "answered",
                        "occurred_at": "2026-03-02T09:00:00+08:00",
                        "caller": "13900000001",
                        "agent": "8001",
                    }
                )
                started = time.perf_counter()
                poster.request(
                    "POST",
                    "/api/telephony/cti/events",
                    body=body,
                    headers={
                        "Authorization": f"Bearer {key}",
                        "Content-Type": "application/json",
                    },
                )
                response = poster.getresponse()
                response.read()
                posts.append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    raise RuntimeError(f"POST answered {response.status}")
                with stream.arrived:
                    stream.arrived.wait_for(
                        lambda call=call, stream=stream: call in stream.received, timeout=5
                    )
                if call not in stream.received:
                    raise RuntimeError(f"{call}: no pop within 5 s")
                latencies.append((stream.received[call] - started) * 1000)
                time.sleep(0.05)
            stream.stop = True
            once = all(c == 1 for c in stream.counts.values()) and len(stream.counts) == args.calls
            q = statistics.quantiles(latencies, n=20)
            print(
                f"{spec}: {args.calls} calls, poll {args.poll:.2f} s — POST → pop received: "
                f"p50 {statistics.median(latencies):.0f} ms, p95 {q[18]:.0f} ms, "
                f"max {max(latencies):.0f} ms (the POST's own answer: p50 "
                f"{statistics.median(posts):.0f} ms); every call popped once: {once}; "
                f"stream reconnects: {stream.reconnects}"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
