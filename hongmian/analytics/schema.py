"""The one schema of the analytics store: a row per work order (工单), written by the export
(from the database) and by the history generator alike, so every pipeline reads either.

Layout (see docs/analytics.md): `<store>/month=YYYY-MM/part-0.parquet`, one file per month of
`created_at` in Beijing time, rows sorted by `created_at`; `<store>/_manifest.json` says what
was written when. Low-cardinality text is dictionary-encoded; the report reads only the
columns it needs (mostly codes and flags), never the timestamps.

Imported by spawned generator processes: keep it free of Django imports.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pyarrow as pa

SCHEMA_VERSION = 1
TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)

_TS = pa.timestamp("us", tz=TZ_NAME)
# Dictionary-typed in memory so that writing needs no hashing; Parquet stores a dictionary
# page plus small indices, and every engine reads the column back as plain text.
_DICT = pa.dictionary(pa.int32(), pa.string())

# (name, type, meaning). The order is the file's column order.
COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("order_id", pa.int64(), "work order primary key (generated histories: a sequence)"),
    ("number", pa.string(), "工单编号"),
    ("created_at", _TS, "受理时间, Beijing time"),
    ("created_date", pa.date32(), "受理日期 in Beijing time: the period and partition key"),
    ("channel", _DICT, "渠道 (hotline Channel value)"),
    ("request_type", _DICT, "诉求类型 (hotline RequestType value)"),
    ("category_l1_code", _DICT, "一级分类代码"),
    ("category_l1_name", _DICT, "一级分类名称"),
    ("category_l2_code", _DICT, "二级分类代码"),
    ("category_l2_name", _DICT, "二级分类名称"),
    ("category_l3_code", _DICT, "三级分类代码"),
    ("category_l3_name", _DICT, "三级分类名称"),
    ("district_code", _DICT, "区, 9-digit division code; null when the address was not found"),
    ("street_code", _DICT, "街镇, 9-digit division code"),
    ("lead_unit_code", _DICT, "主办单位 code (identity OrgUnit.code) at export time"),
    ("lead_unit_name", _DICT, "主办单位 name"),
    ("first_unit_code", _DICT, "首接单位: the first unit dispatched to; returns are its"),
    ("first_unit_name", _DICT, "首接单位 name"),
    ("status", _DICT, "状态 (hotline Status value) at export time"),
    ("dispatched_at", _TS, "派单时间 (the latest dispatch)"),
    ("acknowledged_at", _TS, "签收时间"),
    ("acknowledge_due_at", _TS, "签收时限 of the latest acknowledge clock"),
    ("resolution_due_at", _TS, "办结时限 of the latest resolution clock (extensions included)"),
    ("replied_at", _TS, "答复时间: the unit's 办结 reply, which stops the resolution clock"),
    ("closed_at", _TS, "办结时间 of the order (after the callback, or at a direct answer)"),
    ("close_reason", _DICT, "办结方式 (hotline CloseReason value)"),
    ("satisfaction", _DICT, "满意度 of the last callback: satisfied / basic / dissatisfied"),
    ("resolved", pa.bool_(), "已解决 as the caller said at the last callback"),
    ("is_enterprise", pa.bool_(), "涉企"),
    ("is_emergency", pa.bool_(), "应急 (emergency-zone tag)"),
    ("direct_answer", pa.bool_(), "直接答复: closed by the agent at intake"),
    (
        "acknowledged_on_time",
        pa.bool_(),
        "签收 by its due time; false when late or overdue at export; null when not dispatched "
        "or still within the limit",
    ),
    (
        "on_time",
        pa.bool_(),
        "replied by the resolution due time; false when late or overdue at export; null when "
        "not dispatched or still within the limit",
    ),
    ("return_count", pa.int16(), "退单次数"),
    ("reopen_count", pa.int16(), "重办次数"),
    ("extension_count", pa.int16(), "延期次数"),
    ("callback_count", pa.int16(), "回访次数"),
    ("urge_count", pa.int16(), "催办次数"),
    ("supervision_count", pa.int16(), "督办次数"),
    ("updated_at", _TS, "the latest change of the order or its handling rows"),
)

ORDER_SCHEMA = pa.schema(
    [pa.field(name, typ) for name, typ, _ in COLUMNS],
    metadata={"hongmian.schema_version": str(SCHEMA_VERSION)},
)
COLUMN_NAMES = tuple(name for name, _, _ in COLUMNS)
DICTIONARY_COLUMNS = tuple(name for name, typ, _ in COLUMNS if typ == _DICT)
TIMESTAMP_COLUMNS = tuple(name for name, typ, _ in COLUMNS if typ == _TS)

# Rows per row group: small enough that two cores get several groups of a month to scan in
# parallel and a week's filter skips most of a month by the created_date statistics, large
# enough that per-group overhead stays negligible.
ROW_GROUP_SIZE = 256 * 1024

# Sorted, nearly unique integers (ids, times) compress far better as deltas than as a failed
# dictionary; the order number is unique too (a dictionary of it is abandoned after its first
# megabyte, hashing for nothing); everything else keeps the default (dictionary, then plain).
_DELTA_COLUMNS = ("order_id", *TIMESTAMP_COLUMNS)
_PLAIN_COLUMNS = ("number",)
# Min/max statistics only where they let a reader skip row groups: rows are sorted by
# creation time, so only the columns that follow it are selective (a period filter, an order
# number). Every row group holds every district, unit and category, so their statistics
# would never skip one — and computing them was a fifth of the cost of writing a file.
STATISTICS_COLUMNS = ("order_id", "number", "created_at", "created_date")


def parquet_write_options() -> dict[str, object]:
    """Keyword arguments for `pyarrow.parquet.ParquetWriter` used by every writer."""
    return {
        # Snappy: every Parquet reader has it, and it costs less to write and to read than
        # zstd (level 1 costs a fifth more CPU to write), for files about a sixth larger.
        "compression": "snappy",
        "use_dictionary": [
            c for c in COLUMN_NAMES if c not in _DELTA_COLUMNS and c not in _PLAIN_COLUMNS
        ],
        "column_encoding": dict.fromkeys(_DELTA_COLUMNS, "DELTA_BINARY_PACKED"),
        "write_statistics": list(STATISTICS_COLUMNS),
        "version": "2.6",
        # Larger write batches cut the per-batch overhead of the column writers by a fifth.
        "write_batch_size": 64 * 1024,
    }


def month_key(day: dt.date) -> str:
    """The partition a day belongs to: "2026-10"."""
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(key: str) -> tuple[dt.date, dt.date]:
    """First day of the month and first day of the next."""
    year, month = (int(p) for p in key.split("-"))
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def months_between(start: dt.date, end: dt.date) -> list[str]:
    """Partition keys that cover the days start … end (inclusive)."""
    keys: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = year + (month == 12), month % 12 + 1
    return keys


__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "DICTIONARY_COLUMNS",
    "ORDER_SCHEMA",
    "ROW_GROUP_SIZE",
    "SCHEMA_VERSION",
    "STATISTICS_COLUMNS",
    "TIMESTAMP_COLUMNS",
    "TZ",
    "TZ_NAME",
    "month_bounds",
    "month_key",
    "months_between",
    "parquet_write_options",
]
