"""The web shell in real Chromium: login per role, keyboard use, elder mode, language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hongmian.identity.models import User
from hongmian.identity.states import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_NAMES_ZH = {
    Role.CITIZEN: "市民",
    Role.ENTERPRISE_REP: "企业代表",
    Role.HOTLINE_AGENT: "话务员",
    Role.HOTLINE_SUPERVISOR: "热线督办员",
    Role.DEPT_HANDLER: "承办人员",
    Role.DEPT_MANAGER: "承办单位负责人",
    Role.HALL_STAFF: "大厅窗口人员",
    Role.DATA_STEWARD: "数据管理员",
    Role.CHIEF_DATA_OFFICER: "首席数据官",
    Role.CITY_LEADER: "市领导",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDITOR: "安全审计员",
}


def _font_size(page, selector: str) -> float:
    return float(page.eval_on_selector(selector, "e => getComputedStyle(e).fontSize")[:-2])


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_logs_in_through_the_form_and_sees_its_home(page, make_user, log_in, role):
    user = make_user(role)

    log_in(user.username)

    assert page.locator(".role-badge__role").inner_text() == ROLE_NAMES_ZH[role]
    assert page.locator("h1").inner_text().startswith("您好")
    assert page.get_by_role("button", name="退出登录").is_visible()


def test_keyboard_only_login(page, make_user):
    user = make_user()
    page.goto("/login/")

    # The first Tab stop is the skip link; following it puts focus on the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type("Hongmian-2025-browser")
    page.keyboard.press("Enter")

    # "**/" would match /login/ itself and race the form's own navigation.
    page.wait_for_url(lambda url: "/login/" not in url)
    assert page.locator(".role-badge__role").inner_text() == "市民"


def test_focus_is_visible_on_keyboard_focus(page, db):
    page.goto("/login/")
    page.locator("#id_username").focus()
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies

    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert outline[0] == "solid"
    assert float(outline[1][:-2]) >= 2
    assert outline[2] != "none"


def test_elder_mode_toggle_through_htmx_enlarges_the_text_and_persists(page, make_user, log_in):
    user = make_user(Role.CITIZEN)
    log_in(user.username)
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load from /static/vendor"
    normal = _font_size(page, "#main")
    normal_cards = page.locator(".cards > li").count()
    _screenshot(page, "home-normal.png")
    # A marker that a full page load would wipe: the toggle must swap, not reload.
    page.evaluate("window.__stillTheSamePage = true")

    page.get_by_role("button", name="长者模式").click()
    page.wait_for_selector("#page.page--elder")

    assert page.evaluate("window.__stillTheSamePage") is True
    elder = _font_size(page, "#main")
    assert elder >= 20
    assert elder > normal
    toggle = page.get_by_role("button", name="长者模式")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.id") == "elder-mode-toggle"
    assert page.locator(".cards > li").count() <= min(4, normal_cards)
    assert page.get_by_text("已开启长者模式").is_visible()
    _screenshot(page, "home-elder.png")

    page.reload()
    assert _font_size(page, "#main") == elder
    user.refresh_from_db()
    assert user.elder_mode is True


def test_elder_mode_without_javascript_still_works(browser, live_server, make_user):
    user = make_user()
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", java_script_enabled=False
    )
    try:
        tab = context.new_page()
        tab.goto("/login/")
        tab.get_by_label("用户名").fill(user.username)
        tab.get_by_label("密码").fill("Hongmian-2025-browser")
        tab.get_by_role("button", name="登录", exact=True).click()
        tab.get_by_role("button", name="长者模式").click()
        tab.wait_for_selector("#page.page--elder")
        assert _font_size(tab, "#main") >= 20
    finally:
        context.close()


def test_switching_to_english_shows_english_and_is_saved(page, make_user, log_in):
    user = make_user(Role.DEPT_HANDLER)
    log_in(user.username)

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")

    assert page.locator(".role-badge__role").inner_text() == "Case handler"
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_role("heading", name="Services").is_visible()
    user.refresh_from_db()
    assert user.language == "en"

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.get_by_role("button", name="退出登录").is_visible()


def _screenshot(page, name: str) -> None:
    """Saved only when HONGMIAN_SCREENSHOT_DIR is set, for a person to look at."""
    directory = os.environ.get("HONGMIAN_SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def test_users_are_created_for_the_live_server(make_user):
    # Guards the fixture: a user made in the test is visible from another connection.
    make_user(username="visible")
    assert User.objects.filter(username="visible").exists()


def test_pages_carry_their_icon_and_fetch_nothing_missing(page, make_user, log_in):
    """The tab shows the project's icon, and no page asks for a file that is not there (the
    browser's own /favicon.ico guess included)."""
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    user = make_user(Role.HOTLINE_SUPERVISOR)

    log_in(user.username)
    for path in ("/", "/hotline/board/", "/analytics/dashboard/", "/analytics/dashboard/wall/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        icon = page.locator('link[rel="icon"]')
        assert icon.count() == 1, path
        assert page.request.get(icon.get_attribute("href")).status == 200, path
    assert missing == []
