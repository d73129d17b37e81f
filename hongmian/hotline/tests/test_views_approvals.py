"""本单位负责人审批 through the Django client: the handler's act held for sign-off, the
manager's 同意 / 退回修改 on the order page, 撤回, the 待审批 page and its count, the settings
page, the manager's home — and what each role is offered while a return is under review."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hongmian.core.models import AuditEvent
from hongmian.hotline.models import SignOffRequest
from hongmian.hotline.services.lifecycle_dispatch import work_order_return_request
from hongmian.hotline.services.signoff import sign_off_policy_set, sign_off_submit
from hongmian.hotline.states import SignOffStatus, Status
from hongmian.hotline.tests.factories import actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

APPROVALS = reverse("hotline:approvals")
SETTINGS = reverse("hotline:approvals_settings")
RETURN = {
    "reason": "not_our_duty",
    "legal_basis": "《广州市供水用水条例》第五条",
    "explanation": "供水管网属市水务局管理。",
}


def url(name: str, order) -> str:
    return reverse(f"hotline:{name}", args=(order.pk,))


@pytest.fixture
def manager(units):
    return UserFactory(role=Role.DEPT_MANAGER, org_unit=units.shipai, display_name="王主任")


@pytest.fixture
def policy(units, manager):
    return sign_off_policy_set(
        actor=actor_of(manager),
        unit=units.shipai,
        require_reply=True,
        require_return=True,
        require_extension=True,
    )


def test_reply_round_trip_on_the_order_page(client, flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = flow.handler(units.shipai)
    client.force_login(handler)
    page = client.get(url("order", order)).content.decode()
    assert "本单位要求此事项先经本单位负责人审批" in page

    response = client.post(
        url("reply", order), {"reply-reply": "已处理", "reply-version": order.version}
    )
    assert response.status_code == 302
    page = client.get(url("order", order)).content.decode()
    assert "待本单位负责人审批" in page
    assert 'id="reply"' not in page  # no second request meanwhile
    assert 'id="sign_off_withdraw"' in page
    row = SignOffRequest.objects.get()

    client.force_login(manager)
    order.refresh_from_db()
    page = client.get(url("order", order)).content.decode()
    assert 'id="sign_off_decide"' in page
    assert "已处理" in page
    # 退回修改 needs a comment: refused with the form shown again.
    data = {
        "sign_off_decide-sign_off": row.pk,
        "sign_off_decide-version": order.version,
        "sign_off_decide-decision": "send_back",
        "sign_off_decide-comment": "",
    }
    assert client.post(url("sign_off_decide", order), data).status_code == 422
    data["sign_off_decide-comment"] = "请写明清运时间"
    assert client.post(url("sign_off_decide", order), data).status_code == 302
    row.refresh_from_db()
    assert row.status == SignOffStatus.SENT_BACK

    client.force_login(handler)
    page = client.get(url("order", order)).content.decode()
    assert "请写明清运时间" in page
    assert ">\n已处理</textarea>" in page  # the form holds what was sent back, to revise
    order.refresh_from_db()
    client.post(
        url("reply", order), {"reply-reply": "已于今日清运", "reply-version": order.version}
    )

    client.force_login(manager)
    order.refresh_from_db()
    pending = SignOffRequest.objects.get(status=SignOffStatus.PENDING)
    response = client.post(
        url("sign_off_decide", order),
        {
            "sign_off_decide-sign_off": pending.pk,
            "sign_off_decide-version": order.version,
            "sign_off_decide-decision": "approve",
            "sign_off_decide-comment": "",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.REPLIED
    assert order.reply == "已于今日清运"
    page = client.get(url("order", order)).content.decode()
    for label in ("提交本单位审批", "本单位负责人退回修改", "本单位负责人同意"):
        assert label in page


def test_a_stale_decision_is_refused(client, flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = actor_of(flow.handler(units.shipai))
    first = sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "甲"})
    client.force_login(manager)
    order.refresh_from_db()
    seen = order.version
    # The handler withdraws and asks again meanwhile: the manager's form names the old one.
    from hongmian.hotline.services.signoff import sign_off_withdraw

    sign_off_withdraw(actor=handler, order=order)
    sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "乙"})
    response = client.post(
        url("sign_off_decide", order),
        {
            "sign_off_decide-sign_off": first.sign_off.pk,
            "sign_off_decide-version": seen,
            "sign_off_decide-decision": "approve",
        },
    )
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == Status.ACKNOWLEDGED


def test_withdraw_from_the_order_page(client, flow, units, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = flow.handler(units.shipai)
    row = sign_off_submit(
        actor=actor_of(handler), order=order, act="extension", payload={"reason": "x", "amount": 2}
    ).sign_off
    client.force_login(handler)
    order.refresh_from_db()
    response = client.post(
        url("sign_off_withdraw", order),
        {"sign_off_withdraw-sign_off": row.pk, "sign_off_withdraw-version": order.version},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == SignOffStatus.WITHDRAWN


def test_the_approvals_page_counts_and_pages(client, flow, units, manager, policy) -> None:
    handler = actor_of(flow.handler(units.shipai))
    orders = [flow.acknowledged(units.shipai, title=f"工单{i}") for i in range(22)]
    for order in orders:
        sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
    flow.acknowledged(units.yuexiu)  # another district's: never listed
    client.force_login(manager)
    first = client.get(APPROVALS).content.decode()
    assert "共 22 件待审批" in first
    assert first.count("<tr data-order=") == 20
    assert orders[0].number in first  # longest waiting first
    second = client.get(APPROVALS, {"page": 2}).content.decode()
    assert second.count("<tr data-order=") == 2
    assert orders[-1].number in second
    home = client.get(reverse("portal:home")).content.decode()
    assert 'id="home-approvals-count">22<' in home
    assert home.count('<li data-order="') == 5


def test_the_approvals_pages_are_the_managers(client, flow, units) -> None:
    for role in (Role.DEPT_HANDLER, Role.HOTLINE_AGENT):
        client.force_login(UserFactory(role=role, org_unit=units.shipai))
        assert client.get(APPROVALS).status_code == 403
        assert client.get(SETTINGS).status_code == 403


def test_the_manager_sets_the_units_policy(client, units, manager) -> None:
    client.force_login(manager)
    assert client.get(SETTINGS).status_code == 200
    response = client.post(SETTINGS, {"require_reply": "on", "require_extension": "on"})
    assert response.status_code == 302
    policy = units.shipai.sign_off_policy
    assert (policy.require_reply, policy.require_return, policy.require_extension) == (
        True,
        False,
        True,
    )
    assert AuditEvent.objects.filter(action="sign_off.policy_set").count() == 1
    assert (
        'name="require_reply" id="id_require_reply" checked'
        in client.get(SETTINGS).content.decode()
    )


# --- 退单审核中: each role sees the acts it really has --------------------------------------


def test_return_under_review_offers_no_acknowledge(client, flow, units, agent) -> None:
    order = flow.dispatched(units.shipai)
    handler = flow.handler(units.shipai)
    order = work_order_return_request(actor=actor_of(handler), order=order, **RETURN)
    assert order.status == Status.RETURN_REQUESTED

    client.force_login(handler)
    page = client.get(url("order", order)).content.decode()
    assert 'id="acknowledge"' not in page
    assert "退单审核中" in page
    assert "等待热线中心审核" in page
    # Nor does the service let a unit's 签收 settle its own return.
    response = client.post(url("acknowledge", order), {"acknowledge-version": order.version})
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == Status.RETURN_REQUESTED

    client.force_login(agent)
    page = client.get(url("order", order)).content.decode()
    assert 'id="return_review"' in page
    assert 'id="supervise"' in page
    assert 'id="acknowledge"' not in page


def test_a_co_handler_still_acknowledges_during_the_review(client, flow, units) -> None:
    order = flow.dispatched(units.shipai, co_units=[units.water])
    order = work_order_return_request(
        actor=actor_of(flow.handler(units.shipai)), order=order, **RETURN
    )
    water = flow.handler(units.water)
    client.force_login(water)
    assert 'id="acknowledge"' in client.get(url("order", order)).content.decode()
    response = client.post(url("acknowledge", order), {"acknowledge-version": order.version})
    assert response.status_code == 302


def test_the_approvals_page_costs_the_same_for_one_or_many(
    client, flow, units, manager, policy
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handler = actor_of(flow.handler(units.shipai))
    client.force_login(manager)
    client.get(APPROVALS)  # the session's first use
    counts = []
    for batch in (1, 8):
        for _ in range(batch):
            order = flow.acknowledged(units.shipai)
            sign_off_submit(actor=handler, order=order, act="reply", payload={"reply": "已处理"})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(APPROVALS).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
