"""The screen pop in real Chromium: an agent has the console open; the PBX adapter posts
`ringing` and `answered` for the agent's extension over real HTTP; without a reload the
console shows the caller's number in the pop and the phone field, and the caller's earlier
order in the history. How soon it shows is measured by bench/telephony (tests do not time)."""

from __future__ import annotations

import datetime as dt

import pytest

from hongmian.core.actors import Actor
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.hotline.tests.http import HttpClient, api_key_for
from hongmian.identity.models import User
from hongmian.identity.states import Role
from hongmian.telephony.services import (
    CtiEvent,
    cti_event_record,
    extension_assign,
    gateway_register,
)
from tests.browser.test_shell import _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CALLER = "13900009999"


def test_the_console_pops_the_answered_call(page, make_user, log_in, live_server) -> None:
    setup = Actor.cli(None, label="browser-test")
    agent = make_user(Role.HOTLINE_AGENT, username="agent")
    extension_assign(actor=setup, number="8001", user=agent)
    pbx_account = User.objects.create_user(username="pbx", role=Role.HOTLINE_AGENT)
    gateway_register(actor=setup, name="PBX", kind="pbx", user=pbx_account)
    WorkOrderFactory(caller_phone=CALLER, title="上次反映的小区积水")
    pbx = HttpClient(live_server.url, token=api_key_for(pbx_account))

    log_in(agent.username)
    page.goto("/hotline/console/")
    assert page.locator("#screen-pop").is_hidden()
    event = {"call_id": "b-1", "caller": CALLER, "called": "12345", "agent": "8001"}
    ringing = pbx.post(
        "/api/telephony/cti/events",
        json=event
        | {"event_id": "1", "event": "ringing", "occurred_at": "2026-03-02T09:00:00+08:00"},
    )
    assert ringing.status == 200, ringing.text
    assert page.locator("#screen-pop").is_hidden()  # ringing alone does not pop

    answered = pbx.post(
        "/api/telephony/cti/events",
        json=event
        | {"event_id": "2", "event": "answered", "occurred_at": "2026-03-02T09:00:08+08:00"},
    )
    assert answered.status == 200, answered.text
    page.wait_for_selector("#screen-pop:not([hidden])", timeout=5_000)
    assert CALLER in page.locator("#screen-pop").inner_text()
    assert page.locator("#id_caller_phone").input_value() == CALLER
    page.wait_for_selector("#caller-history:has-text('上次反映的小区积水')")
    assert page.locator("#telephony-call").input_value() != ""
    _screenshot(page, "telephony-screen-pop.png")

    # The agent takes the order during the call; the call ends with its recording; the
    # order page then offers the recording (通话录音).
    page.get_by_label("标题", exact=False).first.fill("小区门口积水")
    page.get_by_label("诉求内容").fill("暴雨后小区门口积水一直没有排走。")
    page.keyboard.press("Alt+s")
    page.wait_for_url("**/dispatch")
    ended = pbx.post(
        "/api/telephony/cti/events",
        json=event
        | {
            "event_id": "3",
            "event": "ended",
            "occurred_at": "2026-03-02T09:03:00+08:00",
            "recording_url": "https://pbx.example.gov.cn/rec/b-1.wav",
        },
    )
    assert ended.status == 200, ended.text
    order = WorkOrder.objects.get(title="小区门口积水")
    page.goto(f"/hotline/orders/{order.pk}/")
    recording = page.locator("#telephony").get_by_role("link", name="通话录音")
    recording.wait_for()
    assert recording.get_attribute("href") == "https://pbx.example.gov.cn/rec/b-1.wav"


def test_the_missed_call_queue_is_worked_to_zero(page, make_user, log_in) -> None:
    from tests.browser.test_accessibility import _axe_violations, _describe

    setup = Actor.cli(None, label="browser-test")
    agent = make_user(Role.HOTLINE_AGENT, username="agent")
    pbx_account = User.objects.create_user(username="pbx", role=Role.HOTLINE_AGENT)
    gateway_register(actor=setup, name="PBX", kind="pbx", user=pbx_account)
    pbx_actor = Actor(user=pbx_account, via="api")
    for n, phone in enumerate(("13900001001", "13900001002")):
        cti_event_record(
            actor=pbx_actor,
            event=CtiEvent(
                call_id=f"q-{n}",
                event_id="1",
                event="missed",
                occurred_at=dt.datetime(2026, 3, 2, 9, n, tzinfo=dt.UTC),
                caller=phone,
            ),
        )
    WorkOrderFactory(caller_phone="13900001001", title="上周反映的噪音")

    log_in(agent.username)
    page.goto("/hotline/console/")
    assert page.locator("#missed-calls-link .count").inner_text() == "2"
    page.locator("#missed-calls-link").click()
    page.wait_for_url("**/telephony/missed/")
    assert "待回拨 2 个来电" in page.locator("#missed-count").inner_text()
    first = page.locator("#missed-queue tbody tr").first
    assert "13900001001" in first.inner_text()
    assert "上周反映的噪音" in first.inner_text()
    violations = _axe_violations(page)
    assert not violations, _describe(violations)
    _screenshot(page, "telephony-missed-calls.png")

    first.get_by_label("回拨结果").select_option("retry")
    first.get_by_role("button", name="记录").click()
    page.wait_for_selector("text=已记录回拨结果")
    first = page.locator("#missed-queue tbody tr").first
    assert "已回拨 1 次" in first.inner_text()
    assert "待回拨 2 个来电" in page.locator("#missed-count").inner_text()
    for _ in range(2):
        row = page.locator("#missed-queue tbody tr").first
        row.get_by_label("回拨结果").select_option("invalid")
        row.get_by_role("button", name="记录").click()
        page.wait_for_selector("text=已记录回拨结果")
    assert "待回拨 0 个来电" in page.locator("#missed-count").inner_text()
    assert page.locator("#missed-empty").is_visible()
