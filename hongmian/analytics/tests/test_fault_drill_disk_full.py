"""Fault drill (issue 16, item 6): the disk fills up during an analytics export.

The process's file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored, so a write past it fails
with EFBIG as a full disk fails with ENOSPC) is set between the size of a small month's
Parquet file and a big month's: the small month is written and recorded, the big one fails.
The export stops with `analytics.disk_full`; no partition is corrupt or half-published; with
room again the next run writes only what is missing."""

from __future__ import annotations

import datetime as dt
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hongmian.analytics.export import StoreFull, analytics_export
from hongmian.analytics.schema import TZ
from hongmian.analytics.store import partition_file, read_manifest
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 5, 12, tzinfo=TZ)
BIG = 1000


def _orders() -> None:
    one = WorkOrderFactory()
    WorkOrder.objects.filter(pk=one.pk).update(created_at=dt.datetime(2026, 8, 3, 9, tzinfo=TZ))
    template = WorkOrder.objects.get(pk=one.pk)
    clones = []
    for i in range(BIG):
        template.pk = None
        template.number = f"GZ20260904{i:06d}"
        clones.append(
            WorkOrder(
                **{f.attname: getattr(template, f.attname) for f in WorkOrder._meta.concrete_fields}
            )
        )
    WorkOrder.objects.bulk_create(clones)
    september = dt.datetime(2026, 9, 4, 9, tzinfo=TZ)
    WorkOrder.objects.exclude(pk=one.pk).update(created_at=september, updated_at=september)


@contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_full_disk_stops_the_export_cleanly_and_a_rerun_completes(tmp_path: Path) -> None:
    # Slow for a unit test (three exports of 1,001 orders: ≈ 5 s idle, 22 s at load 17): the
    # big month must outgrow the small one by enough to put a file-size limit between them.
    _orders()
    probe = tmp_path / "probe"
    analytics_export(out=probe, commit=True, now=NOW)
    small = partition_file(probe, "2026-08").stat().st_size
    big = partition_file(probe, "2026-09").stat().st_size
    assert big > small + 2048, (small, big)  # room for a limit between the two

    out = tmp_path / "store"
    with _file_size_limit((small + big) // 2), pytest.raises(StoreFull) as full:
        analytics_export(out=out, commit=True, now=NOW)
    assert full.value.code == "analytics.disk_full"
    assert "2026-08" in full.value.message

    # August is whole and recorded; September was never published, nor left behind.
    assert list(read_manifest(out)["partitions"]) == ["2026-08"]
    assert pq.read_table(partition_file(out, "2026-08")).num_rows == 1
    assert not partition_file(out, "2026-09").exists()
    assert not list(out.glob("**/.tmp-*"))

    resumed = analytics_export(out=out, commit=True, now=NOW + dt.timedelta(minutes=5))
    # September is written now (August again too: it holds an open order, which every run
    # re-exports).
    assert resumed.written["2026-09"] == BIG
    assert pq.read_table(partition_file(out, "2026-09")).num_rows == BIG
    assert sorted(read_manifest(out)["partitions"]) == ["2026-08", "2026-09"]
