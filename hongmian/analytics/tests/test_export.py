"""The export from the database: what lands in Parquet, dry runs, idempotency, re-export
of changed months, and resuming after a crash half-way."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from hongmian.analytics import export as export_mod
from hongmian.analytics.export import analytics_export
from hongmian.analytics.schema import TZ
from hongmian.analytics.store import partition_file, read_manifest
from hongmian.core.errors import ApplicationError
from hongmian.hotline.models import Callback, SlaClock, Supervision, WorkOrder
from hongmian.hotline.states import ClockKind, CloseReason, Status, SupervisionKind
from hongmian.hotline.tests.factories import (
    CallbackFactory,
    CategoryFactory,
    SlaClockFactory,
    SupervisionFactory,
    WorkOrderFactory,
)
from hongmian.identity.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


NOW = at(2026, 11, 5, 12)


def _stamp(order: WorkOrder, created: dt.datetime, updated: dt.datetime | None = None) -> None:
    # created_at / updated_at are automatic on save; a queryset update sets them as given.
    WorkOrder.objects.filter(pk=order.pk).update(created_at=created, updated_at=updated or created)


@pytest.fixture
def orders() -> dict[str, WorkOrder]:
    water = OrgUnitFactory(code="gz-water", name="广州市水务局")
    district = OrgUnitFactory(code="gz-440106", name="广州市天河区人民政府")
    l1 = CategoryFactory(code="02", name="水电气")
    l2 = CategoryFactory(code="0201", name="供水", parent=l1)
    l3 = CategoryFactory(code="020101", name="停水", parent=l2)

    # September: closed after a satisfied callback, urged once, returned by the district.
    closed = WorkOrderFactory(
        replied=True,
        lead_unit=water,
        first_unit=district,
        category=l3,
        status=Status.CLOSED,
        close_reason=CloseReason.CALLBACK,
        closed_at=at(2026, 9, 10, 9),
        satisfaction="satisfied",
        resolved=True,
        return_count=1,
        is_enterprise=True,
    )
    SlaClockFactory(
        order=closed,
        kind=ClockKind.ACKNOWLEDGE,
        started_at=at(2026, 9, 1, 9),
        due_at=at(2026, 9, 2, 9),
        stopped_at=at(2026, 9, 1, 15),
    )
    SlaClockFactory(
        order=closed,
        kind=ClockKind.RESOLUTION,
        started_at=at(2026, 9, 1, 9),
        due_at=at(2026, 9, 6, 9),
        stopped_at=at(2026, 9, 8, 9),  # replied two days late
    )
    CallbackFactory(order=closed)
    SupervisionFactory(order=closed, kind=SupervisionKind.URGE, unit=water)
    # September: answered on the spot; a level-2 category.
    direct = WorkOrderFactory(
        request_type="inquiry",
        category=l2,
        status=Status.CLOSED,
        close_reason=CloseReason.DIRECT_ANSWER,
        closed_at=at(2026, 9, 20, 10),
        district_code="",
        street_code="",
    )
    # 31 October 23:30 Beijing time (15:30 UTC): October's, though UTC is still the 31st.
    late_oct = WorkOrderFactory(acknowledged=True, lead_unit=water, category=l3)
    SlaClockFactory(
        order=late_oct,
        kind=ClockKind.ACKNOWLEDGE,
        started_at=at(2026, 10, 31, 23, 40),
        due_at=at(2026, 11, 1, 23, 40),
        stopped_at=at(2026, 11, 1, 9),
    )
    SlaClockFactory(
        order=late_oct,
        kind=ClockKind.RESOLUTION,
        started_at=at(2026, 10, 31, 23, 40),
        due_at=at(2026, 11, 4, 23, 40),  # overdue by NOW, not yet replied
    )
    # 1 November 00:30 Beijing time (16:30 UTC on 31 October): November's.
    november = WorkOrderFactory(dispatched=True, lead_unit=district, category=l2)
    SlaClockFactory(
        order=november,
        kind=ClockKind.ACKNOWLEDGE,
        started_at=at(2026, 11, 5, 11),
        due_at=at(2026, 11, 6, 11),  # still within the limit at NOW
    )
    # Handling rows were last touched before NOW (their own updated_at says "now" otherwise).
    for model in (Callback, Supervision, SlaClock):
        model.objects.update(updated_at=at(2026, 11, 1, 9))
    _stamp(closed, at(2026, 9, 1, 8), at(2026, 9, 10, 9))
    _stamp(direct, at(2026, 9, 20, 10))
    _stamp(late_oct, at(2026, 10, 31, 23, 30), at(2026, 11, 1, 9))
    _stamp(november, at(2026, 11, 1, 0, 30), at(2026, 11, 5, 11))
    return {"closed": closed, "direct": direct, "late_oct": late_oct, "november": november}


def _rows(store: Path, key: str) -> dict[str, dict]:
    return {r["number"]: r for r in pq.read_table(partition_file(store, key)).to_pylist()}


def test_dry_run_plans_and_writes_nothing(tmp_path: Path, orders: dict) -> None:
    out = tmp_path / "store"
    result = analytics_export(out=out, commit=False, now=NOW)
    assert [(m.key, m.reason, m.rows) for m in result.plan] == [
        ("2026-09", "new", 2),
        ("2026-10", "new", 1),
        ("2026-11", "new", 1),
    ]
    assert not out.exists()


def test_rows_in_parquet(tmp_path: Path, orders: dict) -> None:
    out = tmp_path / "store"
    result = analytics_export(out=out, commit=True, now=NOW)
    assert result.written == {"2026-09": 2, "2026-10": 1, "2026-11": 1}
    sept = _rows(out, "2026-09")
    closed = sept[orders["closed"].number]
    assert closed["created_at"] == at(2026, 9, 1, 8)
    assert closed["created_date"] == dt.date(2026, 9, 1)
    assert (closed["category_l1_code"], closed["category_l2_name"], closed["category_l3_name"]) == (
        "02",
        "供水",
        "停水",
    )
    assert (closed["lead_unit_code"], closed["first_unit_code"]) == ("gz-water", "gz-440106")
    assert closed["acknowledged_on_time"] is True
    assert closed["on_time"] is False  # replied after the resolution clock's due time
    assert closed["resolution_due_at"] == at(2026, 9, 6, 9)
    assert (closed["callback_count"], closed["urge_count"], closed["supervision_count"]) == (
        1,
        1,
        0,
    )
    assert (closed["satisfaction"], closed["resolved"], closed["return_count"]) == (
        "satisfied",
        True,
        1,
    )
    assert closed["is_enterprise"] is True
    assert closed["direct_answer"] is False
    direct = sept[orders["direct"].number]
    assert direct["direct_answer"] is True
    assert (direct["category_l1_code"], direct["category_l2_code"]) == ("02", "0201")
    assert direct["category_l3_code"] is None
    assert direct["district_code"] is None
    assert direct["lead_unit_code"] is None
    assert direct["on_time"] is None
    # The Beijing-time month decides the partition.
    late = _rows(out, "2026-10")[orders["late_oct"].number]
    assert late["created_date"] == dt.date(2026, 10, 31)
    assert late["acknowledged_on_time"] is True
    assert late["on_time"] is False  # overdue and still not replied
    nov = _rows(out, "2026-11")[orders["november"].number]
    assert nov["acknowledged_on_time"] is None  # not acknowledged, not yet due
    manifest = read_manifest(out)
    assert manifest["partitions"]["2026-09"] == {
        "file": "month=2026-09/part-0.parquet",
        "rows": 2,
        "open": 0,
        "as_of": NOW.isoformat(),
    }
    assert manifest["partitions"]["2026-10"]["open"] == 1


def test_rerun_is_idempotent_and_rewrites_only_what_can_change(
    tmp_path: Path, orders: dict
) -> None:
    out = tmp_path / "store"
    analytics_export(out=out, commit=True, now=NOW)
    again = analytics_export(out=out, commit=True, now=NOW + dt.timedelta(hours=1))
    # September is closed and untouched; October and November hold open orders.
    assert again.unchanged == ["2026-09"]
    assert [(m.key, m.reason) for m in again.plan] == [("2026-10", "open"), ("2026-11", "open")]
    total = sum(
        pq.read_metadata(partition_file(out, k)).num_rows for k in ("2026-09", "2026-10", "2026-11")
    )
    assert total == 4  # nothing duplicated
    # An edit to a September order makes September stale again.
    later = NOW + dt.timedelta(hours=2)
    WorkOrder.objects.filter(pk=orders["closed"].pk).update(satisfaction="basic", updated_at=later)
    third = analytics_export(out=out, commit=True, now=later + dt.timedelta(minutes=1))
    assert ("2026-09", "changed") in [(m.key, m.reason) for m in third.plan]
    assert _rows(out, "2026-09")[orders["closed"].number]["satisfaction"] == "basic"


def test_a_new_callback_makes_its_month_stale(tmp_path: Path, orders: dict) -> None:
    out = tmp_path / "store"
    analytics_export(out=out, commit=True, now=NOW)
    CallbackFactory(order=orders["closed"])  # its updated_at is the real now, after NOW
    result = analytics_export(out=out, commit=False, now=NOW + dt.timedelta(hours=1))
    assert ("2026-09", "changed") in [(m.key, m.reason) for m in result.plan]


def test_deleted_orders(tmp_path: Path, orders: dict) -> None:
    out = tmp_path / "store"
    analytics_export(out=out, commit=True, now=NOW)
    orders["direct"].delete()
    orders["november"].delete()
    result = analytics_export(out=out, commit=True, now=NOW + dt.timedelta(hours=1))
    assert ("2026-09", "count") in [(m.key, m.reason) for m in result.plan]
    assert result.removed == ["2026-11"]
    assert not partition_file(out, "2026-11").exists()
    assert list(_rows(out, "2026-09")) == [orders["closed"].number]
    assert "2026-11" not in read_manifest(out)["partitions"]


def test_resume_after_a_crash_half_way(
    tmp_path: Path, orders: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "store"
    real = export_mod._month_tables

    def crash_in_october(key: str, now: dt.datetime, batch_size: int):
        if key == "2026-10":
            raise OSError("disk unplugged")
        yield from real(key, now, batch_size)

    monkeypatch.setattr(export_mod, "_month_tables", crash_in_october)
    with pytest.raises(OSError, match="disk unplugged"):
        analytics_export(out=out, commit=True, now=NOW)
    # September was finished and recorded; October was not published, nor left half-written.
    assert list(read_manifest(out)["partitions"]) == ["2026-09"]
    assert not partition_file(out, "2026-10").exists()
    assert not list(out.glob("**/.tmp-*"))
    # A hard kill can leave a temporary file: the next run sweeps it away.
    stray = partition_file(out, "2026-10").parent / ".tmp-deadbeef-part-0.parquet"
    stray.write_bytes(b"half a file")

    monkeypatch.setattr(export_mod, "_month_tables", real)
    resumed = analytics_export(out=out, commit=True, now=NOW + dt.timedelta(minutes=5))
    assert [m.key for m in resumed.plan] == ["2026-10", "2026-11"]  # September is not redone
    assert resumed.unchanged == ["2026-09"]
    assert not stray.exists()
    assert sorted(read_manifest(out)["partitions"]) == ["2026-09", "2026-10", "2026-11"]


def test_refuses_a_generated_history(tmp_path: Path, small_history: Path) -> None:
    with pytest.raises(ApplicationError) as err:
        analytics_export(out=small_history, commit=False)
    assert err.value.code == "analytics.store_exists"


def test_command_is_a_dry_run_unless_commit(tmp_path: Path, orders: dict) -> None:
    out = tmp_path / "store"
    stdout = StringIO()
    call_command("analytics", "export", "--out", str(out), stdout=stdout)
    assert "预演" in stdout.getvalue()
    assert "2026-09: 新月份，2 条" in stdout.getvalue()
    assert not out.exists()
    call_command("analytics", "export", "--out", str(out), "--commit", stdout=StringIO())
    assert read_manifest(out) is not None
