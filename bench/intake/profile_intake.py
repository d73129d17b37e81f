"""Where an intake's time goes, without HTTP: N calls of `work_order_intake` as the bench's
agent (each in its own transaction, as a request has), timed by part and profiled.

    .venv/bin/python bench/intake/profile_intake.py USERNAME N     (run.py --profile N)
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import random

    import django

    django.setup()
    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext

    from hongmian.core import audit
    from hongmian.core.actors import Actor
    from hongmian.geo import address
    from hongmian.hotline import notifications
    from hongmian.hotline.demo.text import TextGenerator
    from hongmian.hotline.services import intake, intake_store, intake_validation, timeline
    from hongmian.hotline.services.intake_validation import IntakeRequest
    from hongmian.identity.models import User

    username, count = sys.argv[1], int(sys.argv[2])
    actor = Actor(user=User.objects.get(username=username), via="api", client_address="127.0.0.1")
    gen = TextGenerator(random.Random(99))  # noqa: S311  # benchmark data
    requests = []
    for _ in range(count + 20):
        topic = gen.topic()
        text = gen.request(topic)
        requests.append(
            {
                "channel": "phone",
                "request_type": gen.request_type(topic),
                "title": text.title,
                "content": text.content,
                "caller_name": "陈先生",
                "caller_phone": "13800138000",
                "address": text.place.address if text.place else "",
            }
        )

    # Time the parts by wrapping the functions the service calls (module attributes, so the
    # service picks the wrapped ones up).
    spent: dict[str, float] = defaultdict(float)

    def timed(module: Any, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - t0

        setattr(module, name, wrapper)

    # Wrapped where they are looked up: the modules the intake service is split into.
    timed(intake_validation, "parse_address", "address parsing")
    timed(intake_store, "work_order_number_next", "number allocation (SQLite)")
    timed(intake_store, "_insert", "order INSERT (PostgreSQL)")
    timed(intake_store, "timeline_entry", "timeline entry")
    timed(intake_store, "audit_record_many", "audit entries")
    timed(notifications, "notices_enqueue", "notification jobs (on commit)")
    del address, audit, timeline

    def one(payload: dict[str, Any], n: int) -> None:
        intake.work_order_intake(
            actor=actor, request=IntakeRequest(**payload), idempotency_key=f"profile-{n}"
        )

    for n, payload in enumerate(requests[:20]):  # warm-up: imports, caches, the lexicon
        with transaction.atomic():
            one(payload, -n - 1)
    spent.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        for n, payload in enumerate(requests[20:]):
            with transaction.atomic():
                one(payload, n)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"\n== intake service alone ({count} calls, one transaction each, with commit)\n"
        f"{count / wall:,.0f} intakes/s wall · {1000 * cpu / count:.2f} ms CPU in Python per intake"
        f" · {len(queries) / count:.1f} SQL statements per intake"
    )
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {label:32} {1000 * seconds / count:6.2f} ms per intake")

    # The same requests through Django's whole stack (middleware, ninja, the API key), in
    # process: what a worker spends per request beyond the service.
    import json as jsonlib

    from django.test import Client

    from hongmian.identity.services import api_key_create

    _, key = api_key_create(actor=Actor.system("bench"), user=actor.user, name="profile")
    client = Client()
    bodies = [jsonlib.dumps(p, ensure_ascii=False) for p in requests[20:]]
    with CaptureQueriesContext(connection) as queries:
        started, cpu_http = time.perf_counter(), time.process_time()
        for n, body in enumerate(bodies):
            response = client.post(
                "/api/hotline/work-orders",
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": f"wsgi-{n}"},
            )
            assert response.status_code == 201, response.content
        wall_http = time.perf_counter() - started
        cpu_http = time.process_time() - cpu_http
    print(
        f"through the WSGI stack (django.test.Client): {count / wall_http:,.0f} requests/s wall"
        f" · {1000 * cpu_http / count:.2f} ms CPU per request"
        f" ({1000 * (cpu_http - cpu) / count:+.2f} ms over the service alone)"
        f" · {len(queries) / count:.1f} SQL statements per request"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    for n, payload in enumerate(requests[20:]):
        with transaction.atomic():
            one(payload, count + n)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats("hongmian", 25)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
