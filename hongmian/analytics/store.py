"""The analytics store on disk: month partitions of Parquet and the manifest that says which
partitions are complete.

Every file is written under a temporary name in its final folder, flushed to disk and then
renamed over the old one (`os.replace` is atomic on POSIX), so a reader — or a crash — sees
the old partition or the new one, never half of one. The manifest is replaced the same way
after each partition, so a crash loses at most the partition that was being written, and the
next run redoes exactly that (see export.py). Writers hold an exclusive lock on
`<store>/.lock` so that two exports never interleave.

Imported by spawned generator processes: keep it free of Django imports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.utils.translation import gettext

from hongmian.analytics.schema import (
    ORDER_SCHEMA,
    ROW_GROUP_SIZE,
    SCHEMA_VERSION,
    parquet_write_options,
)
from hongmian.core.errors import Conflict, NotFound

MANIFEST = "_manifest.json"
STORE_FORMAT = "hongmian.analytics.store"
PART_FILE = "part-0.parquet"
# Temporary files start with a dot: Spark and DuckDB globs skip them, and a crashed run's
# leftovers are recognised and removed by the next writer.
_TMP_PREFIX = ".tmp-"


def partition_dir(store: Path, key: str) -> Path:
    return store / f"month={key}"


def partition_file(store: Path, key: str) -> Path:
    return partition_dir(store, key) / PART_FILE


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tmp_name(final: Path) -> Path:
    return final.with_name(f"{_TMP_PREFIX}{uuid.uuid4().hex}-{final.name}")


def atomic_write_bytes(final: Path, data: bytes) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(final)
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    _fsync_dir(final.parent)


def write_partition(
    store: Path,
    key: str,
    batches: Iterable[pa.RecordBatch | pa.Table],
    *,
    durable: bool = True,
) -> int:
    """Write one month's rows (already sorted by created_at) and publish the file atomically.
    Returns the number of rows. Batches are cast to ORDER_SCHEMA, so a writer may hand over
    plain strings where the schema has dictionaries. `durable=False` skips the flushes to
    disk (the rename stays atomic): for data that can simply be made again."""
    return write_parquet(
        partition_file(store, key),
        batches,
        schema=ORDER_SCHEMA,
        options=parquet_write_options(),
        row_group_size=ROW_GROUP_SIZE,
        durable=durable,
    )


def write_parquet(
    final: Path,
    batches: Iterable[pa.RecordBatch | pa.Table],
    *,
    schema: pa.Schema,
    options: dict[str, object] | None = None,
    row_group_size: int = ROW_GROUP_SIZE,
    durable: bool = True,
) -> int:
    """The one Parquet writer: `batches` cast to `schema` (their columns chosen by its names)
    into a temporary file beside `final`, flushed, then renamed over it. Returns the rows."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(final)
    rows = 0
    names = list(schema.names)
    try:
        with pq.ParquetWriter(tmp, schema, **(options or {"compression": "snappy"})) as writer:
            for batch in batches:
                table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
                table = table.select(names).cast(schema)
                writer.write_table(table, row_group_size=row_group_size)
                rows += table.num_rows
        if durable:
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, final)
        if durable:
            _fsync_dir(final.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return rows


def remove_partition(store: Path, key: str) -> None:
    final = partition_file(store, key)
    final.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        final.parent.rmdir()


def clean_temporaries(store: Path) -> int:
    """Remove what a crashed writer left behind. Call with the store lock held."""
    removed = 0
    for tmp in store.glob(f"**/{_TMP_PREFIX}*"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed


@contextlib.contextmanager
def locked(store: Path) -> Iterator[None]:
    """Hold the store's writer lock; a second writer fails at once instead of waiting."""
    store.mkdir(parents=True, exist_ok=True)
    with (store / ".lock").open("a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                gettext("另一个进程正在写入分析库 %(store)s，请稍后再试") % {"store": store},
                code="analytics.store_busy",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# --- manifest ----------------------------------------------------------------------------


def new_manifest(source: str) -> dict[str, Any]:
    return {
        "format": STORE_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "source": source,
        "partitions": {},
    }


def read_manifest(store: Path) -> dict[str, Any] | None:
    """The manifest, or None when the folder holds no store yet."""
    path = store / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Conflict(
            gettext("分析库清单已损坏：%(path)s（%(exc)s）") % {"path": path, "exc": exc},
            code="analytics.corrupt_store",
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
        raise Conflict(
            gettext("%(path)s 不是红棉分析库的清单") % {"path": path},
            code="analytics.corrupt_store",
        )
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise Conflict(
            gettext(
                "分析库 %(store)s 的结构版本为 %(value1)s，"
                "本程序需要 %(SCHEMA_VERSION)s：请重新导出或重新生成"
            )
            % {
                "store": store,
                "value1": manifest.get("schema_version"),
                "SCHEMA_VERSION": SCHEMA_VERSION,
            },
            code="analytics.schema_mismatch",
        )
    return manifest


def write_manifest(store: Path, manifest: dict[str, Any]) -> None:
    manifest["updated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest["partitions"] = dict(sorted(manifest["partitions"].items()))
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(store / MANIFEST, data)


def require_manifest(store: Path) -> dict[str, Any]:
    if not store.is_dir():
        raise NotFound(
            gettext("分析库目录不存在：%(store)s") % {"store": store}, code="analytics.no_store"
        )
    manifest = read_manifest(store)
    if manifest is None:
        raise NotFound(
            gettext(
                "%(store)s 不是分析库（缺少 %(MANIFEST)s）："
                "先运行 hongmian analytics export 或 hongmian history generate"
            )
            % {"store": store, "MANIFEST": MANIFEST},
            code="analytics.no_store",
        )
    return manifest


def checked_files(store: Path, keys: Iterable[str], columns: Iterable[str]) -> list[Path]:
    """The files of the partitions among `keys` that the manifest lists, each checked to be a
    readable Parquet file with the `columns` the caller will read. A missing, truncated or
    foreign file is a clear error naming it, before any engine starts on it."""
    manifest = require_manifest(store)
    listed = manifest["partitions"]
    wanted = list(columns)
    files: list[Path] = []
    for key in keys:
        if key not in listed:
            continue
        path = store / listed[key]["file"]
        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException) as exc:
            raise Conflict(
                gettext("分析库文件损坏或无法读取：%(path)s（%(exc)s）。请重新导出该月份")
                % {"path": path, "exc": exc},
                code="analytics.corrupt_store",
                fields={"file": [str(path)]},
            ) from None
        missing = [c for c in wanted if c not in schema.names]
        if missing:
            raise Conflict(
                gettext("分析库文件 %(path)s 缺少列：%(value1)s")
                % {"path": path, "value1": ", ".join(missing)},
                code="analytics.corrupt_store",
                fields={"file": [str(path)]},
            )
        files.append(path)
    return files


__all__ = [
    "MANIFEST",
    "atomic_write_bytes",
    "checked_files",
    "clean_temporaries",
    "locked",
    "new_manifest",
    "partition_dir",
    "partition_file",
    "read_manifest",
    "remove_partition",
    "require_manifest",
    "write_manifest",
    "write_parquet",
    "write_partition",
]
