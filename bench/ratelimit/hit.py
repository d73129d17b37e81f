"""The cost of one shared rate-limit count (decision 0057): `core.ratelimit.hit` per second on
SQLite and PostgreSQL, one process, on one key (the worst case: every hit updates one row)
and on fresh keys (every hit inserts).

    .venv/bin/python bench/ratelimit/hit.py [--hits 2000] [--database sqlite|postgres|both]
        [--database-url postgres://postgres@127.0.0.1:55432/hm_bench_ratelimit]

SQLite is a fresh file database with the settings' options; PostgreSQL a fresh database,
dropped at the end (not reachable: skipped). Only the counter's table is created. The box is
shared: wall-clock figures, best of --runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgres://postgres@127.0.0.1:55432/hm_bench_ratelimit"


def _pg(url: str, sql: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.format(name=parts.path.lstrip("/")))
    except psycopg.OperationalError:
        return False
    return True


def measure(url: str, hits: int, runs: int) -> dict[str, float]:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from hongmian.core import ratelimit
    from hongmian.core.models import RateCounter

    with connection.schema_editor() as editor:
        editor.create_model(RateCounter)
    best: dict[str, float] = {}
    for run in range(runs):
        for label, key_of in (
            ("one key", lambda i, run=run: "b:one"),
            ("new keys", lambda i, run=run: f"b:{run}:{i}"),
        ):
            start = time.perf_counter()
            for i in range(hits):
                ratelimit.hit(key_of(i), limit=10**9, window=3600)
            rate = hits / (time.perf_counter() - start)
            best[label] = max(best.get(label, 0.0), rate)
    connection.close()
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default=DEFAULT_PG)
    args = parser.parse_args()
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            figures = measure(f"sqlite:///{tmp}/bench.sqlite3", args.hits, args.runs)
    else:
        if not _pg(args.database_url, 'DROP DATABASE IF EXISTS "{name}"') or not _pg(
            args.database_url, 'CREATE DATABASE "{name}"'
        ):
            print("PostgreSQL not reachable: skipped")
            return
        try:
            figures = measure(args.database_url, args.hits, args.runs)
        finally:
            _pg(args.database_url, 'DROP DATABASE IF EXISTS "{name}"')
    for label, rate in figures.items():
        print(f"{args.database:8} {label:9} {rate:8.0f} hits/s  ({1000 / rate:.2f} ms each)")


if __name__ == "__main__":
    main()
