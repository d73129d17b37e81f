"""The hotline API's public contract over real HTTP: taking orders (with idempotent retries),
reading them as each role may, authentication, and bad input answered with 4xx and a code.
Query counts are pinned with Django's test client (same process, no network)."""

from __future__ import annotations

import json
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import Channel
from hongmian.hotline.tests.factories import TimelineEntryFactory, WorkOrderFactory
from hongmian.hotline.tests.fixtures import Units
from hongmian.hotline.tests.http import HttpClient, HttpResponse, as_user
from hongmian.identity import services as identity_services
from hongmian.identity.models import User
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

ORDERS = "/api/hotline/work-orders"


def order_payload(**overrides: Any) -> dict[str, Any]:
    return {
        "channel": "phone",
        "request_type": "complaint",
        "title": "天河路工地夜间施工噪音",
        "content": "天河路1号工地每晚十一点后仍在打桩，影响休息。",
        "caller_name": "陈大文",
        "caller_phone": "13812345678",
        "address": "广州市天河区石牌街道天河路1号",
        "latitude": 23.134,
        "longitude": 113.325,
        **overrides,
    }


def error(response: HttpResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code, body
    return body


# --- taking an order -------------------------------------------------------------------------


def test_create_answers_201_without_personal_data_then_reads_back(live_server, agent) -> None:
    api = as_user(live_server, agent)
    response = api.post(ORDERS, json=order_payload())
    assert response.status == 201, response.text
    created = response.json()
    assert created["status"] == "received"
    assert created["channel"] == "phone"
    assert created["version"] == 1
    assert created["district_code"] == "440106000"
    # The summary shape carries no caller and no free text beyond the title.
    assert not {"caller", "caller_name", "caller_phone", "content", "address"} & set(created)

    detail = api.get(f"{ORDERS}/{created['number']}").json()
    assert detail["caller"] == {"name": "陈大文", "phone": "13812345678", "hidden": False}
    assert detail["content"].startswith("天河路1号工地")
    assert detail["latitude"] == "23.134000"
    assert detail["assignments"] == []

    timeline = api.get(f"{ORDERS}/{created['number']}/timeline").json()
    assert [e["kind"] for e in timeline] == ["received"]
    assert set(timeline[0]) == {"created_at", "kind", "visibility", "text", "unit"}


def test_without_idempotency_key_each_post_is_a_new_order(live_server, agent) -> None:
    api = as_user(live_server, agent)
    first = api.post(ORDERS, json=order_payload())
    second = api.post(ORDERS, json=order_payload())
    assert (first.status, second.status) == (201, 201)
    assert first.json()["number"] != second.json()["number"]
    assert WorkOrder.objects.count() == 2


def test_a_retry_with_the_same_key_returns_the_first_order(live_server, agent) -> None:
    api = as_user(live_server, agent)
    headers = {"Idempotency-Key": "retry-0001"}
    first = api.post(ORDERS, json=order_payload(), headers=headers)
    again = api.post(ORDERS, json=order_payload(), headers=headers)
    assert (first.status, again.status) == (201, 200)
    assert again.json() == first.json()
    assert WorkOrder.objects.count() == 1

    different = api.post(ORDERS, json=order_payload(title="另一件事"), headers=headers)
    error(different, 409, "work_order.idempotency_mismatch")
    assert WorkOrder.objects.count() == 1


def test_idempotency_keys_belong_to_one_account(live_server, agent, supervisor) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    mine = as_user(live_server, agent).post(ORDERS, json=order_payload(), headers=headers)
    theirs = as_user(live_server, supervisor).post(ORDERS, json=order_payload(), headers=headers)
    assert (mine.status, theirs.status) == (201, 201)
    assert mine.json()["number"] != theirs.json()["number"]


def test_an_overlong_idempotency_key_is_refused(live_server, agent) -> None:
    response = as_user(live_server, agent).post(
        ORDERS, json=order_payload(), headers={"Idempotency-Key": "k" * 101}
    )
    body = error(response, 422, "validation_failed")
    assert "Idempotency-Key" in body["fields"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_exactly_one_order(live_server, agent) -> None:
    """Eight clients retry at once (a flaky network, an impatient app): one order, one 201."""
    api = as_user(live_server, agent)
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    numbers: set[str] = set()

    def post() -> None:
        barrier.wait()
        response = api.post(
            ORDERS, json=order_payload(), headers={"Idempotency-Key": "storm-1"}, timeout=60
        )
        statuses.append(response.status)
        numbers.add(response.json()["number"])

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 7 + [201]
    assert len(numbers) == 1
    assert WorkOrder.objects.count() == 1


def test_the_public_file_online_but_not_by_phone(live_server, citizen) -> None:
    api = as_user(live_server, citizen)
    response = api.post(ORDERS, json=order_payload(channel="app", caller_name="", caller_phone=""))
    assert response.status == 201, response.text
    error(api.post(ORDERS, json=order_payload()), 403, "work_order.intake_forbidden")
    # What they filed is theirs to read.
    assert api.get(f"{ORDERS}/{response.json()['number']}").status == 200


# --- bad input -------------------------------------------------------------------------------


BAD_INPUT = [
    # (change to the payload — None removes the field, status, code, field named)
    # A blank or missing title is derived (test_a_blank_title_is_derived); a long one is not.
    ({"title": "长" * 201}, 422, "validation_failed", "title"),
    ({"content": "字" * 5001}, 422, "validation_failed", "content"),
    ({"channel": "fax"}, 422, "validation_failed", "channel"),
    ({"latitude": "north"}, 422, "validation_failed", "latitude"),
    ({"longitude": None}, 422, "work_order.coordinates", "longitude"),
    ({"latitude": 39.9, "longitude": 116.4}, 422, "work_order.coordinates", "latitude"),
    ({"latitude": 113.3, "longitude": 23.1}, 422, "work_order.coordinates", "latitude"),
    ({"caller_phone": "12345"}, 422, "work_order.caller_phone", "caller_phone"),
    ({"category": "no-such"}, 422, "work_order.category", "category"),
    ({"lat": 23.1}, 422, "validation_failed", "lat"),
]


def test_bad_input_is_422_naming_the_field(live_server, agent) -> None:
    api = as_user(live_server, agent)
    for change, status, code, field in BAD_INPUT:
        payload = order_payload()
        for key, value in change.items():
            if value is None:
                payload.pop(key)
            else:
                payload[key] = value
        body = error(api.post(ORDERS, json=payload), status, code)
        assert field in body["fields"], (change, body)
    assert WorkOrder.objects.count() == 0


def test_a_blank_title_is_derived_like_at_the_console(live_server, agent, category) -> None:
    api = as_user(live_server, agent)
    payload = order_payload(content="华师路1号工地每晚打桩到十二点，影响休息。")
    payload.pop("title")
    response = api.post(ORDERS, json=payload)
    assert response.status == 201, response.text
    assert response.json()["title"] == "华师路1号工地每晚打桩到十二点"
    payload = order_payload(title="", category=category.code, content="路灯不亮。已两周")
    response = api.post(ORDERS, json=payload)
    assert response.status == 201, response.text
    assert response.json()["title"] == f"{category.name}：路灯不亮"


def test_malformed_json_is_a_client_error(live_server, agent) -> None:
    api = as_user(live_server, agent)
    for raw in (b"{not json", b'{"title": "x",', b"[1, 2]", b"\xff\xfe", b""):
        response = api.post(ORDERS, data=raw, headers={"Content-Type": "application/json"})
        assert 400 <= response.status < 500, (raw, response.text)
        assert response.json()["code"] in {"bad_request", "validation_failed"}


def test_an_oversize_body_is_413(live_server, agent, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    payload = order_payload(content="大" * 40_000)  # ~120 KB of UTF-8
    error(as_user(live_server, agent).post(ORDERS, json=payload), 413, "payload_too_large")
    assert WorkOrder.objects.count() == 0


# --- authentication --------------------------------------------------------------------------


def test_no_or_bad_credentials_are_401(live_server, agent) -> None:
    anonymous = HttpClient(live_server.url)
    error(anonymous.get(ORDERS), 401, "not_authenticated")
    error(anonymous.post(ORDERS, json=order_payload()), 401, "not_authenticated")
    for header in ("Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "):
        response = anonymous.get(ORDERS, headers={"Authorization": header})
        error(response, 401, "not_authenticated")


def test_a_revoked_key_stops_working_at_once(live_server, agent) -> None:
    api_key, key = identity_services.api_key_create(
        actor=Actor.cli(None), user=agent, name="partner"
    )
    api = HttpClient(live_server.url, token=key)
    assert api.get(ORDERS).status == 200
    identity_services.api_key_revoke(actor=Actor.cli(None), api_key=api_key)
    error(api.get(ORDERS), 401, "not_authenticated")


def _session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_session_works_and_its_unsafe_calls_need_the_csrf_token(live_server, agent) -> None:
    cookie = f"sessionid={_session_cookie(agent)}"
    api = HttpClient(live_server.url)
    assert api.get(ORDERS, headers={"Cookie": cookie}).status == 200

    refused = api.post(ORDERS, json=order_payload(), headers={"Cookie": cookie})
    error(refused, 403, "csrf_failed")

    token = "a" * 32  # the CSRF secret in the cookie must match the header's
    response = api.post(
        ORDERS,
        json=order_payload(),
        headers={"Cookie": f"{cookie}; csrftoken={token}", "X-CSRFToken": token},
    )
    assert response.status == 201, response.text


def test_the_key_printed_by_the_command_works(live_server, agent) -> None:
    out = StringIO()
    call_command(
        "apikey",
        "create",
        "--username",
        agent.username,
        "--name",
        "合作平台",
        stdout=out,
        stderr=StringIO(),
    )
    api = HttpClient(live_server.url, token=out.getvalue().strip())
    assert api.post(ORDERS, json=order_payload()).status == 201
    assert api.get(ORDERS).json()["total"] == 1


# --- reading: forbidden looks like not found -------------------------------------------------


def test_an_order_a_unit_may_not_see_is_404_exactly_like_a_missing_one(
    live_server, units: Units, tianhe_handler, yuexiu_handler
) -> None:
    order = WorkOrderFactory(dispatched=True, lead_unit=units.tianhe)
    outsider = as_user(live_server, yuexiu_handler)
    for path in (f"{ORDERS}/{order.number}", f"{ORDERS}/{order.number}/timeline"):
        hidden = outsider.get(path)
        missing = outsider.get(path.replace(order.number, "GZ-NO-SUCH"))
        assert error(hidden, 404, "work_order.not_found") == missing.json()
    assert as_user(live_server, tianhe_handler).get(f"{ORDERS}/{order.number}").status == 200


def test_a_citizen_sees_only_their_own(live_server, citizen) -> None:
    mine = WorkOrderFactory(submitted_by=citizen, channel=Channel.APP)
    other = WorkOrderFactory()
    api = as_user(live_server, citizen)
    assert api.get(f"{ORDERS}/{mine.number}").status == 200
    error(api.get(f"{ORDERS}/{other.number}"), 404, "work_order.not_found")
    assert [o["number"] for o in api.get(ORDERS).json()["items"]] == [mine.number]


def test_transitions_on_an_invisible_order_are_404_too(
    live_server, units: Units, yuexiu_handler
) -> None:
    order = WorkOrderFactory(dispatched=True, lead_unit=units.tianhe)
    response = as_user(live_server, yuexiu_handler).post(
        f"{ORDERS}/{order.number}/acknowledge", json={}
    )
    error(response, 404, "work_order.not_found")


def test_the_caller_is_masked_for_units_and_hidden_when_confidential(
    live_server, units: Units, tianhe_handler
) -> None:
    plain = WorkOrderFactory(
        dispatched=True, lead_unit=units.tianhe, caller_name="陈大文", caller_phone="13812345678"
    )
    secret = WorkOrderFactory(
        dispatched=True,
        lead_unit=units.tianhe,
        confidential=True,
        caller_name="李秘密",
        caller_phone="13900001111",
        address="广州市天河区石牌街道华师路1号",
    )
    api = as_user(live_server, tianhe_handler)
    shown = api.get(f"{ORDERS}/{plain.number}").json()
    assert shown["caller"] == {"name": "陈**", "phone": "138****5678", "hidden": False}
    withheld = api.get(f"{ORDERS}/{secret.number}").json()
    assert withheld["caller"] == {"name": "", "phone": "", "hidden": True}
    assert withheld["address"] == "广州市天河区石牌街道****"
    assert "李秘密" not in json.dumps(withheld, ensure_ascii=False)
    # Each read of the caller by someone else is audited.
    assert AuditEvent.objects.filter(action="work_order.read").count() == 2


def test_the_timeline_shows_each_reader_their_entries(
    live_server, units: Units, agent, tianhe_handler, citizen
) -> None:
    order = WorkOrderFactory(dispatched=True, lead_unit=units.tianhe, submitted_by=citizen)
    for visibility in ("public", "staff", "internal"):
        TimelineEntryFactory(order=order, visibility=visibility, kind=visibility)
    path = f"{ORDERS}/{order.number}/timeline"

    def kinds(user: User) -> list[str]:
        return [e["kind"] for e in as_user(live_server, user).get(path).json()]

    assert kinds(agent) == ["public", "staff", "internal"]
    assert kinds(tianhe_handler) == ["public", "staff"]
    assert kinds(citizen) == ["public"]


# --- the list: filters, pagination, query counts ---------------------------------------------


@pytest.fixture
def listed(db, units: Units, category) -> dict[str, WorkOrder]:
    return {
        "received": WorkOrderFactory(title="井盖缺失", channel=Channel.WEB),
        "dispatched": WorkOrderFactory(
            dispatched=True, lead_unit=units.tianhe, category=category, title="噪音扰民"
        ),
        "replied": WorkOrderFactory(
            replied=True, lead_unit=units.yuexiu, district_code="440104000", title="路灯不亮"
        ),
    }


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _numbers(client: Client, **params: Any) -> list[str]:
    response = client.get(ORDERS, params)
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_list_filters(listed: dict[str, WorkOrder], agent, units: Units, category) -> None:
    client = _client(agent)
    n = {k: v.number for k, v in listed.items()}
    assert _numbers(client, status="dispatched") == [n["dispatched"]]
    assert set(_numbers(client, status=["dispatched", "replied"])) == {
        n["dispatched"],
        n["replied"],
    }
    assert _numbers(client, channel="web") == [n["received"]]
    assert _numbers(client, category=category.code) == [n["dispatched"]]
    # A parent category stands for its children.
    assert _numbers(client, category=category.parent.code) == [n["dispatched"]]
    assert _numbers(client, district_code="440104000") == [n["replied"]]
    assert _numbers(client, lead_unit=units.yuexiu.pk) == [n["replied"]]
    assert _numbers(client, q="路灯") == [n["replied"]]
    assert _numbers(client, q=n["received"]) == [n["received"]]
    assert _numbers(client, request_type="inquiry") == []
    assert _numbers(client, created_from="2000-01-01T00:00:00+08:00", created_to="2000-01-02") == []
    assert len(_numbers(client, created_from="2000-01-01")) == 3


def test_list_pages_and_orders(listed: dict[str, WorkOrder], agent) -> None:
    client = _client(agent)
    by_number = sorted(o.number for o in listed.values())
    first = client.get(ORDERS, {"ordering": "number", "limit": 2}).json()
    assert first["total"] == 3
    assert (first["limit"], first["offset"]) == (2, 0)
    assert [i["number"] for i in first["items"]] == by_number[:2]
    rest = client.get(ORDERS, {"ordering": "number", "limit": 2, "offset": 2}).json()
    assert [i["number"] for i in rest["items"]] == by_number[2:]
    assert _numbers(client, ordering="-number") == by_number[::-1]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"ordering": "caller_phone"}, {"status": "x"}],
)
def test_list_refuses_bad_parameters(agent, params: dict[str, Any]) -> None:
    response = _client(agent).get(ORDERS, params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_list_query_count_is_flat(
    listed: dict[str, WorkOrder], units: Units, agent, tianhe_handler, django_assert_num_queries
) -> None:
    # Session and user; count; the page (category and unit joined in); then the three
    # statements that renew the session (SESSION_SAVE_EVERY_REQUEST). A unit handler's scope
    # reads their unit's path once more. Never one query per row.
    for _ in range(10):
        WorkOrderFactory(dispatched=True, lead_unit=units.tianhe)
    for user, queries in ((agent, 7), (tianhe_handler, 8)):
        client = _client(user)
        with django_assert_num_queries(queries):
            body = client.get(ORDERS, {"limit": 200}).json()
        assert body["total"] == len(body["items"]) > 1


def test_a_unit_lists_what_it_and_its_sub_units_hold(
    listed: dict[str, WorkOrder], units: Units, tianhe_handler, yuexiu_handler
) -> None:
    below = WorkOrderFactory(dispatched=True, lead_unit=units.shipai)
    assert set(_numbers(_client(tianhe_handler))) == {listed["dispatched"].number, below.number}
    assert _numbers(_client(yuexiu_handler)) == [listed["replied"].number]


def test_a_role_without_hotline_access_lists_nothing(listed: dict[str, WorkOrder]) -> None:
    client = _client(UserFactory(role=Role.DATA_STEWARD))
    assert client.get(ORDERS).json() == {
        "total": 0,
        "limit": 50,
        "offset": 0,
        # The queue contract's names for the same page (decision 0028).
        "count": 0,
        "page": 1,
        "per_page": 50,
        "num_pages": 1,
        "items": [],
    }
    response = client.get(f"{ORDERS}/{listed['received'].number}")
    assert response.status_code == 404
    assert response.json()["code"] == "work_order.not_found"
