"""The report page and the operations dashboard in a real browser: every chart container
gets a drawn canvas (or SVG) of non-zero size, and the page logs no console errors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

_DRAWN = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const drawn = el.querySelector('canvas, svg');
  const box = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
  const key = el.getAttribute('data-chart') || el.getAttribute('data-dash-chart');
  return [key, box.width, box.height];
})"""


def _console_errors(page: Any) -> list[str]:
    errors: list[str] = []

    def record(message: Any) -> None:
        # The browser's own favicon request is not the page's doing (the portal has none).
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            errors.append(f"{message.text} {message.location.get('url', '')}")

    page.on("console", record)
    return errors


def _assert_drawn(page: Any, selector: str, expected: int) -> None:
    page.wait_for_function(
        "(s) => Array.from(document.querySelectorAll(s))"
        ".every(e => e.querySelector('canvas, svg'))",
        arg=selector,
    )
    charts = page.evaluate(_DRAWN, selector)
    assert len(charts) == expected
    assert all(w > 0 and h > 0 for _, w, h in charts), charts


def test_report_page_draws_its_charts(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], tmp_path: Any,
    settings: Any,
) -> None:  # fmt: skip
    from hongmian.analytics.periods import Period
    from hongmian.analytics.services import report_issue
    from hongmian.analytics.tests.conftest import order, write_store
    from hongmian.core.actors import Actor
    from hongmian.identity.states import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    day = dt.date(2026, 10, 12)
    rows = [order(day, i, cat=("0301", "0202", "1201")[i % 3], unit="gz-water")
            for i in range(1, 30)]  # fmt: skip
    store = write_store(tmp_path / "store", rows)
    issue = report_issue(
        actor=Actor.system("test"),
        period=Period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        source=store,
    )
    make_user(Role.CITY_LEADER, username="leader")
    errors = _console_errors(page)
    log_in("leader")
    page.goto("/analytics/reports/")
    page.get_by_role("link", name=issue.title).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=issue.title).is_visible()
    _assert_drawn(page, "[data-chart]", 6)
    assert not errors


def _a_hot_spot() -> None:
    from django.utils import timezone

    from hongmian.insights.models import Hotspot

    now = timezone.now()
    Hotspot.objects.create(
        scanned_at=now, rank=1, heat=9.5, reports=6, callers=5, started_at=now, ended_at=now,
        place_label="石牌街道", title="地铁口积水", bursting=True,
    )  # fmt: skip


def test_dashboard_draws_and_refreshes(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from hongmian.hotline.tests.factories import WorkOrderFactory
    from hongmian.identity.states import Role

    WorkOrderFactory(dispatched=True)
    make_user(Role.HOTLINE_SUPERVISOR, username="supervisor")
    errors = _console_errors(page)
    log_in("supervisor")
    page.goto("/analytics/dashboard/")
    _assert_drawn(page, "[data-dash-chart]", 3)
    assert page.locator('[data-field="today.total"]').inner_text() == "1"
    assert page.locator("[data-hotspots] li").inner_text() == "最近一次扫描没有发现热点。"
    # A new order arrives and a scan finds a hot spot; the poll (triggered now instead of
    # in 30 s) updates the figures.
    WorkOrderFactory()
    _a_hot_spot()
    page.evaluate(
        "htmx.ajax('GET', document.querySelector('#dashboard-poll').getAttribute('hx-get'),"
        " {source: '#dashboard-poll', swap: 'none'})"
    )
    # A function, not an expression: Playwright evaluates an expression with eval, which
    # the page's Content-Security-Policy forbids once the fake clock is installed.
    page.wait_for_function(
        "() => document.querySelector('[data-field=\"today.total\"]').textContent === '2'"
    )
    hot = page.locator("[data-hotspots]").inner_text()
    assert "地铁口积水 · 石牌街道 · 6 件 / 5 人 激增" in hot
    page.goto("/analytics/dashboard/wall/")
    _assert_drawn(page, "[data-dash-chart]", 3)
    assert page.locator(".site-header").count() == 0
    assert not errors


@pytest.mark.parametrize("path", ["/analytics/dashboard/", "/analytics/dashboard/wall/"])
def test_dashboard_polls_every_30_seconds(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], path: str
) -> None:
    """The screen says "每 30 秒自动刷新": with the page's clock run forward, it asks for its
    data once per 30 s and shows what it got, without a reload."""
    from hongmian.hotline.tests.factories import WorkOrderFactory
    from hongmian.identity.states import Role

    WorkOrderFactory(dispatched=True)
    make_user(Role.HOTLINE_SUPERVISOR, username="supervisor")
    log_in("supervisor")
    polls: list[str] = []
    page.on(
        "request", lambda r: polls.append(r.url) if "/analytics/dashboard/data" in r.url else None
    )
    page.clock.install()
    page.goto(path)
    # The installed clock still runs with the real one until paused, and a busy machine can
    # spend seconds drawing: the page's half-minute is counted from when it had loaded
    # (HTMX starts its timer then), with 2 s allowed either side.
    loaded_ms = page.evaluate("() => Date.now()")
    assert "每 30 秒自动刷新" in page.locator(".dash__asof").inner_text()
    _assert_drawn(page, "[data-dash-chart]", 3)
    assert page.locator('[data-field="today.total"]').inner_text() == "1"
    WorkOrderFactory()
    # A moment ahead: pausing in the past is refused, and the real clock runs meanwhile.
    page.clock.pause_at(page.evaluate("() => Date.now()") / 1000 + 2)
    since_load_ms = page.evaluate("() => Date.now()") - loaded_ms
    assert since_load_ms < 28_000, "the page took too long to draw to see its first refresh"

    page.clock.run_for(28_000 - since_load_ms)
    page.wait_for_timeout(300)
    assert polls == []
    page.clock.run_for(4_000)
    # A function, not an expression: Playwright evaluates an expression with eval, which
    # the page's Content-Security-Policy forbids once the fake clock is installed.
    page.wait_for_function(
        "() => document.querySelector('[data-field=\"today.total\"]').textContent === '2'"
    )
    assert len(polls) == 1
    page.clock.run_for(30_000)
    page.wait_for_function("() => true")  # let the page's timers and requests go out
    page.wait_for_timeout(300)
    assert len(polls) == 2


def _a_busy_city() -> None:
    """Fifteen units with open orders in every district (long unit names), a few late,
    five hot spots: the wall's tables and lists at their fullest."""
    from django.utils import timezone

    from hongmian.analytics.selectors import DISTRICT_TILES
    from hongmian.hotline.tests.factories import SlaClockFactory, WorkOrderFactory
    from hongmian.identity.tests.factories import OrgUnitFactory
    from hongmian.insights.models import Hotspot

    now = timezone.now()
    hour = dt.timedelta(hours=1)
    for i in range(15):
        unit = OrgUnitFactory(code=f"wall-{i}", name=f"广州市城市管理和综合执法局第{i}分局")
        for j in range(2):
            code = DISTRICT_TILES[(i + j) % len(DISTRICT_TILES)][0]
            order = WorkOrderFactory(
                dispatched=True, lead_unit=unit, district_code=code, satisfaction="satisfied"
            )
            if (i + j) % 4 == 0:
                SlaClockFactory(order=order, started_at=now - 3 * hour,
                                yellow_at=now - 2 * hour, due_at=now - hour)  # fmt: skip
    for rank in range(1, 6):
        Hotspot.objects.create(
            scanned_at=now, rank=rank, heat=10.0 - rank, reports=6, callers=5, started_at=now,
            ended_at=now, place_label="天河区石牌街道华师附中对面", title=f"地铁口积水第{rank}处",
            bursting=rank == 1,
        )  # fmt: skip


_OVERFLOW = """() => {
  const doc = document.documentElement;
  const boxes = Array.from(document.querySelectorAll(
    '.dash__panel, .dash__kpi, .dash__map, .dash__chart, .dash__grid, .dash__kpis, .dash'));
  const over = boxes.filter((el) => el.scrollHeight > el.clientHeight + 1
    || el.scrollWidth > el.clientWidth + 1).map((el) => el.className);
  const out = Array.from(document.querySelectorAll('.dash__panel, .dash__kpi')).filter((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > window.innerHeight + 1 || r.right > window.innerWidth + 1;
  }).map((el) => el.className);
  return {scrollHeight: doc.scrollHeight, innerHeight: window.innerHeight,
          scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, over, out};
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_the_wall_fits_one_screen(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None],
    size: tuple[int, int],
) -> None:  # fmt: skip
    """The wall is a control-room screen: at 1920×1080 and at 3840×2160 everything is on
    one screen, nothing scrolls and no panel's content runs out of its box; the charts are
    drawn at the screen's scale."""
    from hongmian.identity.states import Role

    _a_busy_city()
    make_user(Role.CITY_LEADER, username="leader")
    log_in("leader")
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/analytics/dashboard/wall/")
    _assert_drawn(page, "[data-dash-chart]", 3)
    page.wait_for_timeout(300)  # charts settle into their boxes
    fit = page.evaluate(_OVERFLOW)
    assert fit["scrollHeight"] <= fit["innerHeight"], fit
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    assert fit["over"] == [], fit
    assert fit["out"] == [], fit
    assert page.locator("[data-units] tr").count() == 15
    assert page.locator("[data-hotspots] li").count() == 5
    assert page.locator(".dash__tile").count() == 11
    # Charts fill their boxes at the screen's scale (a 4K wall is not a small picture).
    charts = page.evaluate(_DRAWN, "[data-dash-chart]")
    assert all(h > height * 0.15 for _, _, h in charts), charts


def test_every_figure_opens_its_orders(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    """A rate shows the counts behind it; a figure, a unit's count and a district tile each
    open the order list with that figure's filters, which the leader may read."""
    from hongmian.hotline.tests.factories import WorkOrderFactory
    from hongmian.identity.states import Role

    _a_busy_city()
    WorkOrderFactory(satisfaction="dissatisfied")
    make_user(Role.CITY_LEADER, username="leader")
    log_in("leader")
    page.goto("/analytics/dashboard/")
    _assert_drawn(page, "[data-dash-chart]", 3)
    kpi = page.locator('[data-rate-kpi="satisfaction"]')
    assert kpi.locator("[data-rate]").inner_text() == "96.8%"
    assert kpi.locator("[data-rate-parts]").inner_text() == "30/31"
    kpi.get_by_role("link", name="30", exact=True).click()
    page.wait_for_url("**/hotline/search/?**")
    assert "satisfaction=satisfied&satisfaction=basic" in page.url
    assert page.get_by_role("heading", name="工单查询").is_visible()

    page.go_back()
    page.locator("a.dash__kpi--red").click()
    page.wait_for_url("**/hotline/search/?status=with_unit&overdue=1")
    page.go_back()
    page.get_by_role("link", name="天河区：", exact=False).click()
    page.wait_for_url("**/hotline/search/?status=open&district=440106000")
    page.go_back()
    page.locator("[data-units] tr").first.locator("a").nth(1).click()
    page.wait_for_url(re.compile(r"/hotline/search/\?status=with_unit&unit=\d+&overdue=1$"))


def test_generate_now_shows_progress_then_the_files(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], tmp_path: Any,
    settings: Any,
) -> None:  # fmt: skip
    """ "立即生成" shows the job queued, then — with no reload — the report's links once the
    worker has made it; the box then stops polling."""
    from django.core.management import call_command

    from hongmian.identity.states import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HONGMIAN_ANALYTICS_STORE = tmp_path / "store"
    make_user(Role.HOTLINE_SUPERVISOR, username="supervisor")
    errors = _console_errors(page)
    log_in("supervisor")
    page.goto("/analytics/reports/")
    page.get_by_role("button", name="上周周报").click()
    box = page.locator("#report-job")
    box.wait_for()
    assert box.get_attribute("data-state") == "queued"
    assert "等待后台任务开始" in box.inner_text()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/reports/jobs/" in r.url else None)
    page.wait_for_timeout(2_500)
    assert polls, "the box does not poll its job"
    assert page.locator("#report-job").get_attribute("data-state") == "queued"

    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    page.wait_for_selector('#report-job[data-state="done"]', timeout=8_000)
    done = page.locator("#report-job")
    assert done.get_by_role("link", name="PDF").get_attribute("href").endswith("/download/pdf")
    assert done.get_by_role("link", name="Word").is_visible()
    seen = len(polls)
    page.wait_for_timeout(2_500)
    assert len(polls) == seen, "the finished box still polls"
    done.get_by_role("link", name="广州12345热线数据分析报告", exact=False).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="文字分析").is_visible()
    assert not errors


@pytest.mark.parametrize("path", ["/analytics/dashboard/", "/analytics/dashboard/wall/"])
def test_the_dashboards_pass_axe(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], path: str
) -> None:
    """The linked figures, the rates' counts and the district tiles (colours included) pass
    axe-core's WCAG 2 A/AA checks with no serious or critical issue."""
    from hongmian.identity.states import Role
    from tests.browser.test_accessibility import _axe_violations, _describe

    _a_busy_city()
    make_user(Role.CITY_LEADER, username="leader")
    log_in("leader")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(path)
    _assert_drawn(page, "[data-dash-chart]", 3)
    violations = _axe_violations(page)
    assert not violations, _describe(violations)
