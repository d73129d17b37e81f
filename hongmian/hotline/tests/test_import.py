"""`hotline_import`: a dry run writes nothing, --commit writes, a bad row is reported with its
line and its batch is not written at all, a second import skips what is there; and the
sample export reads back through the importer."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hongmian.core.models import AuditEvent
from hongmian.hotline.demo.export import sample_export_rows
from hongmian.hotline.models import Assignment, TimelineEntry, WorkOrder
from hongmian.hotline.services.imports import IMPORT_COLUMNS
from hongmian.hotline.tests.factories import CategoryFactory
from hongmian.hotline.tests.fixtures import Units

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def category_code(db: None) -> str:
    parent = CategoryFactory(code="i-city", name="城市管理")
    return CategoryFactory(code="i-vending", name="占道经营", parent=parent).code


def row(n: int, units: Units, category: str, **overrides: str) -> dict[str, str]:
    values = {
        "number": f"HIS-20250301-{n:07d}",
        "created_at": "2025-03-01 09:15:00",
        "channel": "phone",
        "request_type": "complaint",
        "category_code": category,
        "title": f"石牌街道占道经营{n}",
        "content": "每天傍晚有流动摊贩在人行道摆卖，影响通行。",
        "address": "广州市天河区石牌街道天河路100号",
        "district_code": "440106000",
        "street_code": "440106006",
        "lead_unit_code": units.shipai.code,
        "status": "closed",
        "replied_at": "2025-03-03 16:00:00",
        "closed_at": "2025-03-04 10:30:00",
        "satisfaction": "satisfied",
        "resolved": "1",
        "is_enterprise": "0",
        "is_emergency": "0",
    }
    values.update(overrides)
    return values


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=IMPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("hotline_import", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_writes_nothing(tmp_path: Path, units: Units, category_code: str) -> None:
    path = write(tmp_path / "e.csv", [row(n, units, category_code) for n in range(1, 4)])
    out, _ = run(path)
    assert "可导入（试运行，未写入） 3" in out
    assert not WorkOrder.objects.exists()
    assert not AuditEvent.objects.exists()


def test_commit_imports_as_it_was(tmp_path: Path, units: Units, category_code: str) -> None:
    rows = [row(n, units, category_code) for n in range(1, 4)]
    rows.append(
        row(
            4,
            units,
            category_code,
            # A direct answer, in labels, with an offset, whose place the importer reads.
            channel="微信",
            request_type="咨询",
            created_at="2025-03-02T08:00:00+08:00",
            replied_at="2025-03-02T08:05:00+08:00",
            closed_at="2025-03-02T08:05:00+08:00",
            lead_unit_code="",
            district_code="",
            street_code="",
            satisfaction="",
            resolved="",
            status="已归档",
        )
    )
    out, _ = run(write(tmp_path / "e.csv", rows), "--commit")
    assert "已导入 4" in out
    first = WorkOrder.objects.get(number="HIS-20250301-0000001")
    assert first.created_at == dt.datetime(2025, 3, 1, 9, 15, tzinfo=SHANGHAI)
    assert first.closed_at == dt.datetime(2025, 3, 4, 10, 30, tzinfo=SHANGHAI)
    assert (first.status, first.close_reason, first.satisfaction, first.resolved) == (
        "closed",
        "callback",
        "satisfied",
        True,
    )
    assert first.lead_unit == units.shipai
    assert first.category.code == category_code
    lead = Assignment.objects.get(order=first)
    assert (lead.unit, lead.role, lead.status) == (units.shipai, "lead", "replied")
    direct = WorkOrder.objects.get(number="HIS-20250301-0000004")
    assert (direct.channel, direct.request_type, direct.status) == ("wechat", "inquiry", "archived")
    assert direct.close_reason == "direct_answer"
    assert direct.archived_at == direct.closed_at
    assert (direct.district_code, direct.street_code) == ("440106000", "440106006")
    assert TimelineEntry.objects.filter(kind="imported").count() == 4
    assert AuditEvent.objects.filter(action="work_order.history_import").count() == 1


def test_bad_row_reported_and_its_batch_not_written(
    tmp_path: Path, units: Units, category_code: str
) -> None:
    rows = [row(n, units, category_code) for n in range(1, 6)]
    rows[3]["closed_at"] = "2025-02-28 10:00:00"  # before intake: data row 4, file line 5
    rows[3]["lead_unit_code"] = "no-such-unit"
    path = write(tmp_path / "e.csv", rows)
    with pytest.raises(CommandError, match="3 个错误"):  # closed_at twice, the unit
        run(path, "--commit", "--batch-size", "2")
    # Batches: lines 2–3 and 6 written; lines 4–5 (with the bad row) not at all.
    assert sorted(WorkOrder.objects.values_list("number", flat=True)) == [
        "HIS-20250301-0000001",
        "HIS-20250301-0000002",
        "HIS-20250301-0000005",
    ]
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("hotline_import", str(path), "--batch-size", "2", stderr=err)
    assert "第 5 行 closed_at: 办结时间早于受理时间" in err.getvalue()
    assert "第 5 行 lead_unit_code" in err.getvalue()
    assert "第 4–5 行这一批有错误" in err.getvalue()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "acknowledged"}, "status: 只能导入已办结"),
        ({"street_code": "440104001"}, "不属于区 440106000"),
        ({"created_at": "yesterday"}, "不是有效的时间"),
        ({"channel": "pigeon"}, "“pigeon”不是有效的值"),
        ({"title": ""}, "title: 不能为空"),
        ({"category_code": "nope"}, "分类代码 nope 不存在"),
        ({"resolved": "maybe"}, "不是是/否"),
    ],
)
def test_each_rule_names_the_column(
    tmp_path: Path, units: Units, category_code: str, overrides: dict[str, str], message: str
) -> None:
    path = write(tmp_path / "e.csv", [row(1, units, category_code, **overrides)])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("hotline_import", str(path), "--commit", stderr=err)
    assert "第 2 行 " in err.getvalue()
    assert message in err.getvalue()
    assert not WorkOrder.objects.exists()


def test_repeated_number_in_the_file(tmp_path: Path, units: Units, category_code: str) -> None:
    path = write(tmp_path / "e.csv", [row(1, units, category_code), row(1, units, category_code)])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("hotline_import", str(path), stderr=err)
    assert "第 3 行 number: 编号 HIS-20250301-0000001 在文件中重复" in err.getvalue()


def test_reimport_skips_existing(tmp_path: Path, units: Units, category_code: str) -> None:
    path = write(tmp_path / "e.csv", [row(n, units, category_code) for n in range(1, 4)])
    run(path, "--commit")
    more = write(tmp_path / "f.csv", [row(n, units, category_code) for n in range(1, 6)])
    out, _ = run(more, "--commit")
    assert "已导入 2，已存在跳过 3" in out
    assert WorkOrder.objects.count() == 5
    assert TimelineEntry.objects.count() == 5


def test_a_gb18030_export_is_read(tmp_path: Path, units: Units, category_code: str) -> None:
    utf8 = write(tmp_path / "e.csv", [row(n, units, category_code, channel="电话") for n in (1, 2)])
    path = tmp_path / "gb.csv"
    path.write_bytes(utf8.read_text(encoding="utf-8-sig").encode("gb18030"))
    run(path, "--commit")
    order = WorkOrder.objects.get(number="HIS-20250301-0000002")
    assert (order.channel, order.title) == ("phone", "石牌街道占道经营2")


def test_a_row_the_reader_refuses_stops_the_import_there(
    tmp_path: Path, units: Units, category_code: str
) -> None:
    path = write(tmp_path / "e.csv", [row(n, units, category_code) for n in (1, 2)])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("HIS-X," + ",".join("x" * 18) + "\n")  # more values than columns
    with pytest.raises(CommandError, match=r"e.csv 第 4 行：有 19 个值，表头只有 18 列"):
        run(path, "--commit", "--batch-size", "1")
    assert WorkOrder.objects.count() == 2  # the batches before it


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("number,title\nX-1,t\n", encoding="utf-8")
    with pytest.raises(CommandError, match="表头缺少必填列"):
        run(path)


def test_sample_export_reads_back(tmp_path: Path, units: Units, category_code: str) -> None:
    out = tmp_path / "sample.csv"
    call_command("hotline_export_sample", "--rows", "40", "--out", str(out), stdout=StringIO())
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == IMPORT_COLUMNS
    assert len(rows) == 40
    assert len({r["number"] for r in rows}) == 40
    assert {r["status"] for r in rows} <= {"closed", "archived"}
    # Deterministic: the same seed writes the same rows.
    again: list[dict[str, Any]] = list(
        sample_export_rows(count=40, categories={}, now=None)  # categories differ; texts do not
    )
    assert [r["title"] for r in again] == [r["title"] for r in rows]
