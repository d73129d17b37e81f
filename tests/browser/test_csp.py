"""The main pages work under the Content-Security-Policy (decision 0057): each loads, does
its work (htmx, ECharts, Swagger UI), and the browser reports no violation of the policy —
neither as a `securitypolicyviolation` event nor as a console message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# Installed before any page script (through the DevTools protocol, which the policy does not
# govern): every violation the page causes is kept on window for the test to read.
_RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _watch(page: Any) -> list[str]:
    seen: list[str] = []
    page.add_init_script(_RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def _violations(page: Any, console: list[str]) -> list[str]:
    return list(page.evaluate("window.__csp || []")) + console


def test_the_main_pages_run_under_the_policy(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from hongmian.hotline.tests.factories import WorkOrderFactory
    from hongmian.identity.states import Role

    WorkOrderFactory(dispatched=True)
    make_user(Role.HOTLINE_SUPERVISOR, username="supervisor")
    console = _watch(page)
    log_in("supervisor")

    checks = [
        # The home page of the shell, with htmx and the combobox script.
        ("/", "main#main", "typeof htmx !== 'undefined'"),
        # The agent's console: htmx forms and assists.
        ("/hotline/console/", "main#main", "typeof htmx !== 'undefined'"),
        # ECharts draws the dashboard's charts; the district tiles sit in their grid cells.
        (
            "/analytics/dashboard/",
            "[data-dash-chart] canvas",
            "getComputedStyle(document.querySelector('.dash__tile[data-col=\"3\"]'))"
            ".gridColumnStart === '3'",
        ),
        ("/analytics/dashboard/wall/", "[data-dash-chart] canvas", "typeof echarts === 'object'"),
        # Swagger UI from our static files draws every operation.
        ("/api/docs", ".swagger-ui .opblock", "document.querySelectorAll('.opblock').length > 40"),
    ]
    for path, ready, works in checks:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert response.headers["cache-control"] == "no-store", path
        # /api/docs: the first visitor of a process waits for the OpenAPI document to be
        # built, seconds on a busy machine (config/api.py keeps it for the next).
        page.locator(ready).first.wait_for(timeout=45_000)
        page.wait_for_function(f"() => {works}")  # a function: no eval
        assert _violations(page, console) == [], path

    # The htmx indicator rules come from portal.css, not from a <style> htmx would inject.
    page.goto("/")
    assert page.locator("style").count() == 0
