"""承办单位待办 through the Django client: the inbox and its lights, the order page as a unit
sees it, and the unit's acts — 签收, notes, reply, co-handling, 退单, 延期, 下派."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hongmian.hotline.models import ExtensionRequest, ReturnRequest, SlaClock
from hongmian.hotline.services import sla
from hongmian.hotline.states import AssignmentStatus, ClockKind, Status
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("hotline:inbox")


def url(name: str, order) -> str:
    return reverse(f"hotline:{name}", args=(order.pk,))


def test_the_inbox_lists_the_units_orders_with_lights(client, flow, units, shipai_handler) -> None:
    mine = flow.dispatched(units.shipai, title="石牌的工单")
    late = flow.dispatched(units.shipai, title="超时的工单")
    SlaClock.objects.filter(order=late, kind=ClockKind.RESOLUTION).update(
        due_at=timezone.now() - dt.timedelta(hours=1),
        yellow_at=timezone.now() - dt.timedelta(hours=2),
    )
    sla.sla_order_clocks_sync(order=late)
    others = flow.dispatched(units.yuexiu, title="越秀的工单")
    client.force_login(shipai_handler)

    response = client.get(INBOX)

    html = response.content.decode()
    assert response.status_code == 200
    assert mine.number in html
    assert others.number not in html
    assert 'class="light light--red">超时' in html
    assert 'class="light light--green">正常' in html
    # The overdue order comes first.
    assert html.index(late.number) < html.index(mine.number)


def test_a_district_sees_its_streets_orders(client, flow, units, tianhe_handler) -> None:
    order = flow.dispatched(units.shipai)
    client.force_login(tianhe_handler)

    assert order.number in client.get(INBOX).content.decode()


def test_the_inbox_is_for_units_only(client, agent, citizen) -> None:
    for user in (agent, citizen):
        client.force_login(user)
        assert client.get(INBOX).status_code == 403


def test_another_units_order_looks_missing(client, flow, units, yuexiu_handler) -> None:
    order = flow.dispatched(units.shipai)
    client.force_login(yuexiu_handler)

    assert client.get(url("order", order)).status_code == 404
    response = client.post(url("acknowledge", order), {"acknowledge-version": order.version})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED


def test_an_agent_cannot_use_the_units_acts(client, flow, agent) -> None:
    order = flow.dispatched()
    client.force_login(agent)

    for name in ("acknowledge", "reply", "return_request", "extension_request"):
        assert client.post(url(name, order), {}).status_code == 403


def test_a_confidential_caller_is_never_shown_to_the_unit(client, flow, shipai_handler) -> None:
    order = flow.dispatched(confidential=True, caller_name="王秘密", caller_phone="13912345678")
    client.force_login(shipai_handler)

    html = client.get(url("order", order)).content.decode()

    assert "王秘密" not in html
    assert "1391234" not in html
    assert "5678" not in html
    assert "华师路1号" not in html
    assert "保密（不向承办单位显示）" in html


def test_a_unit_sees_the_caller_masked(client, flow, shipai_handler) -> None:
    order = flow.dispatched()
    client.force_login(shipai_handler)

    html = client.get(url("order", order)).content.decode()

    assert "陈*" in html
    assert "138****8000" in html
    assert "13800138000" not in html


def test_acknowledge_then_reply(client, flow, shipai_handler) -> None:
    order = flow.dispatched()
    client.force_login(shipai_handler)

    page = client.get(url("order", order)).content.decode()
    assert 'id="acknowledge"' in page
    assert 'id="reply"' not in page  # only once 签收

    response = client.post(url("acknowledge", order), {"acknowledge-version": order.version})
    assert response["Location"] == url("order", order)
    order.refresh_from_db()
    assert order.status == Status.ACKNOWLEDGED

    client.post(
        url("progress", order),
        {"progress-text": "已联系施工方。", "progress-visibility": "public"},
    )
    response = client.post(
        url("reply", order), {"reply-reply": "已责令施工方夜间停工。", "reply-version": ""}
    )
    order.refresh_from_db()
    assert response.status_code == 302
    assert order.status == Status.REPLIED
    assert order.reply == "已责令施工方夜间停工。"
    timeline = client.get(url("order", order)).content.decode()
    assert "已联系施工方。" in timeline
    assert "签收" in timeline


def test_a_stale_version_is_refused_with_the_services_message(client, flow, shipai_handler) -> None:
    order = flow.acknowledged()
    client.force_login(shipai_handler)

    response = client.post(
        url("reply", order), {"reply-reply": "答复", "reply-version": order.version - 1}
    )

    assert response.status_code == 409
    assert "工单已被他人更新，请刷新后重试" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.ACKNOWLEDGED


def test_an_empty_reply_is_refused(client, flow, shipai_handler) -> None:
    order = flow.acknowledged()
    client.force_login(shipai_handler)

    response = client.post(url("reply", order), {"reply-reply": ""})

    assert response.status_code == 400
    assert 'id="reply"' in response.content.decode()


def test_return_with_reason_within_the_window(client, flow, units, shipai_handler) -> None:
    order = flow.dispatched()
    client.force_login(shipai_handler)
    assert 'id="return_request"' in client.get(url("order", order)).content.decode()

    response = client.post(
        url("return_request", order),
        {
            "return_request-reason": "not_our_duty",
            "return_request-legal_basis": "《广州市排水管理办法》第五条",
            "return_request-explanation": "属市水务局职责。",
            "return_request-suggested_unit": units.water.pk,
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.RETURN_REQUESTED
    request = ReturnRequest.objects.get()
    assert request.suggested_unit == units.water


def test_no_return_after_the_window(client, flow, shipai_handler) -> None:
    order = flow.dispatched()
    order.assignments.update(created_at=timezone.now() - dt.timedelta(days=30))
    client.force_login(shipai_handler)

    page = client.get(url("order", order)).content.decode()
    response = client.post(
        url("return_request", order),
        {
            "return_request-reason": "not_our_duty",
            "return_request-legal_basis": "三定方案",
            "return_request-explanation": "不属本单位。",
        },
    )

    assert 'id="return_request"' not in page
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED


def test_ask_for_an_extension(client, flow, shipai_handler) -> None:
    order = flow.acknowledged()
    client.force_login(shipai_handler)

    response = client.post(
        url("extension_request", order),
        {"extension_request-amount": "3", "extension_request-reason": "需协调多个部门。"},
    )

    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    assert extension.amount == Decimal(3)
    page = client.get(url("order", order)).content.decode()
    assert 'id="extension_request"' not in page  # one pending request at a time


def test_a_district_dispatches_on_to_its_street(client, flow, units) -> None:
    manager = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.tianhe)
    order = flow.acknowledged(units.tianhe)
    client.force_login(manager)
    page = client.get(url("order", order)).content.decode()
    assert 'id="subdispatch"' in page

    response = client.post(
        url("subdispatch", order),
        {"subdispatch-unit": units.liede.pk, "subdispatch-note": "请猎德街道办理。"},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.lead_unit == units.liede
    assert order.status == Status.DISPATCHED


def test_a_district_cannot_dispatch_to_another_districts_street(client, flow, units) -> None:
    manager = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.tianhe)
    order = flow.acknowledged(units.tianhe)
    client.force_login(manager)

    response = client.post(url("subdispatch", order), {"subdispatch-unit": units.yuexiu.pk})

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.lead_unit == units.tianhe


def test_a_co_handler_sees_its_part_and_gives_it(client, flow, units, water_handler) -> None:
    order = flow.dispatched(units.shipai, co_units=[units.water])
    client.force_login(water_handler)

    inbox = client.get(INBOX).content.decode()
    assert order.number in inbox
    assert "协办" in inbox
    page = client.get(url("order", order)).content.decode()
    assert 'id="reply"' not in page  # the answer to the caller is the lead unit's

    client.post(url("acknowledge", order), {})
    response = client.post(url("co_reply", order), {"co_reply-reply": "排水设施已疏通。"})

    assert response.status_code == 302
    assignment = order.assignments.get(unit=units.water)
    assert assignment.status == AssignmentStatus.REPLIED
    assert "排水设施已疏通。" in client.get(url("order", order)).content.decode()


def test_the_inbox_costs_the_same_queries_for_more_orders(client, flow, units, shipai_handler):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    flow.dispatched(units.shipai)
    client.force_login(shipai_handler)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INBOX).status_code == 200
        return len(queries)

    few = count()
    for _ in range(3):
        flow.dispatched(units.shipai, co_units=[units.water])
    assert count() == few
