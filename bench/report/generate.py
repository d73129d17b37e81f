"""History generator benchmark: rows per second, wall clock and per CPU-second.

    nice .venv/bin/python bench/report/generate.py [--orders 20000000]
        [--start 2021-01-01] [--end 2026-10-31] [--workers N] [--repeat 3]
        [--dir var/bench/generate]

Writes a fresh store (replacing the one of the previous round) `--repeat` times and prints,
for each round, the wall-clock rate, the rate per CPU-second (this process and its worker
processes, user + system) and the load average before and after: the development machine
is shared, so the wall-clock figure depends on what else runs and the CPU figure much less.
The unit names and the profile are built once, before the clock starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000_000)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2021, 1, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 10, 31))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench" / "generate")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from hongmian.analytics.history import profiles
    from hongmian.analytics.history.generator import generate_history

    profile = profiles.build_profile(seed=args.seed, unit_names=profiles.demo_unit_names())
    out = args.dir / f"history-{args.orders // 1_000_000}m"
    print(
        f"== generate {args.orders:,} orders, {args.start} … {args.end}, seed {args.seed}, "
        f"workers {args.workers or 'default'}, {os.cpu_count()} cores → {out}"
    )
    rates = []
    for round_ in range(1, args.repeat + 1):
        load_before = os.getloadavg()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        result = generate_history(
            out=out,
            orders=args.orders,
            start=args.start,
            end=args.end,
            seed=args.seed,
            workers=args.workers,
            replace=True,
            profile=profile,
        )
        wall = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        load_after = os.getloadavg()
        size = sum(f.stat().st_size for f in out.glob("month=*/*.parquet"))
        rates.append((result.rows / wall, result.rows / cpu))
        print(
            f"   round {round_}: {result.rows:,} rows, {result.partitions} months in {wall:.2f} s "
            f"wall = {result.rows / wall:,.0f} rows/s; {cpu:.2f} CPU-s = "
            f"{result.rows / cpu:,.0f} rows per CPU-second ({cpu / wall:.2f} cores busy); "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
            f"{size / 2**30:.2f} GiB ({size / result.rows:.1f} B/row)"
        )
    best_wall = max(r[0] for r in rates)
    best_cpu = max(r[1] for r in rates)
    print(
        f"   best of {len(rates)}: {best_wall:,.0f} rows/s wall clock, "
        f"{best_cpu:,.0f} rows per CPU-second"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
