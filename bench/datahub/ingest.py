"""Data hub ingestion speed: rows per second checked and loaded into the Parquet store, and
peak memory, for the real Boston 311 export (121,145 rows, 19 columns, .csv.gz) and for a
generated file of 1,000,000 rows (6 columns).

    .venv/bin/python bench/datahub/ingest.py [--rows 1000000] [--skip-boston]

Each file is read through the house's table reader (core.tables), every row checked against
its Table Schema (datahub/tableschema.py), the good rows merged by primary key into a fresh
Parquet file (Ibis over DuckDB, analytics store's writer), then the same file again (a
re-run: every row compared, nothing written). No database: the service's bookkeeping (one
run row, one audit entry) costs milliseconds and is not what scales. Peak memory is the
process's maximum resident set (resource.getrusage), which includes Python and the
libraries (~250 MB before the first row). Wall-clock on a shared machine: read the best of
a few runs.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, rows: int) -> None:
    rng = random.Random(76)  # noqa: S311 (benchmark rows, not secrets)
    districts = ["越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["record_id", "district", "category", "amount", "happened", "flag"])
        for n in range(1, rows + 1):
            amount = f"{rng.uniform(0, 5000):.2f}" if n % 1000 else "n/a"  # 0.1 % bad
            out.writerow(
                [
                    n,
                    rng.choice(districts),
                    f"C{rng.randint(1, 300):03d}",
                    amount,
                    f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(["true", "false"]),
                ]
            )


GENERATED_SCHEMA = {
    "primaryKey": "record_id",
    "fields": [
        {"name": "record_id", "type": "integer", "constraints": {"required": True}},
        {"name": "district", "type": "string", "constraints": {"required": True}},
        {"name": "category", "type": "string", "constraints": {"pattern": "C[0-9]{3}"}},
        {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
        {"name": "happened", "type": "date"},
        {"name": "flag", "type": "boolean"},
    ],
}


def run(label: str, source: Path, schema_raw: object, store: Path) -> None:
    from hongmian.datahub.ingest import check_rows, merge
    from hongmian.datahub.services.connectors import FileConnector
    from hongmian.datahub.tableschema import parse_schema

    schema = parse_schema(schema_raw)  # type: ignore[arg-type]
    target = store / label / "data.parquet"
    for attempt in ("first load", "re-run"):
        started = time.perf_counter()
        checked = check_rows(
            schema,
            FileConnector(source).extract(),
            dataset_code=label,
            keys_of=lambda code, fields: set(),
        )
        checked_at = time.perf_counter()
        assert checked.table is not None
        merged = merge(target, checked.table, schema.primary_key)
        done = time.perf_counter()
        seconds = done - started
        print(
            f"{label:10} {attempt:10} read {checked.rows_read:>9,} rejected "
            f"{checked.rows_rejected:>6,} inserted {merged.inserted:>9,} "
            f"updated {merged.updated:>3} | check {checked_at - started:6.1f} s "
            f"merge {done - checked_at:5.1f} s | {checked.rows_read / seconds:>9,.0f} rows/s "
            f"| peak RSS {peak_mb():,.0f} MB",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-boston", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    print(f"peak RSS after imports: {peak_mb():,.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp)
        boston = Path(settings.HONGMIAN_SHARED_DATA) / "boston311" / "boston311_2015_partial.csv.gz"
        if args.skip_boston:
            pass
        elif not boston.exists():
            print(f"boston: skipped, {boston} not found (HONGMIAN_SHARED_DATA)")
        else:
            schema = (ROOT / "hongmian/datahub/data/boston311.schema.json").read_bytes()
            run("boston311", boston, schema, store)
        generated = store / "generated.csv"
        started = time.perf_counter()
        generate(generated, args.rows)
        print(
            f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s "
            f"({generated.stat().st_size / 1e6:.0f} MB)"
        )
        run("generated", generated, GENERATED_SCHEMA, store)


if __name__ == "__main__":
    main()
