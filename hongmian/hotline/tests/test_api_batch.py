"""Batch intake (POST /api/hotline/work-orders/batch): per-item results, idempotent replay of
a whole batch, the size limit, notices queued in one statement, and concurrent identical
batches on PostgreSQL making each order once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from hongmian.core.models import AuditEvent
from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.hotline.services.intake import BATCH_MAX
from hongmian.hotline.tests.http import HttpClient, api_key_for
from hongmian.identity.models import User

BATCH = "/api/hotline/work-orders/batch"


def item(key: str, **overrides: Any) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "channel": "phone",
        "request_type": "complaint",
        "title": f"噪音投诉 {key}",
        "content": "工地夜间施工噪音。",
        "caller_phone": "13812345678",
        "address": "广州市天河区石牌街道天河路1号",
        **overrides,
    }


def post(client: Client, key: str, orders: list[dict[str, Any]]) -> Any:
    return client.post(
        BATCH,
        {"orders": orders},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.fixture
def key(agent: User) -> str:
    return api_key_for(agent)


@pytest.mark.django_db
def test_each_item_stands_alone(key: str) -> None:
    response = post(
        Client(),
        key,
        [
            item("a"),
            item("b", lat=23.1),  # unknown field: refused by the schema
            item("c", caller_phone="12345"),  # refused by the service
            item("d", category="no-such-code"),
            item("e"),
        ],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["replayed"], body["errors"]) == (2, 0, 3)
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["status"] for r in results] == ["created", "error", "error", "error", "created"]
    assert results[1]["error"]["code"] == "validation_failed"
    assert "lat" in results[1]["error"]["fields"]
    assert results[2]["error"]["code"] == "work_order.caller_phone"
    assert results[2]["error"]["fields"] == {"caller_phone": [results[2]["error"]["message"]]}
    assert results[3]["error"]["code"] == "work_order.category"
    assert results[1]["number"] is None
    numbers = {results[0]["number"], results[4]["number"]}
    assert set(WorkOrder.objects.values_list("number", flat=True)) == numbers
    # Each new order has its timeline entry, its audit entry and its SMS notice (the agent
    # has no e-mail address: no e-mail job).
    assert TimelineEntry.objects.filter(kind="received").count() == 2
    assert AuditEvent.objects.filter(action="work_order.intake").count() == 2
    jobs = [r.args_kwargs["kwargs"] for r in DBTaskResult.objects.all()]
    assert sorted(j["channel"] for j in jobs) == ["sms", "sms"]
    order = WorkOrder.objects.get(number=results[0]["number"])
    assert order.district_code == "440106000"
    assert order.idempotency_key == "a"


@pytest.mark.django_db
def test_a_retried_batch_replays_every_item(key: str) -> None:
    orders = [item(f"k{i}") for i in range(5)]
    first = post(Client(), key, orders).json()
    assert first["created"] == 5
    again = post(Client(), key, orders).json()
    assert (again["created"], again["replayed"], again["errors"]) == (0, 5, 0)
    assert [r["number"] for r in again["results"]] == [r["number"] for r in first["results"]]
    assert WorkOrder.objects.count() == 5
    assert DBTaskResult.objects.count() == 5  # no notice twice


@pytest.mark.django_db
def test_a_key_reused_for_another_request_is_that_items_error(key: str) -> None:
    post(Client(), key, [item("k1")])
    body = post(Client(), key, [item("k1", title="另一件事"), item("k2")]).json()
    assert [r["status"] for r in body["results"]] == ["error", "created"]
    assert body["results"][0]["error"]["code"] == "work_order.idempotency_mismatch"
    assert WorkOrder.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_twice_in_one_batch_is_one_order(key: str) -> None:
    body = post(Client(), key, [item("k1"), item("k1"), item("k1", title="不同")]).json()
    assert [r["status"] for r in body["results"]] == ["created", "replayed", "error"]
    assert body["results"][0]["number"] == body["results"][1]["number"]
    assert body["results"][2]["error"]["code"] == "work_order.idempotency_mismatch"
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_an_item_needs_its_idempotency_key(key: str) -> None:
    orders = [item("k1")]
    del orders[0]["idempotency_key"]
    body = post(Client(), key, orders).json()
    assert body["results"][0]["status"] == "error"
    assert "idempotency_key" in body["results"][0]["error"]["fields"]


@pytest.mark.django_db
def test_an_oversize_batch_is_refused_whole(key: str) -> None:
    response = post(Client(), key, [item(f"k{i}") for i in range(BATCH_MAX + 1)])
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "work_order.batch_too_large"
    assert "orders" in body["fields"]
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_needs_authentication() -> None:
    response = Client().post(BATCH, {"orders": [item("k")]}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db
def test_statements_do_not_grow_with_the_batch(key: str) -> None:
    def statements(n: int, prefix: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            post(Client(), key, [item(f"{prefix}{i}") for i in range(n)])
        return len(queries)

    post(Client(), key, [item("warm")])  # the key's row is cached from here on
    small, large = statements(2, "s"), statements(40, "l")
    assert small == large
    # The batch's transaction (a savepoint here, inside the test's) and the savepoint that
    # guards the bulk write, each opened and released; the orders, numbered by the same
    # statement; their timeline, audit and notice rows, the audit rows taking their turn on
    # the chain head (decision 0046: one UPDATE … RETURNING, one to move the head on). No
    # look-up: new keys are told from used ones by the INSERT itself.
    assert large == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_batches_make_each_order_once(live_server, agent: User) -> None:
    api = HttpClient(live_server.url, token=api_key_for(agent))
    orders = [item(f"race-{i}") for i in range(60)]
    barrier = threading.Barrier(6)
    answers: list[tuple[list[dict[str, Any]], Any]] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        # Half send the keys in reverse: lock order must not deadlock either way.
        batch = orders if i % 2 else orders[::-1]
        barrier.wait()
        response = api.post(BATCH, json={"orders": batch}, timeout=60)
        with lock:
            answers.append((batch, response))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [r.status for _, r in answers] == [200] * 6, [r.text for _, r in answers]
    in_db = dict(WorkOrder.objects.values_list("idempotency_key", "number"))
    assert len(in_db) == len(orders) == WorkOrder.objects.count()
    created = 0
    for batch, response in answers:
        body = response.json()
        assert body["errors"] == 0, body
        created += body["created"]
        for sent, result in zip(batch, body["results"], strict=True):
            # Every answer names the one order its key made, whoever made it.
            assert result["number"] == in_db[sent["idempotency_key"]]
    assert created == len(orders)
    assert DBTaskResult.objects.count() == len(orders)  # one notice per order


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_row_the_database_refuses_sends_the_batch_item_by_item(key: str) -> None:
    from hongmian.hotline.services.intake_numbers import NUMBER_SEQUENCE, number_prefix
    from hongmian.hotline.tests.factories import WorkOrderFactory

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [NUMBER_SEQUENCE])
        value = cursor.fetchone()[0]
    # An imported order already holds the number the batch's second order would get.
    WorkOrderFactory(number=f"{number_prefix()}{value + 2:06d}")
    body = post(Client(), key, [item("x1"), item("x2")]).json()
    assert [r["status"] for r in body["results"]] == ["created", "created"], body
    assert WorkOrder.objects.filter(idempotency_key__in=["x1", "x2"]).count() == 2
    assert TimelineEntry.objects.filter(kind="received").count() == 2
