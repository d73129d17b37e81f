"""The cost of the audit log's hash chain (decision 0046): audited appends per second on
SQLite and PostgreSQL, one thread and four, chained and (for comparison) unchained; and how
fast `hongmian audit verify` walks the chain.

    .venv/bin/python bench/audit/append.py [--appends 2000] [--database sqlite|postgres|both]
        [--hold-ms 0]
        [--database-url postgres://postgres@127.0.0.1:55432/hm_bench_audit]

Each append is one transaction holding one audit entry, as a service's write has: the
chained one goes through `audit_record` (lengthen the chain head — the lock —, hash, INSERT,
set the head's hash); the unchained one INSERTs the same entry with a place from a counter
and no head, which is what the log cost before the chain. SQLite is a fresh file database
(IMMEDIATE transactions, as the settings open it); PostgreSQL a fresh database, dropped at
the end (not reachable: skipped). The box is shared: wall-clock figures, best of --runs.
On PostgreSQL the chained appends of concurrent threads go on free lanes of the chain
(decision 0061), so with threads they no longer take turns on one head.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgres://postgres@127.0.0.1:55432/hm_bench_audit"


def _pg_admin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def _pg_recreate(url: str, *, drop_only: bool = False) -> bool:
    import psycopg

    admin, name = _pg_admin(url)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable at {admin}: {exc}")
        return False
    return True


def _run(threads: int, appends: int, append: object) -> tuple[float, float]:
    """Appends per second with `threads` threads sharing `appends` appends: by the wall
    clock, and by the process's CPU time (the figure to read on a shared machine)."""
    from django.db import connection

    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for n in range(appends // threads):
                append(i, n)  # type: ignore[operator]
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    start, cpu = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if errors:
        raise errors[0]
    done = (appends // threads) * threads
    return done / elapsed, done / cpu


def measure(label: str, appends: int, runs: int, hold_ms: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import transaction

    from hongmian.core.actors import Actor
    from hongmian.core.audit import audit_event, audit_record
    from hongmian.core.audit_chain import GENESIS, chain_verify, entry_hash
    from hongmian.core.models import CacheVersion

    target, _ = CacheVersion.objects.get_or_create(key="bench-audit")
    actor = Actor(user=None, via="web", client_address="10.0.0.1", label="bench")
    places = itertools.count(10**12)
    lock = threading.Lock()

    def chained(i: int, n: int) -> None:
        with transaction.atomic():
            audit_record(actor=actor, action="bench.append", target=target, after={"i": i, "n": n})
            if hold_ms:
                time.sleep(hold_ms / 1000)

    def unchained(i: int, n: int) -> None:
        event = audit_event(
            actor=actor, action="bench.plain", target=target, after={"i": i, "n": n}
        )
        with lock:
            event.seq = next(places)
        event.prev_hash, event.hash = GENESIS, entry_hash(GENESIS, event)
        with transaction.atomic():
            event.save(force_insert=True)
            if hold_ms:
                time.sleep(hold_ms / 1000)

    _run(1, 100, unchained)  # warm up: connections, statement caches, the file
    _run(1, 100, chained)
    for threads in (1, 4, 8) if hold_ms else (1, 4):
        for name, append in (("unchained", unchained), ("chained", chained)):
            results = [_run(threads, appends, append) for _ in range(runs)]
            wall, cpu = max(r[0] for r in results), max(r[1] for r in results)
            print(
                f"{label:10} {threads} thread{'s' if threads > 1 else ' '} {name:9} "
                f"{wall:7.0f} appends/s wall  {cpu:7.0f} appends/s of CPU"
            )
    # The comparison rows are outside the chain: drop them before the walk.
    from hongmian.core.models import AuditEvent

    AuditEvent.objects.filter(action="bench.plain").delete()
    start, cpu = time.perf_counter(), time.process_time()
    report = chain_verify()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.ok, report.broken
    print(
        f"{label:10} verify {report.checked} entries: {report.checked / elapsed:7.0f} entries/s "
        f"wall  {report.checked / cpu:7.0f} entries/s of CPU"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2)
    # The rest of a service's transaction after its audit entry, and its commit: the time
    # an append's lock is held (decision 0061). Adds 8 threads.
    parser.add_argument("--hold-ms", type=int, default=0)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument("--_child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args._child:
        # One database per process: Django reads DATABASE_URL once, at setup.
        measure(args._child, args.appends, args.runs, args.hold_ms)
        return 0
    import subprocess

    wanted = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for kind in wanted:
        env = dict(os.environ)
        with tempfile.TemporaryDirectory() as folder:
            if kind == "sqlite":
                env["DATABASE_URL"] = f"sqlite:///{folder}/audit.sqlite3"
            else:
                if not _pg_recreate(args.database_url):
                    continue
                env["DATABASE_URL"] = args.database_url
            command = [
                sys.executable,
                __file__,
                "--appends",
                str(args.appends),
                "--runs",
                str(args.runs),
                "--hold-ms",
                str(args.hold_ms),
                "--_child",
                "SQLite" if kind == "sqlite" else "PostgreSQL",
            ]
            # Our own script with our own arguments, not input from anyone.
            subprocess.run(command, env=env, check=True)  # noqa: S603
            if kind == "postgres":
                _pg_recreate(args.database_url, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
