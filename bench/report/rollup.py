"""Daily rollup benchmark: building it, and a whole-history dashboard query from it against the
same query over the raw orders.

    nice .venv/bin/python bench/report/rollup.py [--store var/bench/report/history-100m]
        [--fresh]

1. `analytics_rollup(commit=True)` on the store (`--fresh` removes the rollup first, so every
   month is aggregated): wall clock, CPU-seconds, rows.
2. Every day of the history with every count behind the rates (what a multi-year dashboard
   draws), with DuckDB: from the raw orders, then from the rollup — best of two each, and
   whether the two agree.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "var/bench/report/history-100m")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from hongmian.analytics import engines
    from hongmian.analytics import store as store_mod
    from hongmian.analytics.pipelines.figures import MEASURE_KEYS, measures
    from hongmian.analytics.pipelines.rollup import (
        SOURCE_COLUMNS,
        analytics_rollup,
        daily_dir,
        rollup_files,
    )

    if args.fresh and daily_dir(args.store).exists():
        shutil.rmtree(daily_dir(args.store))
    con = engines.duckdb_connect(threads=os.cpu_count())
    load = os.getloadavg()[0]
    cpu, started = _cpu(), time.perf_counter()
    result = analytics_rollup(store=args.store, commit=True, con=con)
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    rows = sum(result.written.values())
    orders = sum(p["rows"] for p in store_mod.require_manifest(args.store)["partitions"].values())
    print(
        f"== rollup of {args.store}: {len(result.written)} months aggregated, {rows:,} rollup rows "
        f"for {orders:,} orders ({orders / max(rows, 1):.0f} orders a row) in {wall:.1f} s wall, "
        f"{cpu:.1f} CPU-s (load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)"
    )

    partitions = store_mod.require_manifest(args.store)["partitions"].values()
    files = [args.store / p["file"] for p in partitions]
    raw = engines.read_orders(con, files, SOURCE_COLUMNS)
    raw_expr = raw.group_by("created_date").aggregate(**measures(raw)).order_by("created_date")
    daily = con.read_parquet([str(f) for f in rollup_files(args.store)])
    daily_expr = (
        daily.group_by("created_date")
        .aggregate(**{k: daily[k].sum() for k in MEASURE_KEYS})
        .order_by("created_date")
    )
    results = {}
    for name, expr in (("raw orders", raw_expr), ("daily rollup", daily_expr)):
        times = []
        for _ in range(2):
            t = time.perf_counter()
            table = con.to_pyarrow(expr)
            times.append(time.perf_counter() - t)
        results[name] = table
        print(
            f"   every day × every rate count, whole history, from the {name}: "
            f"{min(times):.2f} s (first {times[0]:.2f} s), {table.num_rows:,} days"
        )
    a, b = results["raw orders"], results["daily rollup"]
    same = all(
        [int(x or 0) for x in a[k].to_pylist()] == [int(x or 0) for x in b[k].to_pylist()]
        for k in MEASURE_KEYS
    )
    print(f"   the two agree: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
