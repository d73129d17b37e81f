"""Fault drill (issue 16, item 6): the database goes away under intake and comes back.

While PostgreSQL is unreachable (restarting, failing over) every request — the API on its
bearer-key path, which skips the middleware, and the web pages — is answered 503 with
Retry-After and a code, never a 500; when it is back the same processes serve again with no
restart; an intake retried with its Idempotency-Key makes one order. The outage is this
process's connection pointed at a closed port (the suite's PostgreSQL is shared, it is not
ours to restart): what a client of a restarting server sees — connection refused, then the
connection it had is gone."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from hongmian.core.views import server_error
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.http import api_key_for
from hongmian.hotline.tests.test_api import ORDERS, order_payload


def _client(user: object) -> Client:
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {api_key_for(user)}")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _database_down() -> Iterator[None]:
    conf = connection.settings_dict
    saved = (conf["HOST"], conf["PORT"])
    connection.close()
    conf["HOST"], conf["PORT"] = "127.0.0.1", _closed_port()
    try:
        yield
    finally:
        conf["HOST"], conf["PORT"] = saved
        connection.close()


def _unavailable(response: object) -> None:
    assert response.status_code == 503, response.content  # type: ignore[attr-defined]
    assert response["Retry-After"] == "10"  # type: ignore[index]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_intake_while_the_database_is_down_is_503_then_one_order(agent) -> None:
    api = _client(agent)
    key = {"HTTP_IDEMPOTENCY_KEY": "drill-0001"}
    with _database_down():
        down = api.post(ORDERS, order_payload(), content_type="application/json", **key)
        _unavailable(down)
        assert down.json()["code"] == "service_unavailable"
        _unavailable(api.get(ORDERS))
        page = Client(raise_request_exception=False).get("/services/")
        _unavailable(page)
        assert "系统暂时不可用" in page.content.decode()

    # Back: the same process, no restart; the client retries with its key.
    first = api.post(ORDERS, order_payload(), content_type="application/json", **key)
    assert first.status_code == 201, first.content
    again = api.post(ORDERS, order_payload(), content_type="application/json", **key)
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_a_database_error_in_an_api_operation_is_503_with_a_code(agent) -> None:
    api = _client(agent)
    with mock.patch(
        "hongmian.hotline.api.orders.work_order_intake",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = api.post(ORDERS, order_payload(), content_type="application/json")
    _unavailable(response)
    assert response.json()["code"] == "service_unavailable"
    assert response["Cache-Control"] == "no-store"


def test_the_error_handler_tells_an_outage_from_a_bug() -> None:
    request = RequestFactory().get("/hotline/orders/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    _unavailable(response)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
