"""The daily rollup: per day × l2 category × district, every count behind the report's rates
(`pipelines.figures.measures`), one small Parquet file per month beside the store's months.

Whole-history dashboards (years of daily volumes and rates) read it instead of the raw
orders: a day holds a few hundred rollup rows instead of tens of thousands of orders. The
figures it gives are the raw ones — sums of the same counts (a test compares them).

Layout: `<store>/daily/month=YYYY-MM/part-0.parquet` and `<store>/daily/_manifest.json`,
which records for each month the source partition's `as_of` and row count. A month is
(re)aggregated when its partition is new or was rewritten since (export, generator); a month
the store no longer has loses its rollup. Like the export: a dry run unless `commit`, the
store's writer lock held, every file published atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from hongmian.analytics import engines
from hongmian.analytics import store as store_mod
from hongmian.analytics.pipelines.base import declare
from hongmian.analytics.pipelines.figures import MEASURE_KEYS, measures

ROLLUP = declare("rollup", "每日汇总：按日 × 二级分类 × 区的受理量与三率计数")

DAILY_DIR = "daily"
DIMENSIONS = ("created_date", "category_l1_code", "category_l2_code", "district_code")
SOURCE_COLUMNS = (
    *DIMENSIONS,
    "request_type",
    "direct_answer",
    "lead_unit_code",
    "acknowledged_on_time",
    "on_time",
    "resolved",
    "satisfaction",
    "return_count",
    "reopen_count",
    "callback_count",
    "is_enterprise",
    "is_emergency",
)
ROLLUP_SCHEMA = pa.schema(
    [
        pa.field("created_date", pa.date32()),
        pa.field("category_l1_code", pa.string()),
        pa.field("category_l2_code", pa.string()),
        pa.field("district_code", pa.string()),
        *(pa.field(k, pa.int64()) for k in MEASURE_KEYS),
    ],
    metadata={"hongmian.rollup": "daily/1"},
)


@dataclass
class RollupContext:
    con: BaseBackend
    store: Path
    commit: bool
    results: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RollupResult:
    plan: dict[str, str]  # month → why it is (re)aggregated: "new", "changed", "removed"
    written: dict[str, int]  # month → rollup rows written
    unchanged: int
    seconds: dict[str, float]


def daily_dir(store: Path) -> Path:
    return store / DAILY_DIR


def _manifest_path(store: Path) -> Path:
    return daily_dir(store) / store_mod.MANIFEST


def read_rollup_manifest(store: Path) -> dict[str, Any]:
    path = _manifest_path(store)
    if not path.exists():
        return {"format": "hongmian.analytics.daily", "months": {}}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def rollup_files(store: Path) -> list[Path]:
    """The rollup's files, in month order (what a dashboard reads)."""
    months = read_rollup_manifest(store)["months"]
    return [store / months[key]["file"] for key in sorted(months)]


@ROLLUP.step(order=10, name="plan", title="找出需要汇总的月份：新分区、重写过的分区、已删除的分区")
def plan(ctx: RollupContext) -> dict[str, str]:
    partitions = store_mod.require_manifest(ctx.store)["partitions"]
    done = read_rollup_manifest(ctx.store)["months"]
    out: dict[str, str] = {}
    for key, part in sorted(partitions.items()):
        if key not in done:
            out[key] = "new"
        elif (done[key]["source_as_of"], done[key]["source_rows"]) != (
            part["as_of"],
            part["rows"],
        ):
            out[key] = "changed"
    for key in sorted(set(done) - set(partitions)):
        out[key] = "removed"
    return out


def _aggregate_month(ctx: RollupContext, key: str) -> pa.Table:
    files = store_mod.checked_files(ctx.store, [key], SOURCE_COLUMNS)
    t = engines.read_orders(ctx.con, files, SOURCE_COLUMNS)
    expr = t.group_by(list(DIMENSIONS)).aggregate(**measures(t)).order_by(list(DIMENSIONS))
    table = ctx.con.to_pyarrow(expr)
    columns = [
        table[name].cast(ROLLUP_SCHEMA.field(name).type).fill_null(0)
        if name in MEASURE_KEYS
        else table[name].cast(ROLLUP_SCHEMA.field(name).type)
        for name in ROLLUP_SCHEMA.names
    ]
    return pa.Table.from_arrays(columns, schema=ROLLUP_SCHEMA)


@ROLLUP.step(order=20, name="aggregate", title="逐月聚合每日计数，原子写入 daily/month=YYYY-MM/")
def aggregate(ctx: RollupContext) -> dict[str, int]:
    if not ctx.commit:
        return {}
    written: dict[str, int] = {}
    partitions = store_mod.require_manifest(ctx.store)["partitions"]
    manifest = read_rollup_manifest(ctx.store)
    for key, why in ctx.results["plan"].items():
        final = daily_dir(ctx.store) / f"month={key}" / store_mod.PART_FILE
        if why == "removed":
            manifest["months"].pop(key, None)
            final.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                final.parent.rmdir()
        else:
            table = _aggregate_month(ctx, key)
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f".tmp-{uuid.uuid4().hex}-{final.name}")
            try:
                pq.write_table(table, tmp, compression="snappy")
                os.replace(tmp, final)
            finally:
                tmp.unlink(missing_ok=True)
            manifest["months"][key] = {
                "file": str(final.relative_to(ctx.store)),
                "rows": table.num_rows,
                "source_as_of": partitions[key]["as_of"],
                "source_rows": partitions[key]["rows"],
            }
            written[key] = table.num_rows
        # After every month, like the export: a crash loses at most the month in hand.
        manifest["updated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        manifest["months"] = dict(sorted(manifest["months"].items()))
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        store_mod.atomic_write_bytes(_manifest_path(ctx.store), data)
    return written


def analytics_rollup(
    *, store: Path, commit: bool = False, con: BaseBackend | None = None
) -> RollupResult:
    """Bring the daily rollup of `store` up to date (a dry run unless `commit`). DuckDB."""
    store_mod.require_manifest(store)
    with store_mod.locked(store):
        if daily_dir(store).exists():
            store_mod.clean_temporaries(daily_dir(store))
        ctx = RollupContext(con=con or engines.connect("duckdb"), store=store, commit=commit)
        ROLLUP.run(ctx)
    months = store_mod.require_manifest(store)["partitions"]
    return RollupResult(
        plan=ctx.results["plan"],
        written=ctx.results["aggregate"],
        unchanged=len(months) - sum(1 for why in ctx.results["plan"].values() if why != "removed"),
        seconds=ctx.timings,
    )


__all__ = [
    "DIMENSIONS",
    "ROLLUP",
    "ROLLUP_SCHEMA",
    "SOURCE_COLUMNS",
    "RollupResult",
    "analytics_rollup",
    "daily_dir",
    "read_rollup_manifest",
    "rollup_files",
]
