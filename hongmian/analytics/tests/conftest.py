"""Helpers for the analytics tests: stores built by hand, row by row, and small generated
histories (a few thousand orders — enough for every section, quick to make)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from hongmian.analytics import store
from hongmian.analytics.history.generator import generate_history
from hongmian.analytics.history.profiles import build_profile, demo_unit_names
from hongmian.analytics.schema import COLUMN_NAMES, ORDER_SCHEMA, TZ, month_key

_BASE: dict[str, Any] = dict.fromkeys(COLUMN_NAMES)
_BASE.update(
    channel="phone",
    request_type="complaint",
    status="closed",
    is_enterprise=False,
    is_emergency=False,
    direct_answer=False,
    return_count=0,
    reopen_count=0,
    extension_count=0,
    callback_count=0,
    urge_count=0,
    supervision_count=0,
)

CATEGORIES = {
    "0301": ("03", "生态环境", "噪声扰民"),
    "0202": ("02", "水电气", "供电"),
    "1201": ("12", "政务服务", "办事指南"),
}
UNITS = {"gz-water": "广州市水务局", "gz-440106": "广州市天河区人民政府"}


def order(day: dt.date, seq: int, **values: Any) -> dict[str, Any]:
    """One hand-made order: created at 09:00 + seq minutes on `day`. `cat` picks one of
    CATEGORIES; `unit` / `first` pick UNITS (lead and first unit)."""
    row = dict(_BASE)
    created = dt.datetime.combine(day, dt.time(9), tzinfo=TZ) + dt.timedelta(minutes=seq)
    cat = values.pop("cat", "0301")
    l1, l1_name, l2_name = CATEGORIES[cat]
    unit = values.pop("unit", None)
    first = values.pop("first", unit)
    row.update(
        order_id=int(f"{day:%Y%m%d}{seq:03d}"),
        number=f"GZ-{day:%Y%m%d}-{seq:06d}",
        created_at=created,
        created_date=day,
        updated_at=created,
        category_l1_code=l1,
        category_l1_name=l1_name,
        category_l2_code=cat,
        category_l2_name=l2_name,
        category_l3_code=f"{cat}01",
        category_l3_name=f"{l2_name}其他",
        district_code="440106000",
        street_code="440106006",
        lead_unit_code=unit,
        lead_unit_name=UNITS.get(unit) if unit else None,
        first_unit_code=first,
        first_unit_name=UNITS.get(first) if first else None,
    )
    row.update(values)
    return row


def write_store(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A store holding exactly `rows`, partitioned by month like the real ones."""
    by_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_month[month_key(row["created_date"])].append(row)
    manifest = store.new_manifest("test")
    for key, month_rows in by_month.items():
        month_rows.sort(key=lambda r: r["created_at"])
        plain = pa.schema(
            [
                pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in ORDER_SCHEMA
            ]
        )
        table = pa.Table.from_pylist(month_rows, schema=plain)
        rows_written = store.write_partition(path, key, [table])
        manifest["partitions"][key] = {
            "file": str(store.partition_file(path, key).relative_to(path)),
            "rows": rows_written,
            "open": 0,
            "as_of": "2026-11-01T00:00:00+08:00",
        }
    store.write_manifest(path, manifest)
    return path


@pytest.fixture(scope="session")
def unit_names() -> dict[str, str]:
    return demo_unit_names()


@pytest.fixture(scope="session")
def small_history(tmp_path_factory: pytest.TempPathFactory, unit_names: dict[str, str]) -> Path:
    """2,000 generated orders from September 2025 to October 2026 (so that October 2026
    has a previous month and a same month last year), made once per test session."""
    out = tmp_path_factory.mktemp("history")
    generate_history(
        out=out,
        orders=2000,
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 10, 31),
        seed=7,
        workers=1,
        profile=build_profile(seed=7, unit_names=unit_names),
    )
    return out
