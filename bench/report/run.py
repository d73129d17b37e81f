"""Monthly report (民情月历) benchmark: DuckDB on a 100-million-order store, against pandas
and Apache Spark.

    .venv/bin/python bench/report/run.py [--orders 100000000] [--dir var/bench/report]
        [--month 2026-10] [--pandas-orders 10000000] [--skip-pandas] [--skip-spark]

Every measurement runs in a child process of its own, so that the peak memory printed (the
child's ru_maxrss; for Spark also the JVM's VmHWM) is that measurement's alone. Steps:

1. Generate the synthetic history (2021-01-01 … 2026-10-31) with `hongmian history`'s
   generator, or reuse it when the manifest says it was made with the same arguments and
   generator version; print rows per second (wall clock, and per CPU-second: the machine may
   be shared). `bench/report/generate.py` times the generator alone, in rounds.
2. DuckDB (the project's engine): `compute_report` for the month — every section — timed in a
   process whose imports are done: the first call and the best of two more. DuckDB's
   memory_limit is 3 GB. Also a quarter and the whole history as one custom range, which
   scan far more of the store.
3. pandas, as an analyst would: (a) reading only the period's three months, then the same
   groupbys; (b) the "read the whole folder, then filter" habit on a smaller store
   (--pandas-orders), extrapolated linearly to --orders — it is said so when printed.
4. Spark local[*]: the same report through the same pipeline (session start-up apart).

The timed report reads the raw order rows (no pre-aggregated rollup).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
START, END = dt.date(2021, 1, 1), dt.date(2026, 10, 31)
SEED = 12345
DUCKDB_MEMORY = "3GB"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(result: dict[str, Any]) -> None:
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


# --- children ----------------------------------------------------------------------------


def child_generate(store: Path, orders: int) -> None:
    _setup()
    from hongmian.analytics.history.generator import GENERATOR_VERSION, generate_history
    from hongmian.analytics.store import read_manifest

    manifest = read_manifest(store) if store.exists() else None
    h = (manifest or {}).get("history", {})
    if (
        h.get("orders") == orders
        and h.get("start") == START.isoformat()
        and h.get("end") == END.isoformat()
        and h.get("seed") == SEED
        and h.get("generator") == GENERATOR_VERSION
    ):
        _emit({"reused": True, "rows": orders})
        return
    load_before = os.getloadavg()
    result = generate_history(
        out=store, orders=orders, start=START, end=END, seed=SEED, replace=True
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu = children.ru_utime + children.ru_stime + own.ru_utime + own.ru_stime
    size = sum(f.stat().st_size for f in store.glob("month=*/*.parquet"))
    _emit(
        {
            "reused": False,
            "rows": result.rows,
            "seconds": result.seconds,
            "rows_per_s": result.rows_per_second,
            "cpu_seconds": cpu,
            "rows_per_cpu_s": result.rows / cpu,
            "bytes": size,
            "load_before": load_before,
            "load_after": os.getloadavg(),
        }
    )


def _period(kind: str, value: str) -> Any:
    from hongmian.analytics.periods import parse_period

    if kind == "custom":
        start, end = value.split("..")
        return parse_period("custom", start=start, end=end)
    return parse_period(kind, value=value)


def child_duckdb(store: Path, kind: str, value: str, repeat: int) -> None:
    _setup()
    from hongmian.analytics import engines
    from hongmian.analytics.report.compute import compute_report

    period = _period(kind, value)
    # One-time library loading (Ibis pulls in pandas and sqlglot on first use; this machine
    # keeps no bytecode cache), timed apart from the report.
    started = time.perf_counter()
    import ibis

    warm = engines.duckdb_connect(memory_limit=DUCKDB_MEMORY)
    probe = ibis.memtable({"a": [1, 2]})
    warm.to_pyarrow(probe.group_by("a").aggregate(n=probe.count()))
    warm.disconnect()
    warm_up = time.perf_counter() - started
    runs = []
    report: dict[str, Any] = {}
    for _ in range(repeat):
        con = engines.duckdb_connect(memory_limit=DUCKDB_MEMORY, threads=os.cpu_count())
        started = time.perf_counter()
        report = compute_report(source=store, period=period, con=con)
        runs.append(time.perf_counter() - started)
        con.disconnect()
    _emit(
        {
            "warm_up": warm_up,
            "first": runs[0],
            "best_after_first": min(runs[1:]) if len(runs) > 1 else runs[0],
            "peak_mb": _peak_mb(),
            "total": report["total"],
            "previous": report["comparison"]["previous"],
            "by_district": report["by_district"],
            "satisfaction": [
                report["rates"]["satisfaction"]["numerator"],
                report["rates"]["satisfaction"]["denominator"],
            ],
            "steps": report["meta"]["steps"],
            "representatives": report["representative_orders"],
        }
    )


def child_pandas(store: Path, kind: str, value: str, whole: bool) -> None:
    _setup()
    import pandas_report

    period = _period(kind, value)
    started = time.perf_counter()
    if whole:
        files = sorted(store.glob("month=*/part-0.parquet"))
    else:
        files = pandas_report.month_files(store, period)
    df = pandas_report.load(files)
    loaded = time.perf_counter() - started
    figures = pandas_report.monthly_report(df, period)
    seconds = time.perf_counter() - started
    _emit(
        {
            "seconds": seconds,
            "load_seconds": loaded,
            "rows_loaded": len(df),
            "peak_mb": _peak_mb(),
            "total": figures["total"],
            "previous": figures["previous"],
            "by_district": figures["by_district"],
            "satisfaction": list(figures["satisfaction"]),
            "representatives": figures["sections"]["representatives"],
        }
    )


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def child_spark(store: Path, kind: str, value: str, repeat: int) -> None:
    _setup()
    from hongmian.analytics import engines
    from hongmian.analytics.report.compute import compute_report

    period = _period(kind, value)
    started = time.perf_counter()
    spark = engines.spark_session(master="local[*]", shuffle_partitions=4, driver_memory="4g")
    session_s = time.perf_counter() - started
    runs = []
    report: dict[str, Any] = {}
    for _ in range(repeat):
        t = time.perf_counter()
        report = compute_report(source=store, period=period, engine="spark", spark=spark)
        runs.append(time.perf_counter() - t)
    gateway = spark.sparkContext._gateway
    proc = getattr(gateway, "proc", None)
    jvm_mb = _vm_hwm_mb(proc.pid) if proc is not None else None
    spark.stop()
    _emit(
        {
            "session_seconds": session_s,
            "first": runs[0],
            "best_after_first": min(runs[1:]) if len(runs) > 1 else runs[0],
            "python_peak_mb": _peak_mb(),
            "jvm_peak_mb": jvm_mb,
            "total": report["total"],
            "by_district": report["by_district"],
        }
    )


# --- parent ------------------------------------------------------------------------------


def _run(*args: str, timeout: float | None = None) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, "--child", *args]
    try:
        done = subprocess.run(  # noqa: S603  # this very script, with our own arguments
            cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return None
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
    raise SystemExit(f"child {args[0]} failed (exit {done.returncode})")


def _mb(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000_000)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench" / "report")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--pandas-orders", type=int, default=10_000_000)
    parser.add_argument("--spark-timeout", type=float, default=900.0)
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "generate":
            child_generate(Path(rest[0]), int(rest[1]))
        elif kind == "duckdb":
            child_duckdb(Path(rest[0]), rest[1], rest[2], int(rest[3]))
        elif kind == "pandas":
            child_pandas(Path(rest[0]), rest[1], rest[2], rest[3] == "whole")
        elif kind == "spark":
            child_spark(Path(rest[0]), rest[1], rest[2], int(rest[3]))
        return 0

    big = args.dir / f"history-{args.orders // 1_000_000}m"
    print(f"== history: {args.orders:,} orders, {START} … {END}, seed {SEED} → {big}")
    gen = _run("generate", str(big), str(args.orders))
    assert gen is not None
    if gen["reused"]:
        print("   reused the existing store (same arguments)")
    else:
        print(
            f"   generated {gen['rows']:,} rows in {gen['seconds']:.1f} s: "
            f"{gen['rows_per_s']:,.0f} rows/s wall clock; {gen['rows_per_cpu_s']:,.0f} rows per "
            f"CPU-second ({gen['cpu_seconds']:.0f} CPU-s on {os.cpu_count()} cores; load average "
            f"{gen['load_before'][0]:.1f} before, {gen['load_after'][0]:.1f} after); "
            f"{gen['bytes'] / 2**30:.2f} GiB of Parquet ({gen['bytes'] / gen['rows']:.1f} B/row)"
        )

    print(f"== DuckDB, month {args.month} (every section; memory_limit {DUCKDB_MEMORY})")
    duck = _run("duckdb", str(big), "month", args.month, "3")
    assert duck is not None
    print(
        f"   library loading (once per process, not counted) {duck['warm_up']:.1f} s; "
        f"first run {duck['first']:.2f} s, best of next two {duck['best_after_first']:.2f} s; "
        f"peak RSS {_mb(duck['peak_mb'])}; {duck['total']:,} orders this month "
        f"({duck['previous']:,} last month)"
    )
    print("   steps (last run): " + ", ".join(f"{k} {v:.2f}" for k, v in duck["steps"].items()))
    for kind, value in (("quarter", "2026Q3"), ("custom", f"{START}..{END}")):
        r = _run("duckdb", str(big), kind, value, "2")
        assert r is not None
        print(
            f"   {kind} {value}: first {r['first']:.2f} s, second {r['best_after_first']:.2f} s; "
            f"peak RSS {_mb(r['peak_mb'])}; {r['total']:,} orders"
        )

    if not args.skip_pandas:
        print("== pandas, same month figures")
        pd_month = _run("pandas", str(big), "month", args.month, "period")
        assert pd_month is not None
        agree = (
            pd_month["total"] == duck["total"]
            and pd_month["by_district"] == {k: v for k, v in duck["by_district"].items() if v}
            and pd_month["satisfaction"] == duck["satisfaction"]
            and pd_month["representatives"] == duck["representatives"]
        )
        print(
            f"   reading only the period's 3 months ({pd_month['rows_loaded']:,} rows): "
            f"{pd_month['seconds']:.2f} s (load {pd_month['load_seconds']:.2f} s), peak RSS "
            f"{_mb(pd_month['peak_mb'])} — {pd_month['seconds'] / duck['best_after_first']:.1f}× "
            f"DuckDB's time; figures agree with DuckDB: {agree}"
        )
        small = args.dir / f"history-{args.pandas_orders // 1_000_000}m"
        gen_small = _run("generate", str(small), str(args.pandas_orders))
        assert gen_small is not None
        whole = _run("pandas", str(small), "month", args.month, "whole")
        duck_small = _run("duckdb", str(small), "month", args.month, "2")
        assert whole is not None
        assert duck_small is not None
        factor = args.orders / args.pandas_orders
        print(
            f"   reading the whole folder, then filtering, on {args.pandas_orders:,} orders: "
            f"{whole['seconds']:.1f} s, peak RSS {_mb(whole['peak_mb'])} "
            f"(DuckDB on the same store: {duck_small['best_after_first']:.2f} s, "
            f"{_mb(duck_small['peak_mb'])})"
        )
        print(
            f"   extrapolated linearly to {args.orders:,} orders (not measured): about "
            f"{whole['seconds'] * factor:,.0f} s and {whole['peak_mb'] * factor / 1024:,.0f} GB "
            f"— more than this machine's memory"
            if whole["peak_mb"] * factor > 24 * 1024
            else f"   extrapolated linearly to {args.orders:,} orders (not measured): about "
            f"{whole['seconds'] * factor:,.0f} s and {whole['peak_mb'] * factor / 1024:,.1f} GB"
        )

    if not args.skip_spark:
        print("== Spark local[*], same month, same pipeline")
        spark = _run("spark", str(big), "month", args.month, "2", timeout=args.spark_timeout)
        if spark is None:
            print(f"   did not finish within {args.spark_timeout:.0f} s on {args.orders:,} orders")
        else:
            print(
                f"   session start {spark['session_seconds']:.1f} s; report first run "
                f"{spark['first']:.1f} s, second {spark['best_after_first']:.1f} s "
                f"({spark['best_after_first'] / duck['best_after_first']:.0f}× DuckDB); JVM peak "
                f"{_mb(spark['jvm_peak_mb'])}, Python {_mb(spark['python_peak_mb'])}; same total "
                f"as DuckDB: {spark['total'] == duck['total']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
