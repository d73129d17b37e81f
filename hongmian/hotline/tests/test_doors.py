"""One act, two doors: the same act through the web screens and through the API calls the
same service the same way and leaves the same audit entries (decision 0025). Reading the
order page is audited when the page is shown, not as part of an act."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hongmian.core.models import AuditEvent
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import Status
from hongmian.hotline.tests.http import api_key_for

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Act:
    name: str  # the web view's URL name, which is also its form's prefix
    api: str  # the API operation's path after the order
    state: str  # the flow fixture's method that brings an order to where the act applies
    by: str  # the fixture of the user who acts
    web_data: Callable[[WorkOrder, Any], dict[str, Any]]
    api_data: Callable[[WorkOrder, Any], dict[str, Any]]
    status: Status


ACTS = [
    Act(
        "dispatch",
        "dispatch",
        "received",
        "agent",
        lambda o, units: {"dispatch-lead_unit": units.shipai.pk, "dispatch-version": o.version},
        lambda o, units: {"lead_unit": units.shipai.pk, "expected_version": o.version},
        Status.DISPATCHED,
    ),
    Act(
        "acknowledge",
        "acknowledge",
        "dispatched",
        "shipai_handler",
        lambda o, units: {"acknowledge-version": o.version},
        lambda o, units: {"expected_version": o.version},
        Status.ACKNOWLEDGED,
    ),
    Act(
        "reply",
        "reply",
        "acknowledged",
        "shipai_handler",
        lambda o, units: {"reply-reply": "已责令施工方夜间停工。", "reply-version": o.version},
        lambda o, units: {"reply": "已责令施工方夜间停工。", "expected_version": o.version},
        Status.REPLIED,
    ),
]


def audited_since(last: int) -> Counter[str]:
    return Counter(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True))


def last_audit() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("act", ACTS, ids=[a.name for a in ACTS])
def test_an_act_leaves_the_same_audit_entries_through_either_door(
    request, client, flow, units, act: Act
) -> None:
    user = request.getfixturevalue(act.by)
    web_order, api_order = getattr(flow, act.state)(), getattr(flow, act.state)()
    key = api_key_for(user)
    client.force_login(user)

    start = last_audit()
    response = client.post(
        reverse(f"hotline:{act.name}", args=(web_order.pk,)), act.web_data(web_order, units)
    )
    assert response.status_code == 302, response.content.decode()[:500]
    through_web = audited_since(start)

    start = last_audit()
    response = Client().post(
        f"/api/hotline/work-orders/{api_order.number}/{act.api}",
        act.api_data(api_order, units),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.content
    through_api = audited_since(start)

    for order in (web_order, api_order):
        order.refresh_from_db()
        assert order.status == act.status
    assert through_web == through_api
    assert through_web[f"work_order.{act.name}"] == 1
    assert "work_order.read" not in through_web


def test_intake_leaves_the_same_audit_entries_through_either_door(client, agent) -> None:
    key = api_key_for(agent)
    client.force_login(agent)
    fields = {
        "channel": "phone",
        "request_type": "complaint",
        "priority": "normal",
        "title": "华师路夜间施工噪音",
        "content": "每晚十一点后仍在施工，影响休息。",
        "caller_name": "陈先生",
        "caller_phone": "13800138000",
        "address": "天河区石牌街道华师路1号",
    }

    start = last_audit()
    response = client.post(reverse("hotline:console"), {**fields, "idempotency_key": "web-1"})
    assert response.status_code == 302, response.content.decode()[:500]
    through_web = audited_since(start)

    start = last_audit()
    response = Client().post(
        "/api/hotline/work-orders",
        fields,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "api-1"},
    )
    assert response.status_code == 201, response.content
    through_api = audited_since(start)

    assert through_web == through_api == Counter({"work_order.intake": 1})


def test_showing_the_order_page_is_an_audited_read(client, flow, agent) -> None:
    """The read is audited where the page is shown — after the act's redirect, or with the
    refused form — as the API audits its read of one order."""
    order = flow.received()
    client.force_login(agent)
    start = last_audit()
    response = client.post(
        reverse("hotline:dispatch", args=(order.pk,)),
        {"dispatch-lead_unit": "", "dispatch-version": order.version},
    )
    assert response.status_code == 400  # refused: the page is shown again with the form
    assert audited_since(start) == Counter({"work_order.read": 1})
    start = last_audit()
    client.get(reverse("hotline:order", args=(order.pk,)))
    assert audited_since(start) == Counter({"work_order.read": 1})
