"""The caller's own rating over real HTTP (`POST /api/hotline/work-orders/{number}/caller-rating`):
open to the public, proved by the order's number and phone, limited like the track page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from hongmian.hotline.models import Callback, WorkOrder
from hongmian.hotline.states import Status
from hongmian.hotline.tests.http import HttpClient, HttpResponse
from hongmian.hotline.tracking import TRACK_MISSES_ALLOWED

pytestmark = pytest.mark.django_db

ORDERS = "/api/hotline/work-orders"
PHONE = "13800138000"


def rate(live_server: Any, number: str, **body: Any) -> HttpResponse:
    payload = {"phone": PHONE, "satisfaction": "satisfied", "resolved": True, **body}
    return HttpClient(live_server.url).post(f"{ORDERS}/{number}/caller-rating", json=payload)


def error(response: HttpResponse, status: int, code: str) -> None:
    assert response.status == status, response.text
    assert response.json()["code"] == code, response.text


def test_anyone_with_the_number_and_phone_rates_without_a_key(live_server, flow) -> None:
    order = flow.replied()

    response = rate(live_server, order.number, phone="+86 138-0013-8000", comment="满意")

    assert response.status == 200, response.text
    body = response.json()
    # Where the order stands, and nothing else about it: the request proves no account.
    assert set(body) == {"number", "status", "satisfaction", "resolved", "closed_at"}
    assert (body["number"], body["status"], body["satisfaction"], body["resolved"]) == (
        order.number,
        Status.CLOSED,
        "satisfied",
        True,
    )
    assert WorkOrder.objects.get(pk=order.pk).closed_at is not None
    callback = Callback.objects.get(order=order)
    assert callback.by is None
    assert callback.comment.endswith("满意")


def test_a_wrong_phone_is_the_same_404_as_a_missing_order(live_server, flow) -> None:
    order = flow.replied()

    wrong = rate(live_server, order.number, phone="13900000000")
    missing = rate(live_server, "GZ-20000101-999999")

    error(wrong, 404, "work_order.not_found")
    assert wrong.json() == missing.json()
    order.refresh_from_db()
    assert order.status == Status.REPLIED


def test_only_while_awaiting_the_callback_and_once(live_server, flow) -> None:
    error(rate(live_server, flow.dispatched().number), 409, "work_order.illegal_transition")

    order = flow.replied()
    assert rate(live_server, order.number, satisfaction="dissatisfied").status == 200
    error(rate(live_server, order.number), 409, "work_order.already_rated")
    order.refresh_from_db()
    assert order.status == Status.CALLBACK_REVIEW


def test_bad_bodies_are_422(live_server, flow) -> None:
    order = flow.replied()

    error(rate(live_server, order.number, satisfaction="great"), 422, "validation_failed")
    error(rate(live_server, order.number, tel=PHONE), 422, "validation_failed")
    order.refresh_from_db()
    assert order.status == Status.REPLIED


def test_wrong_guesses_lock_the_api_and_the_track_page_alike(live_server, flow, client) -> None:
    order = flow.replied()
    for _ in range(TRACK_MISSES_ALLOWED):
        error(rate(live_server, order.number, phone="13900000000"), 404, "work_order.not_found")

    error(rate(live_server, order.number), 429, "work_order.too_many_attempts")
    track = client.post(reverse("hotline:track"), {"number": order.number, "phone": PHONE})

    assert track.status_code == 429
    order.refresh_from_db()
    assert order.status == Status.REPLIED
