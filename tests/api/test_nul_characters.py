"""A NUL character in any input of an operation is 422 `validation_failed` naming the field
(core.api_errors.refuse_nul_characters): PostgreSQL cannot store or even compare one, so it
was a 500 there (found by tests/api/test_schemathesis.py). A batch's items stand alone."""

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
