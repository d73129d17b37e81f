"""Data hub sharing: the cost of one call of the rows API's read and mask — count the rows a
grant's filter keeps, read one page ordered by primary key (Ibis over DuckDB on the Parquet
file ingestion writes), and mask it by grade (pseudonyms, months, ranges, districts).

    .venv/bin/python bench/datahub/sharing.py [--rows 1000000] [--size 500] [--calls 20]

No database: a call's bookkeeping (one quota upsert, one call row) is a few milliseconds on
either database and does not grow with the dataset. Wall-clock on a shared machine: read the
median of the calls.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DISTRICTS = ["越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区"]
SCHEMA: dict[str, Any] = {
    "primaryKey": "rid",
    "fields": [
        {"name": "rid", "type": "integer"},
        {"name": "id_no", "type": "string", "personal": True},
        {"name": "address", "type": "string", "title": "住址", "personal": True},
        {"name": "birth", "type": "date", "personal": True},
        {"name": "income", "type": "integer", "grade": "important"},
        {"name": "case_note", "type": "string", "grade": "core"},
        {"name": "district", "type": "string"},
    ],
}
FIELDS: list[dict[str, Any]] = SCHEMA["fields"]


def write(path: Path, rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(81)  # noqa: S311 (benchmark rows, not secrets)
    district = [rng.choice(DISTRICTS) for _ in range(rows)]
    table = pa.table(
        {
            "rid": list(range(1, rows + 1)),
            "id_no": [f"4401{rng.randint(10**13, 10**14 - 1)}" for _ in range(rows)],
            "address": [f"广州市{d}某某路{rng.randint(1, 999)}号" for d in district],
            "birth": [
                dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 25000)) for _ in range(rows)
            ],
            "income": [rng.randint(0, 50000) for _ in range(rows)],
            "case_note": ["记录"] * rows,
            "district": district,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=122_880)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    import django

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HONGMIAN_DATAHUB_STORE"] = tmp
        django.setup()
        from hongmian.datahub.masking import apply_plan, mask_plan
        from hongmian.datahub.models import Dataset, DatasetField
        from hongmian.datahub.services.ingestion import dataset_file
        from hongmian.datahub.services.sharing import _read

        dataset = Dataset(code="BENCH-RESIDENTS", version=1, schema=SCHEMA)
        known = {
            f["name"]: DatasetField(
                name=f["name"],
                title=f.get("title", ""),
                type=f["type"],
                grade=f.get("grade", "general"),
                personal=f.get("personal", False),
            )
            for f in FIELDS
        }
        started = time.perf_counter()
        write(dataset_file(dataset), args.rows)
        print(f"wrote {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        plan = mask_plan(known.values(), consumer_code="GZ-GA")
        rng = random.Random(1)  # noqa: S311
        reads, masks = [], []
        pages = max(1, args.rows // 4 // args.size)
        for _ in range(args.calls):
            page = rng.randint(1, pages)
            t0 = time.perf_counter()
            total, rows = _read(
                dataset,
                plan.returned,
                {"district": "天河区"},
                known,
                offset=(page - 1) * args.size,
                limit=args.size,
            )
            t1 = time.perf_counter()
            apply_plan(plan, rows)
            t2 = time.perf_counter()
            reads.append(t1 - t0)
            masks.append(t2 - t1)
        print(
            f"filter district=天河区: {total:,} rows match; page of {args.size}: "
            f"read median {statistics.median(reads) * 1000:.0f} ms "
            f"(max {max(reads) * 1000:.0f}), mask median {statistics.median(masks) * 1000:.0f} ms "
            f"({statistics.median(masks) / args.size * 1e6:.0f} µs a row)"
        )


if __name__ == "__main__":
    main()
