"""How often the public may file (hotline.limits): each public door refuses past the allowance
with a 429 and Retry-After, files nothing, and staff are never counted."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.factories import CategoryFactory
from hongmian.hotline.tests.http import api_key_for
from hongmian.hotline.tests.test_views_citizen import submit_data

pytestmark = pytest.mark.django_db

ORDERS = "/api/hotline/work-orders"
BODY = {
    "channel": "web",
    "request_type": "help",
    "content": "小区门口路灯坏了一个月，晚上很黑。",
    "address": "越秀区北京街道北京路1号",
    "caller_phone": "13800138000",
}


def test_the_citizen_form_refuses_past_the_hourly_allowance(client, citizen, settings) -> None:
    settings.HONGMIAN_PUBLIC_SUBMISSIONS_PER_HOUR = 2
    client.force_login(citizen)
    for n in range(2):
        submitted = client.post(reverse("hotline:submit"), submit_data(idempotency_key=f"k{n}"))
        assert submitted.status_code == 302

    refused = client.post(reverse("hotline:submit"), submit_data(idempotency_key="k2"))

    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()
    assert WorkOrder.objects.count() == 2


def test_the_api_refuses_a_citizen_with_429_and_retry_after(client, citizen, settings) -> None:
    settings.HONGMIAN_PUBLIC_SUBMISSIONS_PER_HOUR = 1
    client.force_login(citizen)
    first = client.post(ORDERS, json.dumps(BODY), content_type="application/json")
    assert first.status_code == 201, first.content

    refused = client.post(ORDERS, json.dumps(BODY), content_type="application/json")

    assert refused.status_code == 429
    assert refused.json()["code"] == "work_order.too_many_submissions"
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert WorkOrder.objects.count() == 1


def test_staff_taking_calls_are_not_counted(client, agent, settings) -> None:
    settings.HONGMIAN_PUBLIC_SUBMISSIONS_PER_HOUR = 1
    client.force_login(agent)
    body = {**BODY, "channel": "phone"}

    for _ in range(3):
        response = client.post(ORDERS, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content


def test_open311_refuses_a_client_past_its_allowance(client, citizen, settings) -> None:
    settings.HONGMIAN_OPEN311_SUBMISSIONS_PER_HOUR = 1
    city = CategoryFactory(code="01", name="城乡建设")
    appearance = CategoryFactory(code="0101", name="市容环境", parent=city)
    CategoryFactory(code="010101", name="占道经营", parent=appearance)
    key = api_key_for(citizen)
    report = {
        "api_key": key,
        "service_code": "010101",
        "address_string": "广州市越秀区北京街道北京路100号",
        "description": "北京路步行街口有流动摊贩占道经营。",
    }
    first = client.post("/open311/v2/requests.json", report)
    assert first.status_code == 200, first.content

    refused = client.post("/open311/v2/requests.json", report)

    assert refused.status_code == 429
    assert refused.json()[0]["code"] == 429
    assert int(refused["Retry-After"]) > 0
    assert WorkOrder.objects.count() == 1
