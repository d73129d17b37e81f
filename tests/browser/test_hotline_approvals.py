"""本单位负责人审批 in real Chromium, with axe-core on each of its screens: the street's
manager turns sign-off on for replies; the handler replies and is told the reply waits; the
manager, from the home page's 待审批, sends it back with a comment; the handler revises the
reply the form kept; the manager approves from 待审批; the order is replied, and its timeline
shows each step."""

from __future__ import annotations

import re

import pytest

from hongmian.hotline.models import SignOffRequest, WorkOrder
from hongmian.hotline.states import SignOffStatus, Status
from hongmian.identity.models import User
from hongmian.identity.states import Role
from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import _axe_violations, _describe
from tests.browser.test_hotline_flows import World, log_out, world  # noqa: F401  (fixtures)
from tests.browser.test_shell import _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page) -> None:
    violations = _axe_violations(page)
    assert not violations, _describe(violations)


def _open(page, number: str) -> None:
    page.get_by_role("link", name=number).first.click()
    page.wait_for_selector("#order-number")


def test_the_sign_off_round_trip(page, world: World, log_in, log_out) -> None:  # noqa: F811
    User.objects.create_user(
        username="boss",
        password=PASSWORD,
        role=Role.DEPT_MANAGER,
        org_unit=world.shipai,
        display_name="石牌负责人",
    )
    order = world.order(acknowledge=True)
    number = order.number
    # Seven steps across three logins: on a busy machine a page may take more than 10 s.
    page.set_default_timeout(30_000)

    # The manager's home promises 待审批 and keeps it: none yet. Sign-off for replies on.
    log_in("boss")
    assert page.locator("#home-approvals-count").inner_text() == "0"
    page.locator("#home-approvals").get_by_role("link", name="本单位审批设置").click()
    _assert_accessible(page)
    page.get_by_label("办结答复须经本单位负责人审批").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已保存本单位的审批设置")
    assert page.get_by_label("办结答复须经本单位负责人审批").is_checked()
    log_out()

    # The handler replies: it waits for the manager, and no second reply is offered.
    log_in("shipai")
    page.goto(f"/hotline/orders/{order.pk}/")
    reply = page.locator("#reply")
    assert "本单位要求此事项先经本单位负责人审批" in reply.inner_text()
    reply.get_by_label("答复意见").fill("已责令施工单位停工。")
    reply.get_by_role("button", name="提交审批").click()
    page.wait_for_selector("#sign-off-status:has-text('待本单位负责人审批')")
    assert page.locator("#order-status").inner_text() == "办理中"
    assert page.locator("#reply").count() == 0
    assert page.locator("#sign_off_withdraw").is_visible()
    log_out()

    # The manager: the home counts it and links to the order; 退回修改 with a comment.
    log_in("boss")
    assert page.locator("#home-approvals-count").inner_text() == "1"
    _assert_accessible(page)
    page.locator("#home-approvals").get_by_role("link", name=number).click()
    page.wait_for_selector("#sign_off_decide")
    decide = page.locator("#sign_off_decide")
    assert "已责令施工单位停工。" in decide.inner_text()
    decide.get_by_label("审批意见").fill("请写明停工时间和巡查安排。")
    _screenshot(page, "hotline-sign-off.png")
    _assert_accessible(page)
    decide.get_by_role("button", name="退回修改").click()
    page.wait_for_selector("text=已退回经办人修改")
    log_out()

    # The handler sees why, revises what the form kept, and submits again.
    log_in("shipai")
    page.goto(f"/hotline/orders/{order.pk}/")
    assert "请写明停工时间和巡查安排。" in page.locator("#sign-off-comment").inner_text()
    field = page.locator("#reply").get_by_label("答复意见")
    assert field.input_value().strip() == "已责令施工单位停工。"
    field.fill("已责令施工单位每晚22时后停工，街道每晚巡查两周。")
    page.locator("#reply").get_by_role("button", name="提交审批").click()
    page.wait_for_selector("#sign-off-status:has-text('待本单位负责人审批')")
    log_out()

    # The manager approves from 待审批: the order is replied with the revised text.
    log_in("boss")
    page.get_by_role("link", name=re.compile("待审批")).first.click()
    page.wait_for_url("**/hotline/approvals/")
    assert page.locator("#approvals-total").inner_text() == "共 1 件待审批"
    row = page.locator(f"tr[data-order='{number}']")
    assert row.get_by_text("办结答复").is_visible()
    _assert_accessible(page)
    _open(page, number)
    page.locator("#sign_off_decide").get_by_role("button", name="同意").click()
    page.wait_for_selector("#order-status:has-text('已答复')")
    timeline = page.locator(".timeline").inner_text()
    steps = ["提交本单位审批", "本单位负责人退回修改", "提交本单位审批", "本单位负责人同意", "答复"]
    start = 0
    for step in steps:  # each step, in this order
        found = timeline.find(step, start)
        assert found >= 0, f"{step} missing after position {start}: {timeline}"
        start = found + len(step)
    assert "请写明停工时间和巡查安排。" in timeline
    assert page.locator("#home-approvals-count").count() == 0  # not on the order page
    page.goto("/")
    assert page.locator("#home-approvals-count").inner_text() == "0"

    order = WorkOrder.objects.get(number=number)
    assert order.status == Status.REPLIED
    assert order.reply == "已责令施工单位每晚22时后停工，街道每晚巡查两周。"
    statuses = list(SignOffRequest.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [SignOffStatus.SENT_BACK, SignOffStatus.APPROVED]
