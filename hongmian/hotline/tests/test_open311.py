"""Open311 GeoReport v2 at /open311/v2/ over real HTTP: the spec's JSON and XML shapes, the
POST → GET round trip by id and by token, and its errors (never a 500)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.open311 import serialisers
from hongmian.hotline.states import Channel, RequestType, Status
from hongmian.hotline.tests.factories import CategoryFactory, SlaClockFactory, WorkOrderFactory
from hongmian.hotline.tests.fixtures import Units
from hongmian.hotline.tests.http import HttpClient, HttpResponse, api_key_for
from hongmian.identity.models import User
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

V2 = "/open311/v2"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def services(db) -> dict[str, Category]:
    city = CategoryFactory(code="01", name="城乡建设")
    appearance = CategoryFactory(code="0101", name="市容环境", parent=city)
    stalls = CategoryFactory(
        code="010101",
        name="占道经营",
        parent=appearance,
        description="流动摊贩占用道路经营",
        keywords="摆摊、占道、小贩",
        sort_order=1,
    )
    litter = CategoryFactory(code="010102", name="垃圾乱堆", parent=appearance, sort_order=2)
    CategoryFactory(code="010103", name="已停用", parent=appearance, is_active=False)
    closed_branch = CategoryFactory(code="0102", name="停用分支", parent=city, is_active=False)
    CategoryFactory(code="010201", name="停用分支下", parent=closed_branch)
    return {"stalls": stalls, "litter": litter, "appearance": appearance}


@pytest.fixture
def app_account(db) -> User:
    """The account a citizens' app posts through (one account for all its users)."""
    return UserFactory(role=Role.CITIZEN, username="open311-app")


@pytest.fixture
def app(live_server, app_account: User) -> tuple[HttpClient, str]:
    return HttpClient(live_server.url), api_key_for(app_account)


def report(key: str, **overrides: str) -> dict[str, str]:
    return {
        "api_key": key,
        "jurisdiction_id": "guangzhou.gov.cn",
        "service_code": "010101",
        "lat": "23.1291",
        "long": "113.2644",
        "address_string": "广州市越秀区北京街道北京路100号",
        "description": "北京路步行街口有流动摊贩占道经营，行人难以通过。",
        "first_name": "小明",
        "last_name": "张",
        "phone": "13800138000",
        "email": "zhang@example.com",
        "media_url": "https://example.com/photo.jpg",
        **overrides,
    }


def errors_of(response: HttpResponse, status: int, fmt: str = "json") -> list[str]:
    """The spec's error list: asserts its shape in either format, returns the descriptions."""
    assert response.status == status, response.text
    if fmt == "json":
        assert response.content_type == serialisers.JSON_CONTENT_TYPE
        body = response.json()
        assert isinstance(body, list)
        assert body
        for item in body:
            assert set(item) == {"code", "description"}
            assert item["code"] == status
        return [item["description"] for item in body]
    assert response.content_type == serialisers.XML_CONTENT_TYPE
    root = response.xml()
    assert root.tag == "errors"
    assert {child.tag for child in root} == {"error"}
    for child in root:
        assert [e.tag for e in child] == ["code", "description"]
        assert child.findtext("code") == str(status)
    return [child.findtext("description") or "" for child in root]


# --- the pure serialiser ---------------------------------------------------------------------


def test_xml_has_the_declaration_and_drops_characters_xml_cannot_carry() -> None:
    body = serialisers.to_xml(
        "service_requests", [{"description": "噪音\x00\x07扰民\ufffe", "x": None}]
    )
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<service_requests>')
    root = ET.fromstring(body)  # noqa: S314  (our own output)
    assert root.find("request/description").text == "噪音扰民"
    assert root.find("request/x").text is None


def test_lists_nest_under_the_specs_element_names() -> None:
    root = ET.fromstring(  # noqa: S314  (our own output)
        serialisers.to_xml("discovery", {"endpoints": [{"formats": ["text/xml", "a/json"]}]})
    )
    assert [e.text for e in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "a/json",
    ]


def test_datetimes_are_in_guangzhou_time_with_the_offset() -> None:
    moment = dt.datetime(2026, 5, 1, 1, 30, tzinfo=dt.UTC)
    assert serialisers.w3c_datetime(moment) == "2026-05-01T09:30:00+08:00"


# --- discovery and services ------------------------------------------------------------------


def test_discovery(live_server) -> None:
    body = HttpClient(live_server.url).get(f"{V2}/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["url"] == f"{live_server.url}{V2}/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = HttpClient(live_server.url).get(f"{V2}/discovery.xml").xml()
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_json(live_server, services) -> None:
    response = HttpClient(live_server.url).get(f"{V2}/services.json")
    assert response.status == 200
    assert response.content_type == "application/json; charset=utf-8"
    body = response.json()
    assert [s["service_code"] for s in body] == ["010101", "010102"]
    assert list(body[0]) == SERVICE_FIELDS
    assert body[0] == {
        "service_code": "010101",
        "service_name": "占道经营",
        "description": "城乡建设 / 市容环境 / 占道经营：流动摊贩占用道路经营",
        "metadata": False,
        "type": "realtime",
        "keywords": "摆摊, 占道, 小贩",
        "group": "城乡建设",
    }


def test_services_xml(live_server, services) -> None:
    response = HttpClient(live_server.url).get(f"{V2}/services.xml")
    assert response.status == 200
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = response.xml()
    assert root.tag == "services"
    assert [s.tag for s in root] == ["service", "service"]
    first = root[0]
    assert [e.tag for e in first] == SERVICE_FIELDS
    assert first.findtext("metadata") == "false"
    assert first.findtext("group") == "城乡建设"
    # A category without a note is described by its path alone.
    assert root[1].findtext("description") == "城乡建设 / 市容环境 / 垃圾乱堆"


def test_service_definition(live_server, services) -> None:
    api = HttpClient(live_server.url)
    assert api.get(f"{V2}/services/010101.json").json() == {
        "service_code": "010101",
        "attributes": [],
    }
    root = api.get(f"{V2}/services/010101.xml").xml()
    assert root.tag == "service_definition"
    assert [e.tag for e in root] == ["service_code", "attributes"]
    # Unknown, inactive, or not a leaf: not a service.
    for code, fmt in (("999999", "json"), ("010103", "xml"), ("0101", "json")):
        (description,) = errors_of(api.get(f"{V2}/services/{code}.{fmt}"), 404, fmt)
        assert code in description


# --- POST then GET ---------------------------------------------------------------------------


def test_post_then_get_by_id_and_by_token(live_server, services, app, app_account) -> None:
    api, key = app
    response = api.post(f"{V2}/requests.json", form=report(key))
    assert response.status == 200, response.text
    (created,) = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None

    order = WorkOrder.objects.get(number=created["service_request_id"])
    assert order.channel == Channel.OPEN311
    assert order.request_type == RequestType.HELP
    assert order.category == services["stalls"]
    assert order.submitted_by == app_account
    assert order.caller_name == "张小明"
    assert order.caller_phone == "13800138000"
    assert str(order.latitude) == "23.129100"
    assert order.title.startswith("占道经营：北京路步行街口")
    assert order.district_code == "440104000"
    assert len(order.external_ref) == 32

    auth = {"Authorization": f"Bearer {key}"}
    (item,) = api.get(f"{V2}/requests/{order.number}.json", headers=auth).json()
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == order.number
    assert item["status"] == "open"
    assert item["service_code"] == "010101"
    assert item["service_name"] == "占道经营"
    assert item["description"] == "北京路步行街口有流动摊贩占道经营，行人难以通过。"
    assert item["lat"] == pytest.approx(23.1291)
    assert item["long"] == pytest.approx(113.2644)
    assert item["requested_datetime"].endswith("+08:00")
    assert item["address"] == "广州市越秀区北京街道北京路100号"

    # api_key as a parameter works as well as the header.
    xml = api.get(f"{V2}/requests/{order.number}.xml", params={"api_key": key}).xml()
    assert xml.tag == "service_requests"
    assert [e.tag for e in xml.find("request")] == REQUEST_FIELDS

    by_token = api.get(f"{V2}/tokens/{order.external_ref}.json").json()
    assert by_token == [{"service_request_id": order.number, "token": order.external_ref}]
    root = api.get(f"{V2}/tokens/{order.external_ref}.xml").xml()
    assert [e.tag for e in root.find("request")] == ["service_request_id", "token"]


def test_batch_services_answer_with_a_token(live_server, services, app, settings) -> None:
    settings.HONGMIAN_OPEN311_SERVICE_TYPE = "batch"
    api, key = app
    assert api.get(f"{V2}/services.json").json()[0]["type"] == "batch"
    root = api.post(f"{V2}/requests.xml", form=report(key)).xml()
    request = root.find("request")
    assert [e.tag for e in request] == ["token", "service_notice", "account_id"]
    token = request.findtext("token")
    number = api.get(f"{V2}/tokens/{token}.xml").xml().findtext("request/service_request_id")
    assert WorkOrder.objects.get(external_ref=token).number == number


def test_an_address_alone_is_a_location(live_server, services, app) -> None:
    api, key = app
    form = report(key, lat="", long="")
    assert api.post(f"{V2}/requests.json", form=form).status == 200
    assert WorkOrder.objects.get().latitude is None


def test_unknown_token_is_404(live_server) -> None:
    errors_of(HttpClient(live_server.url).get(f"{V2}/tokens/nope.xml"), 404, "xml")


# --- POST errors -----------------------------------------------------------------------------


POST_ERRORS = [
    # (change to the report, status, a word the description must contain)
    ({"api_key": ""}, 403, "api_key"),
    ({"api_key": "hm_000000000000_wrong"}, 403, "api_key"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "999999"}, 404, "service_code"),
    ({"service_code": "010103"}, 404, "service_code"),
    ({"long": ""}, 400, "lat and long"),
    ({"lat": "north"}, 400, "lat and long"),
    ({"lat": "95", "long": "10"}, 400, "lat and long"),
    ({"lat": "NaN"}, 400, "lat and long"),
    ({"lat": "39.9", "long": "116.4"}, 400, "lat:"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "location"),
    ({"lat": "", "long": "", "address_string": "", "address_id": "7"}, 400, "address_id"),
    ({"description": "长" * 4001}, 400, "description"),
    ({"phone": "12345"}, 400, "phone:"),
    ({"jurisdiction_id": "shenzhen.gov.cn"}, 404, "jurisdiction_id"),
]


def test_post_errors(live_server, services, app) -> None:
    api, key = app
    for change, status, needle in POST_ERRORS:
        for fmt in ("json", "xml"):
            response = api.post(f"{V2}/requests.{fmt}", form=report(key, **change))
            descriptions = errors_of(response, status, fmt)
            assert any(needle in d for d in descriptions), (change, descriptions)
    assert WorkOrder.objects.count() == 0


OTHER_BODIES = [
    ("application/json", b'{"service_code": "010101"'),
    ("application/json", b'{"service_code": "010101", "lat": 23.1, "long": 113.2}'),
    ("text/xml", b"<service_request><service_code>010101"),
    (
        "application/xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
    ),
]


def test_bodies_other_than_forms_are_refused_unread(live_server, services) -> None:
    api = HttpClient(live_server.url)
    for content_type, body in OTHER_BODIES:
        response = api.post(f"{V2}/requests.xml", data=body, headers={"Content-Type": content_type})
        (description,) = errors_of(response, 400, "xml")
        assert "x-www-form-urlencoded" in description, content_type
    assert WorkOrder.objects.count() == 0


def test_an_oversize_post_is_413(live_server, services, app, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024
    api, key = app
    response = api.post(f"{V2}/requests.json", form=report(key, description="大" * 20_000))
    errors_of(response, 413)


def test_wrong_method_and_unknown_paths(live_server, services) -> None:
    api = HttpClient(live_server.url)
    response = api.post(f"{V2}/services.json", form={})
    errors_of(response, 405)
    assert response.headers["Allow"] == "GET"
    errors_of(api.get(f"{V2}/nothing-here.json"), 404)
    errors_of(api.get(f"{V2}/services.yaml"), 404, "xml")


# --- GET requests ----------------------------------------------------------------------------


def test_jurisdiction_must_be_ours_when_given(live_server, services) -> None:
    api = HttpClient(live_server.url)
    for value in ("guangzhou.gov.cn", "GUANGZHOU.gov.cn", ""):
        assert api.get(f"{V2}/services.json", params={"jurisdiction_id": value}).status == 200
    for path in ("services.json", "services/010101.json", "requests.json"):
        response = api.get(f"{V2}/{path}", params={"jurisdiction_id": "sfgov.org"})
        (description,) = errors_of(response, 404)
        assert "jurisdiction_id" in description


def test_jurisdiction_follows_the_setting(live_server, services, settings) -> None:
    settings.HONGMIAN_OPEN311_JURISDICTION = "12345.gz.gov.cn"
    api = HttpClient(live_server.url)
    assert (
        api.get(f"{V2}/services.xml", params={"jurisdiction_id": "12345.gz.gov.cn"}).status == 200
    )
    errors_of(
        api.get(f"{V2}/services.xml", params={"jurisdiction_id": "guangzhou.gov.cn"}), 404, "xml"
    )


@pytest.fixture
def history(services, units: Units, app_account: User) -> dict[str, WorkOrder]:
    """Orders the app filed: one open, one answered and closed, one too old for the default
    window; and one somebody else filed."""
    now = timezone.now()
    open_order = WorkOrderFactory(
        submitted_by=app_account,
        channel=Channel.OPEN311,
        category=services["stalls"],
        dispatched=True,
        lead_unit=units.yuexiu,
    )
    clock = SlaClockFactory(order=open_order)
    closed = WorkOrderFactory(
        submitted_by=app_account,
        channel=Channel.OPEN311,
        category=services["litter"],
        replied=True,
        status=Status.CLOSED,
        lead_unit=units.tianhe,
        reply="已清运。",
        closed_at=now,
    )
    old = WorkOrderFactory(submitted_by=app_account, channel=Channel.OPEN311)
    WorkOrder.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=120))
    someone_elses = WorkOrderFactory(channel=Channel.OPEN311, category=services["stalls"])
    return {
        "open": open_order,
        "closed": closed,
        "old": old,
        "other": someone_elses,
        "clock": clock,  # type: ignore[dict-item]
    }


def _ids(api: HttpClient, key: str, fmt: str = "json", **params: Any) -> list[str]:
    response = api.get(f"{V2}/requests.{fmt}", params={"api_key": key, **params})
    assert response.status == 200, response.text
    if fmt == "xml":
        return [r.findtext("service_request_id") or "" for r in response.xml()]
    return [item["service_request_id"] for item in response.json()]


def test_requests_list_and_filters(live_server, history, app) -> None:
    api, key = app
    n = {k: v.number for k, v in history.items() if isinstance(v, WorkOrder)}
    # The last 90 days by default; someone else's order is not ours to list.
    assert set(_ids(api, key)) == {n["open"], n["closed"]}
    assert set(_ids(api, key, "xml")) == {n["open"], n["closed"]}
    assert _ids(api, key, status="open") == [n["open"]]
    assert _ids(api, key, status="closed") == [n["closed"]]
    assert set(_ids(api, key, status="open,closed")) == {n["open"], n["closed"]}
    assert _ids(api, key, service_code="010102") == [n["closed"]]
    assert set(_ids(api, key, service_code="010101,010102")) == {n["open"], n["closed"]}
    old_window = timezone.now() - dt.timedelta(days=150)
    assert _ids(api, key, start_date=old_window.isoformat()) == [n["old"]]
    # service_request_id overrides every other filter, and still only shows what is ours.
    ids = ",".join([n["old"], n["other"], n["closed"]])
    assert set(_ids(api, key, service_request_id=ids, status="open")) == {n["old"], n["closed"]}


def test_request_fields(live_server, history, app) -> None:
    api, key = app
    closed, open_order = history["closed"], history["open"]
    items = {
        i["service_request_id"]: i
        for i in api.get(f"{V2}/requests.json", params={"api_key": key}).json()
    }
    done = items[closed.number]
    assert done["status"] == "closed"
    assert done["status_notes"] == "已清运。"
    assert done["agency_responsible"] == "天河区人民政府"
    assert done["updated_datetime"] == serialisers.w3c_datetime(closed.closed_at)
    pending = items[open_order.number]
    assert pending["status"] == "open"
    assert pending["status_notes"] is None
    assert pending["expected_datetime"] == serialisers.w3c_datetime(history["clock"].due_at)
    assert pending["expected_datetime"].endswith("+08:00")


def test_unescaped_plus_in_a_date_still_parses(live_server, history, app) -> None:
    api, key = app
    start = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    response = api.get(f"{V2}/requests.json?api_key={key}&start_date={start}")
    assert response.status == 200, response.text


LIST_ERRORS = [
    ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2026-13-45"}, "end_date"),
    ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90 days"),
    ({"start_date": "2026-06-01", "end_date": "2026-01-01"}, "before"),
    ({"status": "pending"}, "status"),
]


def test_requests_list_errors(live_server, app) -> None:
    api, key = app
    for params, needle in LIST_ERRORS:
        for fmt in ("json", "xml"):
            response = api.get(f"{V2}/requests.{fmt}", params={"api_key": key, **params})
            (description,) = errors_of(response, 400, fmt)
            assert needle in description, params


def test_without_a_key_the_public_view_is_listed_and_a_bad_key_is_403(live_server, history) -> None:
    # The public view (test_open311_client.py has its fields); a bad key is never read as none.
    api = HttpClient(live_server.url)
    listed = {item["service_request_id"] for item in api.get(f"{V2}/requests.json").json()}
    assert listed == {history[k].number for k in ("open", "closed", "other")}
    assert len(api.get(f"{V2}/requests.xml").xml()) == 3
    errors_of(api.get(f"{V2}/requests.json", params={"api_key": "hm_nope"}), 403)
    errors_of(api.get(f"{V2}/requests/{history['open'].number}.json?api_key=hm_nope"), 403)


def test_a_request_not_visible_is_404_like_a_missing_one(live_server, history, app) -> None:
    api, key = app
    hidden = api.get(f"{V2}/requests/{history['other'].number}.json", params={"api_key": key})
    missing = api.get(f"{V2}/requests/GZ-NOPE.json", params={"api_key": key})
    assert errors_of(hidden, 404)[0].replace(history["other"].number, "X") == errors_of(
        missing, 404
    )[0].replace("GZ-NOPE", "X")


def test_units_read_a_confidential_callers_address_masked(
    live_server, units: Units, services
) -> None:
    order = WorkOrderFactory(
        dispatched=True,
        lead_unit=units.tianhe,
        confidential=True,
        category=services["stalls"],
        address="广州市天河区石牌街道华师路1号",
    )
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=units.tianhe)
    api = HttpClient(live_server.url, token=api_key_for(handler))
    (item,) = api.get(f"{V2}/requests/{order.number}.json").json()
    assert item["address"] == "广州市天河区石牌街道****"
    (listed,) = api.get(f"{V2}/requests.json").json()
    assert listed["address"] == "广州市天河区石牌街道****"


def test_requests_list_query_count_is_flat(
    history, units: Units, app_account, services, django_assert_num_queries
) -> None:
    for _ in range(10):
        order = WorkOrderFactory(
            submitted_by=app_account,
            category=services["stalls"],
            dispatched=True,
            lead_unit=units.city,
        )
        SlaClockFactory(order=order)
    key = api_key_for(app_account)
    client = Client()
    # The key with its account, and its last-use stamp (written at most once a minute); the
    # orders (category, unit and caller joined in); their resolution clocks; their public
    # photos and the media links their clients gave (media_url). Never one query per order.
    # The second call finds the key in the process's cache (a few seconds).
    with django_assert_num_queries(6):
        response = client.get(f"{V2}/requests.json", {"api_key": key})
    assert len(response.json()) == 12
    with django_assert_num_queries(4):
        client.get(f"{V2}/requests.xml", {"api_key": key})
