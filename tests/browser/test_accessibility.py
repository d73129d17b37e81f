"""axe-core (served from our static files) finds no serious or critical WCAG 2 A/AA issue
on the shell's main pages."""

from __future__ import annotations

import pytest

from hongmian.identity.states import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
BLOCKING = {"serious", "critical"}


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    # Guard against a silent no-op (axe not loaded, or no rule matched the tags).
    assert result["passes"], "axe ran no checks"
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} — {targets}")
    return "\n".join(lines)


def test_login_page(page, db):
    page.goto("/login/")

    violations = _axe_violations(page)

    assert not violations, _describe(violations)


def test_login_page_with_an_error(page, db):
    page.goto("/login/")
    page.get_by_label("用户名").fill("nobody")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_selector("[role=alert]")

    violations = _axe_violations(page)

    assert not violations, _describe(violations)


@pytest.mark.parametrize("elder_mode", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("role", [Role.CITIZEN, Role.DEPT_MANAGER, Role.SYSTEM_ADMIN])
def test_home_page(page, make_user, log_in, role, elder_mode):
    user = make_user(role, elder_mode=elder_mode)
    log_in(user.username)
    assert page.locator("#page.page--elder").count() == (1 if elder_mode else 0)

    violations = _axe_violations(page)

    assert not violations, _describe(violations)


def test_english_home_and_not_found_page(page, make_user, log_in):
    user = make_user(Role.HOTLINE_AGENT, language="en")
    log_in(user.username)

    violations = _axe_violations(page)
    assert not violations, _describe(violations)

    page.goto("/no-such-page/")
    violations = _axe_violations(page)
    assert not violations, _describe(violations)
