"""Report periods and the command line around them."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hongmian.analytics.periods import Period, parse_period
from hongmian.analytics.tests.conftest import order, write_store
from hongmian.core.errors import ApplicationError

D = dt.date
TODAY = D(2026, 11, 28)


@pytest.mark.parametrize(
    ("kind", "value", "start", "end", "previous", "year_ago"),
    [
        ("month", "2026-10", D(2026, 10, 1), D(2026, 10, 31), D(2026, 9, 1), D(2025, 10, 1)),
        ("month", "2026-01", D(2026, 1, 1), D(2026, 1, 31), D(2025, 12, 1), D(2025, 1, 1)),
        ("quarter", "2026Q3", D(2026, 7, 1), D(2026, 9, 30), D(2026, 4, 1), D(2025, 7, 1)),
        ("quarter", "2026-q1", D(2026, 1, 1), D(2026, 3, 31), D(2025, 10, 1), D(2025, 1, 1)),
        # ISO week 40 of 2026 runs Monday 28 September to Sunday 4 October; a year earlier is
        # 52 weeks back, so Monday lines up with Monday.
        ("week", "2026-W40", D(2026, 9, 28), D(2026, 10, 4), D(2026, 9, 21), D(2025, 9, 29)),
    ],
)
def test_periods(
    kind: str, value: str, start: dt.date, end: dt.date, previous: dt.date, year_ago: dt.date
) -> None:
    p = parse_period(kind, value=value, today_=TODAY)
    assert (p.start, p.end) == (start, end)
    assert p.previous().start == previous
    assert p.previous().end == start - dt.timedelta(days=1)
    assert p.year_ago().start == year_ago


def test_custom_range_and_leap_day() -> None:
    p = parse_period("custom", start="2024-02-20", end="2024-02-29", today_=TODAY)
    assert p.days == 10
    assert (p.previous().start, p.previous().end) == (D(2024, 2, 10), D(2024, 2, 19))
    assert (p.year_ago().start, p.year_ago().end) == (D(2023, 2, 20), D(2023, 2, 28))
    assert Period("month", D(2024, 2, 1), D(2024, 2, 29)).year_ago().end == D(2023, 2, 28)
    assert p.label == "2024年02月20日至2024年02月29日"


@pytest.mark.parametrize(
    ("kind", "kwargs", "code"),
    [
        ("month", {"value": "2026-13"}, "analytics.bad_period"),
        ("week", {"value": "2026-W54"}, "analytics.bad_period"),
        ("quarter", {"value": "2026Q5"}, "analytics.bad_period"),
        ("custom", {"start": "2026-10-05", "end": "2026-10-01"}, "analytics.empty_period"),
        ("custom", {"start": "someday", "end": "2026-10-01"}, "analytics.bad_period"),
        ("month", {"value": "2026-12"}, "analytics.future_period"),
        ("year", {"value": "2026"}, "analytics.bad_period"),
    ],
)
def test_bad_periods(kind: str, kwargs: dict, code: str) -> None:
    with pytest.raises(ApplicationError) as err:
        parse_period(kind, today_=TODAY, **kwargs)
    assert err.value.code == code


def test_the_current_month_so_far_is_allowed() -> None:
    assert parse_period("month", value="2026-11", today_=TODAY).end == D(2026, 11, 30)


@pytest.fixture
def tiny_store(tmp_path: Path) -> Path:
    return write_store(tmp_path / "store", [order(D(2026, 10, 3), i) for i in range(1, 4)])


@pytest.mark.django_db  # the command reads the hot-spot scans
def test_report_command_writes_json(tiny_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    stdout = StringIO()
    call_command(
        "report",
        "--period=month",
        "--month=2026-10",
        f"--source={tiny_store}",
        "--format=json",
        f"--out={out}",
        stdout=stdout,
    )
    report = json.loads((out / "report-month-20261001-20261031.json").read_text("utf-8"))
    assert report["total"] == 3
    assert report["by_district"]["440106000"] == 3
    assert "共受理群众诉求3件" in stdout.getvalue()


def test_unknown_formats_are_refused_clearly(tiny_store: Path, tmp_path: Path) -> None:
    # html, pdf and docx exist now (test_render.py); an unknown name is refused by the parser.
    with pytest.raises(CommandError, match="未知的报告格式：xls"):
        call_command(
            "report",
            "--period=month",
            "--month=2026-10",
            f"--source={tiny_store}",
            "--format=html,xls",
            f"--out={tmp_path}",
        )


def test_command_errors_carry_the_code(tiny_store: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"analytics\.unknown_district"):
        call_command(
            "report",
            "--period=month",
            "--month=2026-10",
            f"--source={tiny_store}",
            f"--out={tmp_path}",
            "--district=香港",
        )


def test_pipelines_are_listed_in_order() -> None:
    stdout = StringIO()
    call_command("analytics", "pipelines", stdout=stdout)
    orders: dict[str, list[int]] = {}
    for line in stdout.getvalue().splitlines():
        if not line.startswith(" "):
            pipeline = orders.setdefault(line.split(":")[0], [])
        else:
            pipeline.append(int(line.split()[0]))
    assert set(orders) == {"report", "rollup"}
    assert all(steps == sorted(steps) and steps for steps in orders.values())
    assert "narrative" in stdout.getvalue()
