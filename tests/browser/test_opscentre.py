"""穗智管 big screen in real Chromium (issue 15, item 5): at 1920×1080 and at 3840×2160
nothing on the screen overflows its box (ten tiles with long names, the map, the trend,
the alerts) and the type scales with the screen; a new evaluation reaches an open screen
by push — the tile's figure and light change without a reload; no CSP violation.

One test, one setup: ten indicators, orders today, one evaluation in alarm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser

# Every box the screen promises to fit: none may need a scrollbar to show its content.
OVERFLOWING = """() => {
  const bad = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth || doc.scrollHeight > window.innerHeight) {
    bad.push("page " + doc.scrollWidth + "x" + doc.scrollHeight);
  }
  document.querySelectorAll("[data-fit]").forEach((el) => {
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) {
      bad.push((el.getAttribute("data-tile") || el.className) + " " + el.scrollWidth + "x" +
        el.scrollHeight + " in " + el.clientWidth + "x" + el.clientHeight);
    }
  });
  const rect = document.querySelector("[data-ops-screen]").getBoundingClientRect();
  if (rect.bottom > window.innerHeight + 1 || rect.right > window.innerWidth + 1) {
    bad.push("main");
  }
  return bad;
}"""


def test_the_big_screen_fits_both_walls_and_follows_by_push(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], settings: Any
) -> None:
    from hongmian.hotline.tests.factories import WorkOrderFactory
    from hongmian.opscentre.models import Indicator
    from hongmian.opscentre.services.indicators import indicator_evaluate
    from hongmian.opscentre.tests.conftest import SYSTEM, make_indicator

    settings.HONGMIAN_OPS_STREAM_SECONDS = 1.0
    settings.HONGMIAN_OPS_POLL_SECONDS = 0.1
    leader = make_user(Role.CITY_LEADER)
    owner = leader.org_unit
    complaints = make_indicator(owner, group_by="district", warn=3, alarm=5)
    for n in range(9):
        make_indicator(
            owner,
            code=f"LONG-{n}",
            name=f"城中村出租屋消防安全隐患排查整治完成情况第{n}项",
            source="bookings",
            unit_of_measure="人次",
            warn=None,
            alarm=None,
        )
    for _ in range(6):
        WorkOrderFactory()  # 天河区, today: 6 ≥ 5, in alarm with its task
    for indicator in Indicator.objects.all():
        indicator_evaluate(actor=SYSTEM, indicator=indicator)

    csp: list[str] = []
    page.on(
        "console",
        lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    log_in(leader.username)
    for width, height in ((3840, 2160), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/ops/screen/")
        page.wait_for_function("() => document.querySelectorAll('[data-tile]').length === 10")
        page.wait_for_function("() => document.querySelector('[data-trend-chart] canvas')")
        assert page.evaluate(OVERFLOWING) == [], f"overflow at {width}×{height}"
        rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert rem == pytest.approx(height / 60, abs=0.5)  # the type scales with the wall
    tile = page.locator('[data-tile="HOT-COMPLAINTS"]')
    assert tile.locator("[data-value]").inner_text() == "6"
    assert tile.locator("[data-light]").inner_text() == "告警"
    assert page.locator("[data-alerts-total]").inner_text() == "1"
    assert page.locator('[data-district="440106000"] [data-district-value]').inner_text() == "6"

    # A new evaluation (the schedule's, here called directly) reaches the open screen.
    page.wait_for_function(
        "() => document.querySelector('[data-connection]').textContent === '实时'"
    )
    page.evaluate("window.__sameDocument = true")
    complaints.alarm, complaints.warn = 50, 5
    complaints.save(update_fields=["alarm", "warn"])
    WorkOrderFactory()
    indicator_evaluate(actor=SYSTEM, indicator=complaints)
    page.wait_for_function(
        "() => document.querySelector('[data-tile=\"HOT-COMPLAINTS\"] [data-value]')"
        ".textContent === '7'"
    )
    assert tile.locator("[data-light]").inner_text() == "预警"
    assert "ops-tile--warn" in (tile.get_attribute("class") or "")
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert page.evaluate(OVERFLOWING) == []
    assert csp == []
