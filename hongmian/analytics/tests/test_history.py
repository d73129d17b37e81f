"""The synthetic history generator: same schema and layout as the export, deterministic for
a seed, and shaped like a hotline (direct answers, seasons, units of differing quality)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from hongmian.analytics.history.generator import build_month, generate_history, plan
from hongmian.analytics.history.profiles import build_profile
from hongmian.analytics.schema import ORDER_SCHEMA
from hongmian.analytics.store import partition_file, read_manifest
from hongmian.core.errors import ApplicationError


def _read(path: Path):
    return ds.dataset(path, format="parquet", exclude_invalid_files=True).to_table()


def test_store_layout_schema_and_manifest(small_history: Path) -> None:
    manifest = read_manifest(small_history)
    assert manifest is not None
    assert manifest["source"] == "history"
    assert sorted(manifest["partitions"])[0] == "2025-09"
    assert sorted(manifest["partitions"])[-1] == "2026-10"
    assert sum(p["rows"] for p in manifest["partitions"].values()) == 2000
    oct_file = partition_file(small_history, "2026-10")
    assert pq.read_schema(oct_file).remove_metadata().equals(ORDER_SCHEMA.remove_metadata())
    table = pq.read_table(oct_file)
    # Sorted by creation time, every order in its month, numbers unique.
    created = table.column("created_at").to_pylist()
    assert created == sorted(created)
    days = table.column("created_date").to_pylist()
    assert min(days) >= dt.date(2026, 10, 1)
    assert max(days) <= dt.date(2026, 10, 31)
    assert pc.count_distinct(table.column("number")).as_py() == table.num_rows


def test_orders_behave_like_a_hotline(small_history: Path) -> None:
    t = _read(small_history)
    n = t.num_rows
    direct = t.filter(pc.field("direct_answer"))
    inquiries = t.filter(pc.field("request_type") == "inquiry")
    # Most inquiries are answered on the spot; a direct answer is never dispatched.
    share = direct.filter(pc.field("request_type") == "inquiry").num_rows / inquiries.num_rows
    assert 0.7 < share < 0.97
    assert direct.filter(pc.field("lead_unit_code").is_valid()).num_rows == 0
    dispatched = t.filter(pc.field("lead_unit_code").is_valid())
    assert dispatched.num_rows > n * 0.5
    # A satisfaction answer only after a callback; the tags exist but are a minority.
    answered = t.filter(pc.field("satisfaction").is_valid())
    assert pc.min(answered.column("callback_count")).as_py() >= 1
    assert 0 < t.filter(pc.field("is_enterprise")).num_rows < n * 0.3
    # Orders of the last days are still open at the history's end.
    last = t.filter(pc.field("created_date") >= dt.date(2026, 10, 29))
    still_open = {"received", "dispatched", "acknowledged", "replied"}
    assert set(last.column("status").to_pylist()) & still_open
    assert set(t.column("status").unique().to_pylist()) >= {"archived", "closed"}
    # Every district shows up, by population: 白云 (the most populous) beats 从化.
    districts = t.group_by("district_code").aggregate([("order_id", "count")]).to_pydict()
    counts = dict(zip(districts["district_code"], districts["order_id_count"], strict=True))
    assert counts["440111000"] > counts["440117000"]


def test_same_seed_same_history_different_seed_different(unit_names: dict[str, str]) -> None:
    args = {"orders": 3000, "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}
    profile = build_profile(seed=1, unit_names=unit_names)
    jobs_a, surges_a, _ = plan(profile=profile, seed=1, **args)
    jobs_b, surges_b, _ = plan(profile=profile, seed=1, **args)
    jobs_c, _, _ = plan(profile=profile, seed=2, **args)
    assert surges_a == surges_b
    a = build_month(jobs_a[1], profile)
    assert a.equals(build_month(jobs_b[1], profile))
    assert not a.equals(build_month(jobs_c[1], profile))
    assert sum(int(j.counts.sum()) for j in jobs_a) == 3000


def test_parallel_workers_write_the_same_files(tmp_path: Path, unit_names: dict[str, str]) -> None:
    args = {
        "orders": 1500,
        "start": dt.date(2026, 8, 1),
        "end": dt.date(2026, 10, 31),
        "seed": 3,
        "profile": build_profile(seed=3, unit_names=unit_names),
    }
    one = generate_history(out=tmp_path / "one", workers=1, **args)
    two = generate_history(out=tmp_path / "two", workers=2, **args)
    assert one.rows == two.rows == 1500
    assert _read(tmp_path / "one").equals(_read(tmp_path / "two"))


def test_refuses_to_overwrite_a_store(small_history: Path) -> None:
    with pytest.raises(ApplicationError) as err:
        generate_history(
            out=small_history, orders=10, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 2)
        )
    assert err.value.code == "analytics.store_exists"


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as err:
        generate_history(
            out=tmp_path, orders=10, start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1)
        )
    assert err.value.code == "analytics.empty_period"
    with pytest.raises(ApplicationError) as err:
        generate_history(
            out=tmp_path, orders=-1, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 1)
        )
    assert err.value.code == "analytics.bad_orders"
