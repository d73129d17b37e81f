"""Input no database can hold is a 4xx naming the field, never a 500 at the first query —
each case found by tests/api/test_schemathesis.py:

- a NUL character anywhere (core.api_errors.refuse_nul_characters): PostgreSQL cannot store
  or even compare one; a batch's items stand alone;
- a moment PostgreSQL cannot take (an offset past ±15:59) or no database can (before year 1
  or after 9999 in UTC);
- a `lead_unit` filter past the id column's range (SQLite's overflow);
- a coordinate too large to round to the micro-degree (now off the globe: the schema's)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.http import api_key_for
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORDER = {
    "channel": "phone",
    "request_type": "complaint",
    "title": "路灯不亮",
    "content": "天河路路灯连续三晚不亮。",
}


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key_for(UserFactory(role=Role.HOTLINE_AGENT))}"}


def _fields(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    return dict(body["fields"])


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/hotline/work-orders?q=%00", "q"),
        ("/api/hotline/work-orders?category=a%00b", "category"),
        ("/api/hotline/work-orders/%00", "number"),
        ("/api/hotline/work-orders/x%00/timeline", "number"),
        ("/api/geo/divisions?parent=%00", "parent"),
        ("/api/knowledge/search?q=%00", "q"),
    ],
)
def test_in_the_path_or_the_query(auth: dict[str, str], url: str, field: str) -> None:
    assert field in _fields(Client().get(url, headers=auth))


def test_in_the_body(auth: dict[str, str]) -> None:
    response = Client().post(
        "/api/hotline/work-orders",
        {**ORDER, "title": "路灯\x00不亮"},
        content_type="application/json",
        headers=auth,
    )
    assert _fields(response) == {"title": ["不能包含空字符（NUL）"]}
    assert not WorkOrder.objects.exists()


def test_a_batch_item_with_one_is_that_items_error(auth: dict[str, str]) -> None:
    orders = [
        {**ORDER, "idempotency_key": "a"},
        {**ORDER, "idempotency_key": "b", "content": "\x00"},
    ]
    response = Client().post(
        "/api/hotline/work-orders/batch",
        {"orders": orders},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["created", "error"]
    assert body["results"][1]["error"]["code"] == "validation_failed"
    assert body["results"][1]["error"]["fields"] == {"content": ["不能包含空字符（NUL）"]}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("created_from=2020-01-01T00:00:00%2B19:34", 200),  # converted to UTC first
        ("created_to=0001-01-01T00:00:00", 422),  # year 0 in UTC
        ("created_from=9999-12-31T23:59:59-08:00", 422),  # year 10000 in UTC
        ("lead_unit=100000000000000000000", 422),
        ("lead_unit=9223372036854775808", 422),
        ("lead_unit=-99999999999999999999", 422),
    ],
)
def test_moments_and_ids_past_the_columns_range(
    auth: dict[str, str], query: str, status: int
) -> None:
    response = Client().get(f"/api/hotline/work-orders?{query}", headers=auth)
    assert response.status_code == status, response.content
    if status == 422:
        assert query.split("=")[0] in _fields(response)


@pytest.mark.parametrize("latitude", [1e30, 1e308, -181, float("nan"), float("inf")])
def test_a_coordinate_off_the_globe_is_refused_by_the_schema(
    auth: dict[str, str], latitude: float
) -> None:
    # 1e30 once reached the service's rounding to the micro-degree (InvalidOperation, a 500).
    response = Client().post(
        "/api/hotline/work-orders",
        {**ORDER, "latitude": latitude, "longitude": 113.3},
        content_type="application/json",
        headers=auth,
    )
    assert list(_fields(response)) == ["latitude"]
    assert not WorkOrder.objects.exists()


def test_a_coordinate_on_the_globe_but_not_in_guangzhou_is_the_services_error(
    auth: dict[str, str],
) -> None:
    response = Client().post(
        "/api/hotline/work-orders",
        {**ORDER, "latitude": 90, "longitude": 180},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "work_order.coordinates"
