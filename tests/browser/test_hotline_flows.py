"""The hotline in real Chromium, as the people who use it: an agent takes a call and
dispatches it, the street office 签收 and replies, the supervisor records the callback, and
the caller reads the result on the public track page; the caller rates a reply themself;
a return that the centre accepts; an extension that moves the deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from hongmian.core.actors import Actor
from hongmian.hotline.models import Category, SlaClock, WorkOrder
from hongmian.hotline.services import lifecycle_dispatch, lifecycle_handling
from hongmian.hotline.services.catalogue import (
    catalogue_activate,
    catalogue_draft_create,
    catalogue_rule_set,
)
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.services.sla_rules import sla_rules_load_defaults
from hongmian.hotline.services.taxonomy import taxonomy_load_defaults
from hongmian.hotline.states import ClockKind, Status
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory
from tests.browser.combobox import pick_unit
from tests.browser.conftest import PASSWORD
from tests.browser.test_shell import _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLER_PHONE = "13800138000"
# 建筑施工噪声, a third-level category of the default taxonomy.
NOISE = "030101"


@dataclass
class World:
    centre: OrgUnit
    tianhe: OrgUnit
    shipai: OrgUnit
    water: OrgUnit
    agent: User
    supervisor: User
    shipai_handler: User
    water_handler: User
    category: Category

    def order(self, *, dispatch: bool = True, acknowledge: bool = False) -> WorkOrder:
        """An order reached through the services (so clocks and the timeline are real)."""
        centre = Actor(user=self.agent, via="web")
        order, _ = work_order_intake(
            actor=centre,
            request=IntakeRequest(
                channel="phone",
                request_type="complaint",
                title="华师路工地夜间施工",
                content="每晚十一点后仍在打桩。",
                caller_name="陈先生",
                caller_phone=CALLER_PHONE,
                address="天河区石牌街道华师路1号",
                category=self.category,
            ),
        )
        if dispatch:
            order = lifecycle_dispatch.work_order_dispatch(
                actor=centre, order=order, lead_unit=self.shipai
            )
        if acknowledge:
            order = lifecycle_dispatch.work_order_acknowledge(
                actor=Actor(user=self.shipai_handler, via="web"), order=order
            )
        return order


@pytest.fixture
def world(transactional_db) -> World:
    """The centre, a district with a street, a city department; one user each; the
    default taxonomy and SLA rules; a catalogue rule that sends施工噪声 in 石牌 to 石牌."""
    system = Actor.system("browser-test")
    taxonomy_load_defaults(actor=system)
    sla_rules_load_defaults(actor=system)
    city = OrgUnitFactory(code="b-city", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT)
    centre = OrgUnitFactory(
        code="b-centre", name="12345热线中心", kind=UnitKind.HOTLINE_CENTRE, parent=city
    )
    tianhe = OrgUnitFactory(
        code="b-tianhe",
        name="天河区人民政府",
        kind=UnitKind.DISTRICT_GOVERNMENT,
        division_code="440106000",
        parent=city,
    )
    shipai = OrgUnitFactory(
        code="b-shipai",
        name="石牌街道办事处",
        kind=UnitKind.STREET,
        division_code="440106006",
        parent=tianhe,
    )
    water = OrgUnitFactory(
        code="b-water", name="广州市水务局", kind=UnitKind.CITY_DEPARTMENT, parent=city
    )
    category = Category.objects.get(code=NOISE)
    draft = catalogue_draft_create(actor=system)
    catalogue_rule_set(
        actor=system,
        catalogue=draft,
        category=category,
        area_code="440106006",
        lead_unit=shipai,
        basis="属地管理",
    )
    catalogue_activate(actor=system, catalogue=draft)

    def user(username: str, role: Role, unit: OrgUnit, name: str) -> User:
        return User.objects.create_user(
            username=username, password=PASSWORD, role=role, org_unit=unit, display_name=name
        )

    return World(
        centre=centre,
        tianhe=tianhe,
        shipai=shipai,
        water=water,
        agent=user("agent", Role.HOTLINE_AGENT, centre, "话务员小李"),
        supervisor=user("supervisor", Role.HOTLINE_SUPERVISOR, centre, "督办员老王"),
        shipai_handler=user("shipai", Role.DEPT_HANDLER, shipai, "石牌承办人"),
        water_handler=user("water", Role.DEPT_HANDLER, water, "水务承办人"),
        category=category,
    )


@pytest.fixture
def log_out(page):
    def do() -> None:
        # A page's htmx fragments (the board's counts, decision 0037) land first: the test
        # database is SQLite in memory, where two requests saving the session collide.
        page.wait_for_load_state("networkidle")
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/login/**")

    return do


def _open_order(page, number: str) -> None:
    page.get_by_role("link", name=number).click()
    page.wait_for_selector("#order-number")


def test_the_whole_path_of_an_order(page, world, log_in, log_out) -> None:
    # The agent takes the call in the console, mostly from the keyboard.
    log_in("agent")
    page.get_by_role("link", name=re.compile("话务工作台")).click()
    page.wait_for_url("**/hotline/console/")
    assert page.evaluate("document.activeElement.id") == "id_caller_phone"
    page.keyboard.type(CALLER_PHONE)
    page.wait_for_selector("#caller-history:has-text('没有历史工单')")
    page.get_by_label("诉求人", exact=True).fill("陈先生")
    page.get_by_label("标题", exact=False).first.fill("华师路工地夜间施工")
    page.get_by_label("诉求内容").fill("每晚十一点后仍在打桩，影响休息。")
    page.keyboard.press("Alt+3")
    assert page.evaluate("document.activeElement.id") == "id_address"
    page.keyboard.type("天河区石牌街道华师路1号")
    page.wait_for_selector("#address-preview:has-text('石牌街道')")
    page.keyboard.press("Alt+4")  # the category filter: a keyword narrows the picker
    page.keyboard.type("夜间施工")
    page.wait_for_selector("#id_category option:checked:has-text('建筑施工噪声')", state="attached")
    page.wait_for_selector("#suggestion:has-text('石牌街道办事处')")
    assert page.locator("#suggestion").get_by_text("派单目录规则建议").is_visible()
    _screenshot(page, "hotline-console.png")
    page.keyboard.press("Alt+s")

    # After intake: the catalogue's unit is preselected; dispatch now.
    page.wait_for_url("**/dispatch")
    number = page.locator("#order-number").inner_text()
    # The unit picker is a combobox (portal/combobox.js): the chosen unit is its item.
    assert (
        page.locator("#id_dispatch-lead_unit + .ts-wrapper .item").inner_text() == "石牌街道办事处"
    )
    page.get_by_role("button", name="立即派单").click()
    page.wait_for_url("**/hotline/console/")
    assert page.get_by_text(f"工单 {number} 已派单").is_visible()
    log_out()

    # The street office: inbox, 签收, reply.
    log_in("shipai")
    page.get_by_role("link", name=re.compile("待办工单")).click()
    row = page.locator(f"tr[data-order='{number}']")
    assert row.locator(".light").inner_text() == "正常"
    _screenshot(page, "hotline-inbox.png")
    _open_order(page, number)
    assert "陈*" in page.locator("#caller").inner_text()  # masked for the unit
    page.locator("#acknowledge").get_by_role("button", name="签收").click()
    page.wait_for_selector("text=已签收")
    page.locator("#reply").get_by_label("答复意见").fill("已责令施工单位夜间停工，并安排巡查。")
    page.locator("#reply").get_by_role("button", name="提交答复").click()
    page.wait_for_selector("#order-status:has-text('已答复')")
    log_out()

    # The supervisor calls back from the callback queue: satisfied.
    log_in("supervisor")
    page.get_by_role("link", name=re.compile("回访评价")).click()
    page.locator(f"tr[data-order='{number}']").get_by_role("link", name=re.compile("回访")).click()
    callback = page.locator("#callback")
    callback.get_by_label("是否联系上").select_option("yes")
    callback.get_by_label("满意度").select_option("satisfied")
    callback.get_by_label("是否解决").select_option("yes")
    callback.get_by_role("button", name="记录回访").click()
    page.wait_for_selector("#order-status:has-text('已办结')")
    page.goto("/hotline/board/")
    page.wait_for_load_state("networkidle")  # the counts, then the screenshot
    _screenshot(page, "hotline-board.png")
    log_out()

    # The caller, without an account, tracks the order by number and phone.
    page.goto("/hotline/track/")
    page.get_by_label("工单号").fill(number)
    page.get_by_label("提交时留的手机号码").fill(CALLER_PHONE)
    page.get_by_role("button", name="查询").click()
    assert page.locator("#order-status").inner_text() == "已办结"
    assert page.get_by_text("已责令施工单位夜间停工").first.is_visible()
    assert "话务员小李" not in page.content()
    order = WorkOrder.objects.get(number=number)
    assert order.status == Status.CLOSED
    assert order.satisfaction == "satisfied"


def test_the_caller_rates_the_reply_on_the_track_page(page, world) -> None:
    order = world.order(acknowledge=True)
    lifecycle_handling.work_order_reply(
        actor=Actor(user=world.shipai_handler, via="web"), order=order, reply="已责令夜间停工。"
    )

    # Without an account: the number and the phone are the proof.
    page.goto(f"/hotline/track/?number={order.number}")
    page.get_by_label("提交时留的手机号码").fill(CALLER_PHONE)
    page.get_by_role("button", name="查询").click()
    rate = page.locator("#rate")
    rate.get_by_label("基本满意").check()
    rate.get_by_label("已解决").check()
    rate.get_by_label("还想说的话").fill("晚上安静多了。")
    rate.get_by_role("button", name="提交评价").click()

    page.wait_for_selector("text=感谢您的评价")
    assert page.locator("#order-status").inner_text() == "已办结"
    assert page.get_by_text("市民评价").is_visible()
    assert page.locator("#rate").count() == 0
    order.refresh_from_db()
    assert (order.status, order.satisfaction, order.resolved) == (Status.CLOSED, "basic", True)


def test_a_return_accepted_and_redispatched(page, world, log_in, log_out) -> None:
    order = world.order()

    log_in("shipai")
    page.goto(f"/hotline/orders/{order.pk}/")
    form = page.locator("#return_request")
    form.get_by_label("退单原因").select_option("not_our_duty")
    form.get_by_label("法律依据").fill("《广州市排水管理办法》第五条")
    form.get_by_label("说明").fill("属排水设施问题，由市水务局负责。")
    pick_unit(form, "建议承办单位", "水务", "广州市水务局")
    form.get_by_role("button", name="申请退单").click()
    page.wait_for_selector("#order-status:has-text('退单审核中')")
    log_out()

    log_in("supervisor")
    page.goto("/hotline/board/")
    # Its counts and duplicate panel arrive after the page (decision 0037); let them land
    # before leaving it (the test database is SQLite in memory: one writer at a time).
    page.wait_for_load_state("networkidle")
    returns = page.locator("#returns")
    assert returns.get_by_text("非本单位职责").is_visible()
    returns.get_by_role("link", name=re.compile("^审核")).click()
    review = page.locator("#return_review")
    review.get_by_label("同意退单并改派").check()
    pick_unit(review, "改派至", "水务", "广州市水务局")
    review.get_by_label("审核意见").fill("同意，改派市水务局。")
    review.get_by_role("button", name="提交审核结果").click()
    page.wait_for_selector("#order-status:has-text('已派单')")
    assert page.locator("#lead-unit").inner_text() == "广州市水务局"
    log_out()

    log_in("water")
    page.goto("/hotline/inbox/")
    assert page.locator(f"tr[data-order='{order.number}']").is_visible()


def test_an_extension_moves_the_deadline(page, world, log_in, log_out) -> None:
    order = world.order(acknowledge=True)
    due_before = SlaClock.objects.get(
        order=order, kind=ClockKind.RESOLUTION, stopped_at__isnull=True
    ).due_at

    log_in("shipai")
    page.goto(f"/hotline/orders/{order.pk}/")
    shown_before = page.locator("li[data-clock='resolution'] .due").inner_text()
    form = page.locator("#extension_request")
    form.get_by_label("延期时长").fill("3")
    form.get_by_label("延期理由").fill("需协调供电部门现场勘查。")
    form.get_by_role("button", name="提交延期申请").click()
    page.wait_for_selector("text=等待热线中心审批")
    log_out()

    log_in("supervisor")
    page.goto("/hotline/board/")
    page.wait_for_load_state("networkidle")  # its counts first (decision 0037)
    page.locator("#extensions").get_by_role("button", name=re.compile("^批准")).click()
    page.wait_for_selector("text=延期申请已审批")
    log_out()

    log_in("shipai")
    page.goto(f"/hotline/orders/{order.pk}/")
    shown_after = page.locator("li[data-clock='resolution'] .due").inner_text()
    assert shown_after > shown_before
    due_after = SlaClock.objects.get(
        order=order, kind=ClockKind.RESOLUTION, stopped_at__isnull=True
    ).due_at
    assert due_after > due_before
