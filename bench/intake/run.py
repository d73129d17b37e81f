"""Intake throughput: orders per second through the real HTTP API, and the bulk import.

    .venv/bin/python bench/intake/run.py [--database-url URL] [--clients 16] [--seconds 20]
        [--servers gthread:2x8,sync:4] [--retry-share 0.05] [--import-rows 200000]
        [--skip-import] [--skip-http] [--profile 300] [--batch 100]

What it does, in order:

1. Creates a fresh PostgreSQL database (default `hongmian_bench_intake` on the local server
   127.0.0.1:55432, or the one named by --database-url; it is dropped and created again), and
   migrates it. No PostgreSQL reachable: says so and exits 0.
2. Loads the organisation units and the hotline's defaults, creates an agent account and an
   API key with `hongmian apikey create`.
3. For each server configuration: starts gunicorn from the venv on a free port of 127.0.0.1,
   drives `POST /api/hotline/work-orders` with N keep-alive clients for a fixed time (each
   request with its own Idempotency-Key; a share sent twice), and prints orders/s, latency
   percentiles, errors, the CPU each side spent per order, and the count check: orders in
   the database == distinct keys accepted, no key twice, every retry answered with the
   order its first attempt made. With --batch N the clients post N orders per request to
   `POST /api/hotline/work-orders/batch` instead (a retry resends the whole batch), and the
   same count check applies item by item.
4. The bulk import (`hongmian hotline_import --commit`) of a synthetic export
   (`hotline_export_sample`) into PostgreSQL and into a fresh SQLite file: rows/s.
5. With --profile N: N intakes through the service alone (no HTTP), timed and profiled.

The machine is shared: besides wall-clock rates it reports CPU seconds per order (server
workers, PostgreSQL backends, the load generator), which do not depend on what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# The sibling module: running this file puts its folder first on sys.path.
from load import LoadResult, run_load

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
DEFAULT_URL = "postgres://postgres@127.0.0.1:55432/hongmian_bench_intake"
BENCH_USER = "bench-agent"
DEFAULT_SERVERS = "gthread:2x8,sync:4"


# --- PostgreSQL --------------------------------------------------------------------------------


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def pg_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    admin, _ = _admin_url(url)
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def pg_recreate(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pg_count(url: str, prefix: str) -> tuple[int, int, dict[str, str]]:
    """Orders whose key starts with `prefix`: rows, distinct keys, key → number."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, number FROM hotline_workorder WHERE idempotency_key LIKE %s",
            [prefix + "%"],
        ).fetchall()
    keys = {k for k, _ in rows}
    return len(rows), len(keys), dict(rows)


def postgres_cpu_seconds() -> float:
    """CPU time of every postgres process on this machine (the local server's backends)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if comm != "postgres":
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (gunicorn's master and workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid = int(fields[1])
        if int(p) == pid or ppid == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- steps ------------------------------------------------------------------------------------


def hongmian(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603  # our own executable, fixed arguments
        [str(BIN / "hongmian"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def prepare(env: dict[str, str]) -> str:
    """Migrate, load units and defaults, create the agent; returns its API key."""
    started = time.perf_counter()
    hongmian(env, "migrate", "--noinput", "-v0")
    subprocess.run(  # noqa: S603
        [str(PYTHON), str(Path(__file__).with_name("setup_db.py")), BENCH_USER],
        env=env,
        cwd=ROOT,
        check=True,
    )
    key = hongmian(
        env, "apikey", "create", "--username", BENCH_USER, "--name", "intake bench", capture=True
    ).strip()
    print(f"database ready in {time.perf_counter() - started:.1f} s")
    return key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], spec: str, port: int) -> subprocess.Popen[bytes]:
    """`gthread:WxT` (W workers, T threads each) or `sync:W`."""
    kind, _, size = spec.partition(":")
    workers, _, threads = size.partition("x")
    argv = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        workers or "2",
        "--worker-class",
        kind,
        "--keep-alive",
        "75",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--preload",
    ]
    if kind == "gthread":
        argv += ["--threads", threads or "4"]
    proc = subprocess.Popen(argv, env=env, cwd=ROOT)  # noqa: S603
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"gunicorn {spec} did not answer /healthz")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def request_bodies(count: int) -> list[bytes]:
    """Varied, realistic requests from the demo's text generator (made once, up front, so
    that the clients spend their time sending)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import random

    import django

    django.setup()
    from hongmian.hotline.demo.text import TextGenerator
    from hongmian.identity import fakes

    rng = random.Random(2026)  # noqa: S311  # benchmark data, not secrets
    gen = TextGenerator(rng)
    bodies = []
    for _ in range(count):
        topic = gen.topic()
        text = gen.request(topic)
        bodies.append(
            json.dumps(
                {
                    "channel": gen.channel(),
                    "request_type": gen.request_type(topic),
                    "title": text.title,
                    "content": text.content,
                    "caller_name": rng.choice(fakes.SURNAMES) + "先生",
                    "caller_phone": fakes.mobile(rng),
                    "address": text.place.address if text.place else "",
                },
                ensure_ascii=False,
            ).encode()
        )
    return bodies


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_http(args: argparse.Namespace, env: dict[str, str], key: str) -> None:
    bodies = request_bodies(2000)
    for spec in args.servers.split(","):
        port = free_port()
        proc = start_server(env, spec, port)
        label = f"bench-{spec.replace(':', '-')}-b{args.batch}-{int(time.time())}"
        try:
            # A short warm-up: imports, connections and caches, not measured.
            run_load(
                host="127.0.0.1",
                port=port,
                key=key,
                bodies=bodies,
                clients=args.clients,
                seconds=2,
                retry_share=0,
                run_label="warm-" + label,
                batch=args.batch,
            )
            load_before = os.getloadavg()[0]
            server_cpu, pg_cpu = process_tree_cpu(proc.pid), postgres_cpu_seconds()
            own_cpu = time.process_time()
            result = run_load(
                host="127.0.0.1",
                port=port,
                key=key,
                bodies=bodies,
                clients=args.clients,
                seconds=args.seconds,
                retry_share=args.retry_share,
                run_label=label,
                batch=args.batch,
            )
            server_cpu = process_tree_cpu(proc.pid) - server_cpu
            pg_cpu = postgres_cpu_seconds() - pg_cpu
            own_cpu = time.process_time() - own_cpu
            load_after = os.getloadavg()[0]
        finally:
            stop_server(proc)
        report_http(
            spec, args, result, label, server_cpu, pg_cpu, own_cpu, (load_before, load_after)
        )


def report_http(
    spec: str,
    args: argparse.Namespace,
    result: LoadResult,
    label: str,
    server_cpu: float,
    pg_cpu: float,
    own_cpu: float,
    load: tuple[float, float],
) -> None:
    created, replayed = result.created, result.replayed
    lat = result.latencies_ms
    rows, distinct, in_db = pg_count(args.database_url, label + "-")
    lost = [k for k in created if k not in in_db]
    mismatched = [k for k, n in replayed.items() if in_db.get(k) != n or created.get(k, n) != n]
    orders = len(created)
    per_order = 1000 / orders if orders else float("nan")
    shape = f", {args.batch} orders per request" if args.batch else ""
    print(f"\n== {spec}  ({args.clients} clients{shape}, {result.seconds:.1f} s)")
    print(
        f"orders/s {orders / result.seconds:,.0f}"
        f"   requests/s {result.requests / result.seconds:,.0f}"
        f"   orders {orders:,}   retries {len(replayed):,}"
    )
    print(
        f"latency ms  p50 {statistics.median(lat) if lat else float('nan'):.1f}"
        f"  p95 {percentile(lat, 0.95):.1f}  p99 {percentile(lat, 0.99):.1f}"
        f"  max {max(lat) if lat else float('nan'):.1f}"
    )
    print(f"errors {sum(result.errors.values())} {result.errors or ''}")
    print(
        f"count check: in database {rows:,} · distinct keys {distinct:,} · accepted {orders:,}"
        f" · lost {len(lost)} · retries answered with another order {len(mismatched)}"
        f"  → {'OK' if rows == distinct == orders and not lost and not mismatched else 'FAILED'}"
    )
    print(
        f"CPU per order: server {server_cpu * per_order:.2f} ms"
        f" · PostgreSQL {pg_cpu * per_order:.2f} ms"
        f" · load generator {own_cpu * per_order:.2f} ms"
        f"  (load average {load[0]:.1f} → {load[1]:.1f} on {os.cpu_count()} CPUs)"
    )
    cpu_ms = (server_cpu + pg_cpu + own_cpu) * per_order
    if orders:
        ceiling = 1000 * (os.cpu_count() or 1) / cpu_ms
        print(
            f"→ ceiling on {os.cpu_count()} idle CPUs: {ceiling:,.0f} orders/s"
            " (all the CPU time an order costs, the load generator's included)"
        )


_RATE = re.compile(r"([\d,]+) 行/秒")


def bench_import(args: argparse.Namespace, env: dict[str, str]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="hongmian-bench-"))
    try:
        csv_path = workdir / "export.csv"
        hongmian(
            env, "hotline_export_sample", "--rows", str(args.import_rows), "--out", str(csv_path)
        )
        sqlite_env = {**env, "DATABASE_URL": f"sqlite:///{workdir / 'import.sqlite3'}"}
        hongmian(sqlite_env, "migrate", "--noinput", "-v0")
        subprocess.run(  # noqa: S603
            [str(PYTHON), str(Path(__file__).with_name("setup_db.py")), BENCH_USER],
            env=sqlite_env,
            cwd=ROOT,
            check=True,
        )
        for name, target in (("PostgreSQL", env), ("SQLite", sqlite_env)):
            for commit in (False, True):
                started = time.perf_counter()
                out = hongmian(
                    target,
                    "hotline_import",
                    str(csv_path),
                    *(["--commit"] if commit else []),
                    capture=True,
                )
                wall = time.perf_counter() - started
                match = _RATE.search(out)
                rate = match[1] if match else "?"
                what = "import --commit" if commit else "dry run       "
                print(
                    f"{name:10} {what} {args.import_rows:,} rows: {rate} rows/s,"
                    f" {wall:.1f} s wall (load average {os.getloadavg()[0]:.1f})"
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def profile(args: argparse.Namespace, env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603
        [
            str(PYTHON),
            str(Path(__file__).with_name("profile_intake.py")),
            BENCH_USER,
            str(args.profile),
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--servers",
        default=DEFAULT_SERVERS,
        help="gunicorn configurations to measure, comma-separated: gthread:WxT or sync:W",
    )
    parser.add_argument("--retry-share", type=float, default=0.05)
    parser.add_argument(
        "--batch", type=int, default=0, help="orders per request through the batch endpoint"
    )
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--profile", type=int, default=0, help="profile N intakes without HTTP")
    args = parser.parse_args()

    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("--database-url must be a postgres:// URL")
        return 2
    why = pg_reachable(args.database_url)
    if why is not None:
        print(f"PostgreSQL is not reachable ({why}); intake benchmark skipped.")
        return 0
    pg_recreate(args.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HONGMIAN_LOG_LEVEL": "WARNING",
        "HONGMIAN_DEBUG": "false",
    }
    os.environ["DATABASE_URL"] = args.database_url
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
        f"database {urlsplit(args.database_url).path.lstrip('/')}"
    )
    key = prepare(env)
    if args.profile:
        profile(args, env)
    if not args.skip_http:
        bench_http(args, env, key)
    if not args.skip_import:
        print()
        bench_import(args, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
