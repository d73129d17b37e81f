"""Each role's home in real Chromium keeps its promises: only tiles that open a built page,
and an elder-mode citizen finds 我的诉求 first and biggest (issue 11, item 10)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import ADMIN_SITE_ROLES, Role

pytestmark = pytest.mark.browser


def test_elder_citizen_finds_their_requests_first_and_opens_them(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from hongmian.hotline.tests.factories import WorkOrderFactory

    citizen = make_user(Role.CITIZEN, elder_mode=True)
    mine = WorkOrderFactory(submitted_by=citizen, title="小区门口路灯不亮", acknowledged=True)
    WorkOrderFactory(title="别人的诉求")
    log_in(citizen.username)
    page.wait_for_selector("#page.page--elder")

    cards = page.locator(".cards > .card")
    assert cards.count() >= 2
    first = cards.first.locator("a.card__link")
    assert first.locator(".card__title").inner_text() == "我的诉求"
    # Big: the first tile spans the row, wider than any other tile.
    widths = [cards.nth(i).bounding_box()["width"] for i in range(cards.count())]
    assert widths[0] > max(widths[1:]) * 1.5

    first.click()
    page.wait_for_url("**/hotline/mine/")
    assert page.get_by_role("heading", name="我的诉求", level=1).is_visible()
    assert page.get_by_role("link", name=mine.number).is_visible()
    assert page.get_by_text("小区门口路灯不亮").is_visible()
    assert page.get_by_text("别人的诉求").count() == 0


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_home_shows_only_tiles_that_work(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], role: Role
) -> None:
    user = make_user(role, is_staff=role in ADMIN_SITE_ROLES)
    log_in(user.username)

    body = page.locator("#main").inner_text()
    for words in ("尚未开放", "即将上线", "敬请期待", "将随"):
        assert words not in body, words
    cards = page.locator(".cards > .card")
    assert cards.count() >= 1
    assert page.locator(".cards .card--pending, .cards .badge--pending").count() == 0
    links = [cards.nth(i).locator("a.card__link") for i in range(cards.count())]
    assert all(link.count() == 1 for link in links)
    hrefs = [link.get_attribute("href") for link in links]
    # Each tile opens for this role: no error page, no bounce to the login.
    for href in hrefs:
        response = page.goto(href)
        assert response is not None, href
        assert response.status < 400, (href, response.status)
        assert "/login/" not in page.url, href
