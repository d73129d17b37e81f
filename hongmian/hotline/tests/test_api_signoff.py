"""本单位负责人审批 through the JSON API: a held act answers 202 with the request, the manager's
list, approve / send back / withdraw, and the coded errors of each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hongmian.core.actors import Actor
from hongmian.hotline.models import SignOffRequest
from hongmian.hotline.services.signoff import sign_off_policy_set
from hongmian.hotline.states import SignOffStatus, Status
from hongmian.hotline.tests.factories import actor_of
from hongmian.identity.services.api_keys import api_key_create
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/hotline/work-orders"


class Api:
    def __init__(self, client: Any, user: Any) -> None:
        self.client = client
        self.key = api_key_create(actor=Actor.system("test"), user=user, name="test")[1]

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query, HTTP_AUTHORIZATION=f"Bearer {self.key}")

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.key}",
        )


@pytest.fixture
def manager(units):
    return UserFactory(role=Role.DEPT_MANAGER, org_unit=units.shipai)


@pytest.fixture
def policy(units, manager):
    return sign_off_policy_set(
        actor=actor_of(manager),
        unit=units.shipai,
        require_reply=True,
        require_return=False,
        require_extension=True,
    )


def test_a_held_reply_is_202_then_approved(client, flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = Api(client, flow.handler(units.shipai))
    boss = Api(client, manager)

    response = handler.post(f"{ORDERS}/{order.number}/reply", {"reply": "已清运"})
    assert response.status_code == 202, response.content
    held = response.json()
    assert held["act"] == "reply"
    assert held["status"] == "pending"
    assert held["payload"] == {"reply": "已清运"}
    assert held["order"]["status"] == Status.ACKNOWLEDGED
    # A second act meanwhile is refused with its code.
    again = handler.post(f"{ORDERS}/{order.number}/extension", {"reason": "x", "amount": "2"})
    assert again.status_code == 409
    assert again.json()["code"] == "sign_off.pending"

    listed = boss.get("/api/hotline/sign-offs").json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == held["id"]
    assert handler.get("/api/hotline/sign-offs").json()["total"] == 0

    # A handler cannot approve: 403 with its code.
    refused = handler.post(f"{ORDERS}/{order.number}/sign-off/approve", {})
    assert refused.status_code == 403

    done = boss.post(f"{ORDERS}/{order.number}/sign-off/approve", {"sign_off": held["id"]})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "approved"
    assert done.json()["order"]["status"] == Status.REPLIED

    twice = boss.post(f"{ORDERS}/{order.number}/sign-off/approve", {"sign_off": held["id"]})
    assert twice.status_code == 409
    assert twice.json()["code"] == "sign_off.illegal_transition"
    none = boss.post(f"{ORDERS}/{order.number}/sign-off/approve", {})
    assert none.json()["code"] == "sign_off.none_pending"


def test_send_back_needs_a_comment_and_withdraw_is_the_requesters(
    client, flow, units, manager, policy
) -> None:
    order = flow.acknowledged(units.shipai)
    handler = Api(client, flow.handler(units.shipai))
    boss = Api(client, manager)
    held = handler.post(f"{ORDERS}/{order.number}/extension", {"reason": "需勘查", "amount": "3"})
    assert held.status_code == 202
    assert boss.post(f"{ORDERS}/{order.number}/sign-off/send-back", {}).status_code == 422
    back = boss.post(f"{ORDERS}/{order.number}/sign-off/send-back", {"comment": "写明勘查范围"})
    assert back.status_code == 200
    assert back.json()["comment"] == "写明勘查范围"

    again = handler.post(
        f"{ORDERS}/{order.number}/extension", {"reason": "需勘查三处管网", "amount": "3"}
    )
    assert again.status_code == 202
    assert again.json()["revision_of"] == held.json()["id"]
    assert boss.post(f"{ORDERS}/{order.number}/sign-off/withdraw", {}).status_code == 403
    gone = handler.post(f"{ORDERS}/{order.number}/sign-off/withdraw", {})
    assert gone.status_code == 200
    assert gone.json()["status"] == SignOffStatus.WITHDRAWN


def test_acts_without_a_policy_answer_as_before(client, flow, units, manager, policy) -> None:
    order = flow.acknowledged(units.shipai)
    handler = Api(client, flow.handler(units.shipai))
    # Returns are not held by this unit's policy: 200 with the order, as always.
    response = handler.post(
        f"{ORDERS}/{order.number}/return",
        {"reason": "not_our_duty", "legal_basis": "某条例", "explanation": "非本单位职责"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.RETURN_REQUESTED
    assert not SignOffRequest.objects.exists()


def test_another_units_manager_sees_nothing(client, flow, units, policy) -> None:
    order = flow.acknowledged(units.shipai)
    Api(client, flow.handler(units.shipai)).post(
        f"{ORDERS}/{order.number}/reply", {"reply": "已清运"}
    )
    other = Api(client, UserFactory(role=Role.DEPT_MANAGER, org_unit=units.yuexiu))
    assert other.get("/api/hotline/sign-offs").json()["total"] == 0
    response = other.post(f"{ORDERS}/{order.number}/sign-off/approve", {})
    assert response.status_code == 404
    assert response.json()["code"] == "work_order.not_found"


def test_the_list_costs_the_same_for_one_or_many(client, flow, units, manager, policy) -> None:
    """Pinned: a page of the manager's list is a fixed number of queries, however many rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handler = flow.handler(units.shipai)
    boss = Api(client, manager)
    counts = []
    boss.get("/api/hotline/sign-offs")  # the key's first use is recorded once; not the list's
    for batch in (1, 6):
        for _ in range(batch):
            order = flow.acknowledged(units.shipai)
            Api(client, handler).post(f"{ORDERS}/{order.number}/reply", {"reply": "已处理"})
        with CaptureQueriesContext(connection) as queries:
            listed = boss.get("/api/hotline/sign-offs").json()
        counts.append(len(queries))
        assert listed["total"] == len(listed["items"])
    assert counts[0] == counts[1]
    print(f"\nsign-off list: {counts[1]} queries for {listed['total']} rows")
