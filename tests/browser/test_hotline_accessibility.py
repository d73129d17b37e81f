"""axe-core finds no serious or critical WCAG 2 A/AA issue on the hotline's screens, each
shown with data in it: the console, a unit's inbox and order page, the supervisor's board,
and the citizen's submit page (normal and elder mode, and the login it asks a visitor for)
and track result (with the rating form)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.hotline.models import SlaClock
from hongmian.hotline.services import lifecycle_dispatch, lifecycle_handling, sla
from hongmian.hotline.states import ClockKind
from hongmian.identity.models import User
from hongmian.identity.states import Role
from hongmian.insights.services.duplicates import duplicate_scan
from tests.browser import test_hotline_flows as flows
from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import _axe_violations, _describe
from tests.browser.test_hotline_flows import CALLER_PHONE, World
from tests.browser.test_shell import _screenshot

# The flows' fixture: the units, users, taxonomy and catalogue rule of the hotline.
world = flows.world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page) -> None:
    violations = _axe_violations(page)
    assert not violations, _describe(violations)


@pytest.fixture
def busy(world: World) -> World:
    """Orders in every state the board and the inbox show."""
    unit = Actor(user=world.shipai_handler, via="web")
    now = timezone.now()
    late = world.order()
    SlaClock.objects.filter(order=late, kind=ClockKind.RESOLUTION).update(
        due_at=now - dt.timedelta(hours=1), yellow_at=now - dt.timedelta(hours=5)
    )
    soon = world.order()
    SlaClock.objects.filter(order=soon, kind=ClockKind.RESOLUTION).update(
        yellow_at=now - dt.timedelta(hours=1)
    )
    # The lists read the clocks' copy on the order, which the SLA services keep.
    sla.sla_order_clocks_sync(order=late)
    sla.sla_order_clocks_sync(order=soon)
    returned = world.order()
    lifecycle_dispatch.work_order_return_request(
        actor=unit,
        order=returned,
        reason="not_our_duty",
        legal_basis="三定方案",
        explanation="属市水务局职责。",
    )
    extended = world.order(acknowledge=True)
    lifecycle_handling.work_order_extension_request(
        actor=unit, order=extended, reason="需协调供电部门。", amount=3
    )
    replied = world.order(acknowledge=True)
    lifecycle_handling.work_order_reply(actor=unit, order=replied, reply="已处理。")
    world.order(dispatch=False)  # a second order of the same category and street: a merge
    return world


def test_console(page, busy, log_in) -> None:
    log_in("agent")
    page.goto("/hotline/console/")
    page.get_by_label("来电号码").fill(CALLER_PHONE)
    page.wait_for_selector("#caller-history .results")
    page.locator("#id_address").fill("天河区石牌街道华师路1号")
    page.wait_for_selector("#address-preview:has-text('石牌街道')")

    _assert_accessible(page)


def test_console_with_errors(page, busy, log_in) -> None:
    log_in("agent")
    page.goto("/hotline/console/")
    page.get_by_role("button", name="受理").click()
    page.wait_for_selector("[role=alert]")

    _assert_accessible(page)


def test_inbox_and_order_page(page, busy, log_in) -> None:
    log_in("shipai")
    page.goto("/hotline/inbox/")
    assert page.locator("#inbox tbody tr").count() >= 4
    _screenshot(page, "hotline-inbox-busy.png")
    _assert_accessible(page)

    page.locator("#inbox tbody tr").first.get_by_role("link").click()
    page.wait_for_selector("#order-number")
    _screenshot(page, "hotline-order-unit.png")
    _assert_accessible(page)


def test_board(page, busy, log_in) -> None:
    # The duplicate panel reads the groups the periodic job stored (decision 0049).
    duplicate_scan(actor=Actor.system("duplicate-scan"))
    log_in("supervisor")
    page.goto("/hotline/board/")
    # The counts and the duplicate panel arrive after the page (decision 0037): the panel
    # when scrolled into view.
    page.locator("#merges").scroll_into_view_if_needed()
    page.locator("#count-merges.count").wait_for()
    page.wait_for_load_state("networkidle")
    for section in ("overdue", "due_soon", "returns", "extensions", "callbacks", "merges"):
        assert page.locator(f"#{section} tbody tr").count() >= 1, section
    _screenshot(page, "hotline-board-busy.png")

    _assert_accessible(page)


@pytest.mark.parametrize("elder_mode", [False, True], ids=["normal", "elder"])
def test_citizen_submit(page, db, log_in, elder_mode) -> None:
    # Online intake needs a real-name account (decision 0014): the form is a citizen's.
    User.objects.create_user(username="citizen", password=PASSWORD, role=Role.CITIZEN)
    log_in("citizen")
    page.goto("/hotline/submit/")
    if elder_mode:
        page.get_by_role("button", name="长者模式").click()
        page.wait_for_selector("#page.page--elder")
        # Only what is needed shows; the optional fields are folded away.
        assert not page.get_by_label("标题").is_visible()
        _screenshot(page, "hotline-submit-elder.png")
    else:
        assert page.get_by_label("标题").is_visible()

    _assert_accessible(page)


def test_citizen_submit_asks_a_visitor_to_log_in(page, db) -> None:
    page.goto("/hotline/submit/")
    assert page.get_by_role("link", name="登录后提交").is_visible()

    _assert_accessible(page)


def test_citizen_track_result_with_the_rating_form(page, busy) -> None:
    order = busy.order(acknowledge=True)
    lifecycle_handling.work_order_reply(
        actor=Actor(user=busy.shipai_handler, via="web"), order=order, reply="已处理。"
    )
    page.goto("/hotline/track/")
    page.get_by_label("工单号").fill(order.number)
    page.get_by_label("提交时留的手机号码").fill(CALLER_PHONE)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#rate")

    _assert_accessible(page)


def test_citizen_track_result(page, busy) -> None:
    order = busy.order(acknowledge=True)
    page.goto("/hotline/track/")
    page.get_by_label("工单号").fill(order.number)
    page.get_by_label("提交时留的手机号码").fill(CALLER_PHONE)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#order-status")

    _assert_accessible(page)


@pytest.fixture
def hot(busy: World) -> World:
    """Beside the busy orders, a wave of reports about one problem at one street (two
    weeks old, four today), then a scan: a hot spot on the board, and a burst alert."""
    from hongmian.insights.services import hotspots as scans
    from hongmian.insights.tests.test_hotspots import _orders_of_a_wave

    now = timezone.now()
    _orders_of_a_wave(now)
    result = scans.hotspot_scan(actor=Actor.system("browser-test"), now=now)
    assert result.stored, "the wave makes a hot spot"
    assert result.alerts, "the wave bursts today"
    return busy


def test_hotspots_on_the_board_and_their_page(page, hot, log_in) -> None:
    log_in("supervisor")
    page.goto("/hotline/board/")
    assert page.locator("#hotspots tbody tr").count() >= 1
    _assert_accessible(page)

    page.goto("/hotline/board/hotspots/")
    assert page.locator("#hotspots").locator("tbody tr").count() >= 1
    _screenshot(page, "hotline-hotspots.png")
    _assert_accessible(page)
