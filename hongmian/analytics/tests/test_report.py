"""The report pipeline on a history built by hand (25 orders), with every figure counted by
hand in the comments — and the errors a caller can meet."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hongmian.analytics.periods import Period
from hongmian.analytics.pipelines.report import REPORT
from hongmian.analytics.report.compute import compute_report
from hongmian.analytics.store import partition_file
from hongmian.analytics.tests.conftest import order, write_store
from hongmian.core.errors import ApplicationError

OCT = Period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
D = dt.date


def _current() -> list[dict]:
    """Twelve orders in October 2026. Units: gz-water (W) and gz-440106 (T)."""
    day = D(2026, 10, 12)
    sat, basic, dis = "satisfied", "basic", "dissatisfied"
    return [
        # 1–2, 12: direct answers (two inquiries by phone, one by mini-program).
        order(day, 1, request_type="inquiry", direct_answer=True, close_reason="direct_answer"),
        order(day, 2, request_type="inquiry", direct_answer=True, close_reason="direct_answer"),
        # 3–5, 11: gz-water.
        order(day, 3, channel="wechat", request_type="inquiry", unit="gz-water",
              acknowledged_on_time=True, on_time=True, satisfaction=sat, resolved=True,
              callback_count=1),
        order(day, 4, channel="wechat", unit="gz-water", acknowledged_on_time=True,
              on_time=False, satisfaction=basic, resolved=False, callback_count=1),
        order(day, 5, unit="gz-water", acknowledged_on_time=False, on_time=True,
              satisfaction=dis, resolved=False, reopen_count=1, callback_count=2),
        # 6–10: gz-440106 (8 was first sent to gz-water, which returned it).
        order(day, 6, channel="app", cat="0202", unit="gz-440106", acknowledged_on_time=True,
              on_time=True, satisfaction=sat, resolved=True, callback_count=1,
              is_enterprise=True),
        order(day, 7, request_type="help", cat="0202", unit="gz-440106",
              acknowledged_on_time=True, status="acknowledged"),
        order(day, 8, request_type="help", cat="0202", unit="gz-440106", first="gz-water",
              return_count=1, acknowledged_on_time=True, on_time=True, satisfaction=sat,
              resolved=True, callback_count=1),
        order(day, 9, request_type="report", cat="0202", unit="gz-440106", is_emergency=True,
              district_code="440104000", street_code="440104003", status="dispatched"),
        order(day, 10, channel="web", request_type="suggestion", cat="1201", unit="gz-440106",
              acknowledged_on_time=True, on_time=False, satisfaction=basic, resolved=True,
              callback_count=1),
        order(day, 11, cat="1201", unit="gz-water", district_code=None, street_code=None,
              acknowledged_on_time=True, on_time=True, callback_count=1,
              close_reason="unreachable"),
        order(day, 12, channel="mini_program", request_type="inquiry", cat="1201",
              direct_answer=True, close_reason="direct_answer", is_enterprise=True),
    ]  # fmt: skip


def _previous() -> list[dict]:
    """Eight orders in September 2026: 0301 ×2, 0202 ×4, 1201 ×2."""
    day = D(2026, 9, 20)
    cats = ["0301", "0301", "0202", "0202", "0202", "0202", "1201", "1201"]
    return [order(day, i, cat=c) for i, c in enumerate(cats, start=1)]


def _year_ago() -> list[dict]:
    """Five orders in October 2025, one of them for an enterprise."""
    day = D(2025, 10, 9)
    return [order(day, i, is_enterprise=(i == 1)) for i in range(1, 6)]


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_store(tmp_path_factory.mktemp("hand"), _current() + _previous() + _year_ago())


@pytest.fixture(scope="module")
def report(hand_store: Path) -> dict:
    return compute_report(
        source=hand_store, period=OCT, rank_min_volume=1, rising_min_volume=3, top_n=5
    )


def _rate(report_rate: dict) -> tuple[int, int, float | None]:
    return report_rate["numerator"], report_rate["denominator"], report_rate["rate"]


def test_totals_and_comparisons(report: dict) -> None:
    assert report["total"] == 12
    # (12 − 8) / 8 and (12 − 5) / 5.
    assert report["comparison"] == {
        "previous": 8,
        "mom_pct": 50.0,
        "year_ago": 5,
        "yoy_pct": 140.0,
    }
    assert report["period"]["label"] == "2026年10月"
    assert report["previous_period"]["start"] == "2026-09-01"
    assert report["year_ago_period"]["end"] == "2025-10-31"
    assert sum(report["daily"].values()) == 12
    assert report["daily"]["2026-10-12"] == 12
    assert len(report["daily"]) == 31


def test_breakdowns(report: dict) -> None:
    channels = {k: v for k, v in report["by_channel"].items() if v}
    assert channels == {"phone": 7, "wechat": 2, "app": 1, "web": 1, "mini_program": 1}
    assert report["by_channel"]["sms"] == 0  # every channel is listed
    types = {k: v for k, v in report["by_request_type"].items() if v}
    assert types == {"inquiry": 4, "complaint": 4, "help": 2, "report": 1, "suggestion": 1}
    assert report["by_category_l2"] == {"0301": 5, "0202": 4, "1201": 3}
    assert report["by_category_l1"] == {"03": 5, "02": 4, "12": 3}
    assert report["by_district"]["440106000"] == 10
    assert report["by_district"]["440104000"] == 1
    assert report["by_district"]["unknown"] == 1
    assert report["by_district"]["440111000"] == 0
    assert len(report["by_district"]) == 12  # eleven districts and "unknown"
    assert report["by_unit"] == {"gz-440106": 5, "gz-water": 4}
    assert report["top_streets"][0] == {
        "code": "440106006",
        "name": "石牌街道",
        "district": "440106000",
        "district_name": "天河区",
        "count": 10,
        "share": round(10 / 12, 4),
    }
    noise = report["categories_l2"][0]
    assert (noise["code"], noise["name"], noise["count"], noise["previous"]) == (
        "0301",
        "噪声扰民",
        5,
        2,
    )
    assert noise["mom_pct"] == 150.0


def test_rates(report: dict) -> None:
    r = report["rates"]
    assert _rate(r["direct_answer"]) == (3, 12, 0.25)  # orders 1, 2, 12
    assert _rate(r["inquiry_direct_answer"]) == (3, 4, 0.75)  # inquiries 1, 2, 3, 12
    assert _rate(r["response"]) == (7, 8, 0.875)  # 5 late; 9 not yet due
    assert _rate(r["on_time"]) == (5, 7, 0.7143)  # 4 and 10 late; 7 and 9 still running
    assert _rate(r["resolution"]) == (4, 6, 0.6667)  # 3, 6, 8, 10 of 3, 4, 5, 6, 8, 10
    assert _rate(r["satisfaction"]) == (5, 6, 0.8333)  # all but 5 (dissatisfied)
    assert _rate(r["return"]) == (1, 9, 0.1111)  # 8, of nine dispatched
    assert _rate(r["reopen"]) == (1, 7, 0.1429)  # 5, of seven called back
    assert report["counts"]["current"]["dispatched"] == 9
    assert report["rates_previous"]["direct_answer"] == {
        "numerator": 0,
        "denominator": 8,
        "rate": 0.0,
    }


def test_units_three_rates_and_ranking(report: dict) -> None:
    units = {u["code"]: u for u in report["units"]}
    water, tianhe = units["gz-water"], units["gz-440106"]
    assert water["dispatched"] == 4  # 3, 4, 5, 11
    assert _rate(water["response"]) == (3, 4, 0.75)
    assert _rate(water["resolution"]) == (1, 3, 0.3333)
    assert _rate(water["satisfaction"]) == (2, 3, 0.6667)
    assert _rate(water["on_time"]) == (3, 4, 0.75)
    assert _rate(water["reopen"]) == (1, 4, 0.25)
    # Returns are the first unit's: gz-water was first for 3, 4, 5, 11 and 8, and returned 8.
    assert _rate(water["return"]) == (1, 5, 0.2)
    assert _rate(tianhe["response"]) == (4, 4, 1.0)
    assert _rate(tianhe["return"]) == (0, 4, 0.0)
    assert tianhe["score"] == 1.0
    assert water["score"] == round((0.75 + 0.3333 + 0.6667) / 3, 4)
    assert [u["code"] for u in report["units"]] == ["gz-440106", "gz-water"]
    assert [u["rank"] for u in report["units"]] == [1, 2]


def test_units_below_the_volume_threshold_are_not_ranked(hand_store: Path) -> None:
    report = compute_report(source=hand_store, period=OCT, rank_min_volume=5)
    ranks = {u["code"]: u["rank"] for u in report["units"]}
    assert ranks == {"gz-440106": 1, "gz-water": None}


def test_categories_sections_and_representatives(report: dict) -> None:
    assert [c["code"] for c in report["top_categories"]] == ["0301", "0202", "1201"]
    # 0301: 5 vs 2 (+150 %), 1201: 3 vs 2 (+50 %); 0202 stayed at 4.
    assert [(c["code"], c["mom_pct"]) for c in report["rising_categories"]] == [
        ("0301", 150.0),
        ("1201", 50.0),
    ]
    ent = report["enterprise"]
    assert (ent["total"], ent["previous"], ent["year_ago"], ent["yoy_pct"]) == (2, 0, 1, 100.0)
    assert ent["mom_pct"] is None  # nothing to compare with
    assert ent["by_district"]["440106000"] == 2
    assert _rate(ent["rates"]["direct_answer"]) == (1, 2, 0.5)
    em = report["emergency"]
    assert em["total"] == 1
    assert {k: v for k, v in em["by_district"].items() if v} == {"440104000": 1}
    assert em["top_categories"][0]["code"] == "0202"
    # The reopened order first, then by number.
    assert report["representative_orders"]["0301"] == [
        "GZ-20261012-000005",
        "GZ-20261012-000001",
        "GZ-20261012-000002",
    ]


def test_narrative_and_json(report: dict) -> None:
    text = report["narrative"]
    assert text.startswith("2026年10月，12345热线共受理群众诉求12件，环比增长50.0%")
    assert "同比增长140.0%" in text
    assert "直接办结率25.0%" in text
    assert "满意率83.3%" in text
    assert "噪声扰民（5件）" in text
    assert "应急标记诉求1件" in text
    # Everything is plain JSON.
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report
    assert set(report["meta"]["steps"]) == {s.name for s in REPORT.steps}


def test_filters(hand_store: Path) -> None:
    tianhe = compute_report(source=hand_store, period=OCT, district="天河区")
    assert tianhe["filters"]["district"] == "440106000"
    assert tianhe["total"] == 10
    assert list(tianhe["by_district"]) == ["440106000"]
    water = compute_report(source=hand_store, period=OCT, unit="gz-water")
    assert water["total"] == 4
    assert water["by_unit"] == {"gz-water": 4}


def test_zero_order_month_is_a_report_of_zeros(hand_store: Path) -> None:
    august = Period("month", D(2026, 8, 1), D(2026, 8, 31))
    report = compute_report(source=hand_store, period=august)
    assert report["total"] == 0
    assert report["comparison"]["previous"] == 0
    assert set(report["by_district"].values()) == {0}
    assert len(report["by_district"]) == 11
    assert report["rates"]["satisfaction"]["rate"] is None
    assert report["units"] == []
    assert report["top_categories"] == []
    assert report["emergency"] is None
    assert report["representative_orders"] == {}
    assert report["source"]["partitions"]["current"] == []
    assert "未受理群众诉求（0件）" in report["narrative"]
    # A known unit without orders this month is zeros too, not an error.
    assert compute_report(source=hand_store, period=august, unit="gz-water")["total"] == 0


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"district": "440199"}, "analytics.unknown_district"),
        ({"unit": "gz-nowhere"}, "analytics.unknown_unit"),
        ({"engine": "oracle"}, "analytics.unknown_engine"),
    ],
)
def test_unknown_filters_are_coded_errors(hand_store: Path, kwargs: dict, code: str) -> None:
    with pytest.raises(ApplicationError) as err:
        compute_report(source=hand_store, period=OCT, **kwargs)
    assert err.value.code == code


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as err:
        compute_report(source=tmp_path / "nothing", period=OCT)
    assert err.value.code == "analytics.no_store"
    with pytest.raises(ApplicationError) as err:
        compute_report(source=tmp_path, period=OCT)  # a folder without a manifest
    assert err.value.code == "analytics.no_store"


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_parquet_is_a_coded_error_naming_the_file(tmp_path: Path, damage: str) -> None:
    path = write_store(tmp_path, _current())
    target = partition_file(path, "2026-10")
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"not parquet" * 50)
    with pytest.raises(ApplicationError) as err:
        compute_report(source=path, period=OCT)
    assert err.value.code == "analytics.corrupt_store"
    assert str(target) in err.value.message


def test_corrupt_manifest(tmp_path: Path) -> None:
    path = write_store(tmp_path, _current())
    (path / "_manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ApplicationError) as err:
        compute_report(source=path, period=OCT)
    assert err.value.code == "analytics.corrupt_store"
