"""Ingestion's two halves that need no database: checking every row of an extract against
a Table Schema (tableschema.py), and merging the good rows into a dataset's Parquet file by
primary key with Ibis over DuckDB, written by the analytics store's one writer
(analytics/store.py: temporary file, fsync, atomic rename).

The service (services/ingestion.py) adds the catalogue, the run record and the audit; the
benchmark (bench/datahub/ingest.py) calls these directly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.utils.translation import gettext

from hongmian.analytics.engines import duckdb_connect
from hongmian.analytics.store import atomic_write_bytes, write_parquet
from hongmian.core.errors import ValidationFailed
from hongmian.datahub.tableschema import CellError, TableSchema

# Rows per Parquet row group and per batch handed from DuckDB to the writer.
ROW_GROUP = 128 * 1024


@dataclass(frozen=True, slots=True)
class Extract:
    """What a connector hands over: a name for messages, the columns, and the rows as
    (row number as a person counts it, values by column)."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[tuple[int, Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class Reject:
    row: int
    field: str
    code: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "reason": self.reason}


@dataclass(slots=True)
class FieldCounts:
    present: int = 0  # cells not missing
    valid: int = 0  # of those, cells that fit the type and the constraints


@dataclass(slots=True)
class Checked:
    rows_read: int = 0
    rows_rejected: int = 0
    duplicates: int = 0
    rejects: list[Reject] = field(default_factory=list)
    counts: dict[str, FieldCounts] = field(default_factory=dict)
    table: pa.Table | None = None  # the good rows


class HeaderMismatch(ValidationFailed):
    default_code = "datahub.header_mismatch"


def check_header(schema: TableSchema, extract: Extract) -> None:
    """The columns must be the schema's fields (any order): a missing column or an unknown
    one means the source changed its schema, and nothing of it is loaded."""
    have = [c for c in extract.columns if c]
    if not have:
        return  # a source with no records at all (an empty REST page): nothing to compare
    missing = [n for n in schema.names if n not in have]
    unexpected = [c for c in have if c not in schema.names]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(gettext("缺少列：%(names)s") % {"names": "、".join(missing)})
        if unexpected:
            parts.append(gettext("多出列：%(names)s") % {"names": "、".join(unexpected)})
        message = gettext("%(name)s 的表头与表结构不符（%(parts)s）") % {
            "name": extract.name,
            "parts": "；".join(parts),
        }
        raise HeaderMismatch(
            message,
            code="datahub.header_mismatch",
            fields={"missing": missing, "unexpected": unexpected},
        )


# Returns the key tuples present in a referenced dataset: (resource code, its fields).
KeyLookup = Callable[[str, tuple[str, ...]], set[tuple[Any, ...]]]


def check_rows(
    schema: TableSchema, extract: Extract, *, dataset_code: str, keys_of: KeyLookup
) -> Checked:
    """Check EVERY row: each bad cell is a Reject (row, field, code, reason) and its row is
    left out; a second row with a primary key already seen in the file is rejected
    (datahub.duplicate_key), as is a row whose foreign key names no row of the referenced
    dataset (datahub.foreign_key). The good rows become one Arrow table."""
    check_header(schema, extract)
    fields = schema.fields
    names = [f.name for f in fields]
    missing = schema.missing_values
    required = [f.required or f.name in schema.primary_key for f in fields]
    casts = [f.cast for f in fields]
    pk_index = [names.index(n) for n in schema.primary_key]
    unique_index = [
        i for i, f in enumerate(fields) if f.unique and f.name not in schema.primary_key
    ]
    unique_seen: dict[int, dict[Any, int]] = {i: {} for i in unique_index}
    counts = [FieldCounts() for _ in fields]
    columns: list[list[Any]] = [[] for _ in fields]
    lines: list[int] = []
    seen: dict[tuple[Any, ...], int] = {}
    out = Checked()
    rejects = out.rejects
    pk_label = "+".join(schema.primary_key)
    for line, values in extract.rows:
        out.rows_read += 1
        row: list[Any] = []
        bad = False
        for i, name in enumerate(names):
            value = values.get(name)
            if value is None or (value.__class__ is str and value in missing):
                if required[i]:
                    rejects.append(
                        Reject(line, name, "datahub.constraint.required", gettext("必填项为空"))
                    )
                    bad = True
                row.append(None)
                continue
            counts[i].present += 1
            try:
                cast = casts[i](value)
            except CellError as exc:
                rejects.append(Reject(line, name, exc.code, exc.reason))
                bad = True
                row.append(None)
                continue
            counts[i].valid += 1
            row.append(cast)
        if not bad and pk_index:
            key = tuple(row[i] for i in pk_index)
            first = seen.get(key)
            if first is not None:
                out.duplicates += 1
                rejects.append(
                    Reject(
                        line,
                        pk_label,
                        "datahub.duplicate_key",
                        gettext("主键与第 %(row)s 行重复") % {"row": first},
                    )
                )
                bad = True
            else:
                seen[key] = line
        for i in unique_index:
            if bad or row[i] is None:
                continue
            first = unique_seen[i].get(row[i])
            if first is not None:
                rejects.append(
                    Reject(
                        line,
                        names[i],
                        "datahub.constraint.unique",
                        gettext("与第 %(row)s 行的值重复") % {"row": first},
                    )
                )
                bad = True
            else:
                unique_seen[i][row[i]] = line
        if bad:
            out.rows_rejected += 1
            continue
        lines.append(line)
        for i, value in enumerate(row):
            columns[i].append(value)
    del seen
    keep = _foreign_keys(schema, names, columns, lines, dataset_code, keys_of, out)
    arrays = [pa.array(col, type=f.arrow_type) for col, f in zip(columns, fields, strict=True)]
    table = pa.Table.from_arrays(arrays, schema=schema.arrow_schema())
    if keep is not None:
        table = table.filter(pa.array(keep, type=pa.bool_()))
    out.table = table
    out.counts = dict(zip(names, counts, strict=True))
    out.rejects.sort(key=lambda r: r.row)
    return out


def _foreign_keys(
    schema: TableSchema,
    names: list[str],
    columns: list[list[Any]],
    lines: list[int],
    dataset_code: str,
    keys_of: KeyLookup,
    out: Checked,
) -> list[bool] | None:
    if not schema.foreign_keys or not lines:
        return None
    keep = [True] * len(lines)
    for fk in schema.foreign_keys:
        local = [columns[names.index(n)] for n in fk.fields]
        if fk.resource in ("", dataset_code):
            ref = [columns[names.index(n)] for n in fk.reference]
            known = set(zip(*ref, strict=True)) | keys_of(dataset_code, fk.reference)
        else:
            known = keys_of(fk.resource, fk.reference)
        label = "+".join(fk.fields)
        for j, key in enumerate(zip(*local, strict=True)):
            if not keep[j] or any(k is None for k in key) or key in known:
                continue
            keep[j] = False
            out.rows_rejected += 1
            out.rejects.append(
                Reject(
                    lines[j],
                    label,
                    "datahub.foreign_key",
                    gettext("在 %(resource)s 中找不到 %(key)s")
                    % {
                        "resource": fk.resource or dataset_code,
                        "key": "、".join(str(k) for k in key),
                    },
                )
            )
    return keep


def stored_keys(path: Path, fields: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """The key tuples of the rows in the Parquet file `path` (none when it does not exist)."""
    if not path.exists():
        return set()
    table = pq.read_table(path, columns=list(fields))
    return set(zip(*(table.column(n).to_pylist() for n in fields), strict=True))


@dataclass(frozen=True, slots=True)
class Merged:
    inserted: int
    updated: int
    total: int


def merge(path: Path, incoming: pa.Table, primary_key: tuple[str, ...]) -> Merged:
    """Upsert `incoming` into the Parquet file `path` by `primary_key`: new keys are added,
    rows whose values changed replace the stored ones, identical rows change nothing (and
    when nothing changes the file is not rewritten at all). The new file is sorted by key."""
    key = list(primary_key)
    schema = incoming.schema
    con = duckdb_connect(memory_limit="1GB")
    try:
        new = ibis.memtable(incoming)
        if not path.exists():
            if incoming.num_rows == 0:
                return Merged(0, 0, 0)
            table = con.to_pyarrow(new.order_by(key))
            total = write_parquet(path, [table], schema=schema, row_group_size=ROW_GROUP)
            return Merged(incoming.num_rows, 0, total)
        old = con.read_parquet(str(path))
        old_rows = int(con.execute(old.count()))
        inserted = int(con.execute(new.anti_join(old, key).count()))
        others = [n for n in schema.names if n not in primary_key]
        updated = 0
        if others:
            joined = new.inner_join(old, key)
            changed = ibis.or_(*[~joined[n].identical_to(joined[f"{n}_right"]) for n in others])
            updated = int(con.execute(joined.filter(changed).count()))
        if inserted == 0 and updated == 0:
            return Merged(0, 0, old_rows)
        result = old.anti_join(new, key).union(new).order_by(key)
        # Whole, not in batches: Ibis 12's batch reader does not run on DuckDB 2.0.
        table = con.to_pyarrow(result)
        total = write_parquet(path, [table], schema=schema, row_group_size=ROW_GROUP)
        return Merged(inserted, updated, total)
    finally:
        con.disconnect()


def field_quality(checked: Checked) -> dict[str, dict[str, float]]:
    """Per field: completeness (cells present / rows read), validity (valid / present) and
    uniqueness (distinct / present, among the rows loaded)."""
    table = checked.table
    read = checked.rows_read or 1
    result: dict[str, dict[str, float]] = {}
    for name, counts in checked.counts.items():
        uniqueness = 1.0
        if table is not None and table.num_rows:
            column = table.column(name)
            present = len(column) - column.null_count
            if present:
                uniqueness = pc.count_distinct(column).as_py() / present
        result[name] = {
            "completeness": round(counts.present / read, 4),
            "validity": round(counts.valid / counts.present, 4) if counts.present else 1.0,
            "uniqueness": round(uniqueness, 4),
        }
    return result


def rejects_csv(rejects: list[Reject]) -> bytes:
    """The rejects file: row, field, code, reason (UTF-8 with BOM, which Excel opens)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "field", "code", "reason"])
    for r in rejects:
        writer.writerow([r.row, r.field, r.code, r.reason])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_rejects(path: Path, rejects: list[Reject]) -> None:
    atomic_write_bytes(path, rejects_csv(rejects))
