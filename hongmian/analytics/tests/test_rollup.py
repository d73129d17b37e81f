"""The daily rollup: a dry run by default, the raw figures exactly (sums of the same counts),
and incremental — only months whose partition is new or was rewritten are aggregated again."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from hongmian.analytics import store as store_mod
from hongmian.analytics.pipelines.figures import MEASURE_KEYS
from hongmian.analytics.pipelines.rollup import (
    ROLLUP_SCHEMA,
    analytics_rollup,
    daily_dir,
    read_rollup_manifest,
    rollup_files,
)


@pytest.fixture
def history(small_history: Path, tmp_path: Path) -> Path:
    # A copy: the session's history is read whole by other tests (a dataset of the folder).
    return Path(shutil.copytree(small_history, tmp_path / "store"))


def _raw(store: Path, sql: str) -> list[tuple]:
    files = [str(store / p["file"]) for p in store_mod.read_manifest(store)["partitions"].values()]
    con = duckdb.connect()
    return con.execute(sql.replace("SOURCE", f"read_parquet({files!r})")).fetchall()


def test_dry_run_writes_nothing(history: Path) -> None:
    result = analytics_rollup(store=history)
    months = store_mod.read_manifest(history)["partitions"]
    assert result.plan == dict.fromkeys(sorted(months), "new")
    assert result.written == {}
    assert not daily_dir(history).exists()


def test_rollup_gives_the_raw_figures(history: Path) -> None:
    result = analytics_rollup(store=history, commit=True)

    assert set(result.written) == set(store_mod.read_manifest(history)["partitions"])
    files = rollup_files(history)
    assert pq.read_schema(files[0]).remove_metadata().equals(ROLLUP_SCHEMA.remove_metadata())
    rolled = pq.ParquetDataset(files).read()
    assert rolled.num_rows < 2000  # fewer rows than orders, even on a tiny history
    assert sum(rolled["total"].to_pylist()) == 2000
    # Per day: the order count, the satisfaction counts and the on-time counts.
    by_day: dict[str, list[int]] = {}
    for row in rolled.to_pylist():
        day = by_day.setdefault(str(row["created_date"]), [0, 0, 0, 0])
        for i, k in enumerate(("total", "satisfied", "satisfaction_known", "on_time")):
            day[i] += row[k]
    raw = _raw(
        history,
        "SELECT created_date::VARCHAR, count(*), "
        "count(*) FILTER (satisfaction IN ('satisfied', 'basic')), count(satisfaction), "
        "count(*) FILTER (on_time) FROM SOURCE GROUP BY 1",
    )
    assert by_day == {d: [t, s, k, o] for d, t, s, k, o in raw}
    # Every measure, by district, over the whole history.
    sums = {k: sum(rolled[k].to_pylist()) for k in MEASURE_KEYS}
    assert (
        sums["enterprise"]
        == _raw(history, "SELECT count(*) FILTER (is_enterprise) FROM SOURCE")[0][0]
    )
    assert sums["dispatched"] == _raw(history, "SELECT count(lead_unit_code) FROM SOURCE")[0][0]
    districts = _raw(history, "SELECT district_code, count(*) FROM SOURCE GROUP BY 1")
    rolled_districts: dict[str | None, int] = {}
    for row in rolled.select(["district_code", "total"]).to_pylist():
        code = row["district_code"]
        rolled_districts[code] = rolled_districts.get(code, 0) + row["total"]
    assert rolled_districts == dict(districts)


def test_only_rewritten_months_are_aggregated_again(history: Path) -> None:
    analytics_rollup(store=history, commit=True)
    assert analytics_rollup(store=history).plan == {}

    manifest = store_mod.read_manifest(history)
    keys = sorted(manifest["partitions"])
    manifest["partitions"][keys[-1]]["as_of"] = "2026-11-30T00:00:00+00:00"  # rewritten
    dropped = manifest["partitions"].pop(keys[0])  # its orders are gone
    store_mod.write_manifest(history, manifest)

    result = analytics_rollup(store=history, commit=True)

    assert result.plan == {keys[0]: "removed", keys[-1]: "changed"}
    assert list(result.written) == [keys[-1]]
    months = read_rollup_manifest(history)["months"]
    assert keys[0] not in months
    assert not (history / dropped["file"].replace("month=", "daily/month=")).exists()
    assert months[keys[-1]]["source_as_of"] == "2026-11-30T00:00:00+00:00"


def test_command(history: Path) -> None:
    out = StringIO()
    call_command("analytics", "rollup", "--store", str(history), stdout=out)
    assert "预演" in out.getvalue()
    call_command("analytics", "rollup", "--store", str(history), "--commit", stdout=out)
    assert "已汇总 14 个月份" in out.getvalue()
    call_command("analytics", "rollup", "--store", str(history), stdout=out)
    assert "每日汇总已是最新" in out.getvalue()
    listing = StringIO()
    call_command("analytics", "pipelines", stdout=listing)
    assert "rollup: 每日汇总" in listing.getvalue()
    assert json.loads((daily_dir(history) / "_manifest.json").read_text())["months"]
