"""The report's 热点 section: the hotline's hot-spot scans of the period, from the database."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from hongmian.analytics.periods import Period
from hongmian.analytics.report.compute import compute_report
from hongmian.analytics.report.outputs import render_outputs
from hongmian.analytics.schema import TZ
from hongmian.analytics.tests.conftest import order, write_store
from hongmian.insights.models import Hotspot, HotspotAlert

D = dt.date
NOVEMBER = Period("month", D(2026, 11, 1), D(2026, 11, 30))

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return write_store(tmp_path / "store", [order(D(2026, 11, 3), i) for i in range(1, 4)])


def _scan(at: dt.datetime, *titles: str, district: str = "440106") -> None:
    for rank, title in enumerate(titles, start=1):
        Hotspot.objects.create(
            scanned_at=at, rank=rank, heat=20.0 - rank, reports=8 - rank, callers=6 - rank,
            started_at=at - dt.timedelta(days=5), ended_at=at, place_code=f"{district}005",
            place_label="石牌街道", title=title, keywords=["积水", "地铁口"], bursting=rank == 1,
        )  # fmt: skip


def test_the_period_shows_its_last_scan_and_its_alerts(store: Path) -> None:
    late_november = dt.datetime(2026, 11, 29, 10, tzinfo=TZ)
    _scan(late_november - dt.timedelta(days=3), "更早一次扫描的热点")
    _scan(late_november, "地铁口积水", "夜间施工噪音")
    HotspotAlert.objects.create(
        day=D(2026, 11, 29), count=5, expected=0.4, p_value=0.001, title="地铁口积水",
        place_label="石牌街道", heat=19.0,
    )  # fmt: skip
    HotspotAlert.objects.create(
        day=D(2026, 10, 2), count=5, expected=0.4, p_value=0.001, title="十月的预警", heat=9.0
    )

    report = compute_report(source=store, period=NOVEMBER, hotspots=True)

    hot = report["hotspots"]
    assert [(g["rank"], g["title"], g["reports"]) for g in hot["groups"]] == [
        (1, "地铁口积水", 7),
        (2, "夜间施工噪音", 6),
    ]
    assert hot["groups"][0]["bursting"]
    assert [(a["day"], a["title"]) for a in hot["alerts"]] == [("2026-11-29", "地铁口积水")]
    assert "居首的是“地铁口积水”（石牌街道）" in report["narrative"]
    assert "本月共发出热点激增预警1次" in report["narrative"]

    docx = render_outputs(report, ("docx",))["docx"]
    import docx as python_docx

    text = "\n".join(
        cell.text
        for table in python_docx.Document(io.BytesIO(docx)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "地铁口积水（激增）" in text


def test_a_district_report_keeps_its_districts_hot_spots(store: Path) -> None:
    at = dt.datetime(2026, 11, 20, 10, tzinfo=TZ)
    _scan(at, "天河的热点")
    Hotspot.objects.create(
        scanned_at=at, rank=2, heat=3.0, reports=3, callers=3, started_at=at, ended_at=at,
        place_code="440104003", place_label="越秀某街", title="越秀的热点",
    )  # fmt: skip

    report = compute_report(source=store, period=NOVEMBER, district="天河区", hotspots=True)

    assert [g["title"] for g in report["hotspots"]["groups"]] == ["天河的热点"]


def test_a_period_the_scans_do_not_reach_says_so(store: Path) -> None:
    report = compute_report(source=store, period=NOVEMBER, hotspots=True)

    assert report["hotspots"] == {"scanned_at": None, "groups": [], "alerts": []}
    html = render_outputs(report, ("html",))["html"].decode()
    assert "本期没有可用的热点分组" in html


def test_without_hotspots_the_report_has_none(store: Path) -> None:
    assert compute_report(source=store, period=NOVEMBER)["hotspots"] is None
