"""Open311 as a standard client uses it: the public `georeport` package (0.3.1) against the
live server over real HTTP. It files nothing (0.3.1 has no POST), so a request is filed
with a key as an app does, then read back the spec's way: without a key, as the public view
(decision 0027), in JSON and in XML. Plus the public view's fields and what it hides."""

from __future__ import annotations

from typing import Any

import pytest
from georeport import GeoReport

from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.hotline.open311 import serialisers
from hongmian.hotline.states import Status, Visibility
from hongmian.hotline.tests import test_open311 as shapes
from hongmian.hotline.tests.factories import SlaClockFactory, WorkOrderFactory
from hongmian.hotline.tests.fixtures import Units
from hongmian.hotline.tests.http import HttpClient

V2, report = shapes.V2, shapes.report
# Fixtures shared with the shapes' tests.
services, app_account, app = shapes.services, shapes.app_account, shapes.app

PUBLIC_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "district",
    "street",
]
# What the public view never carries, under the spec's names or ours.
PERSONAL = {
    "description",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
    "first_name",
    "last_name",
    "phone",
    "email",
    "caller_name",
    "caller_phone",
    "content",
}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch) -> None:
    # `requests` honours proxies from the environment; the test talks to its own server.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.delenv("GEOREPORT_API_KEY", raising=False)


def _client(live_server: Any, fmt: str = "json") -> GeoReport:
    return GeoReport(f"{live_server.url}{V2}", jurisdiction="guangzhou.gov.cn", output_format=fmt)


def _assert_public(item: dict[str, Any]) -> None:
    assert not (set(item) & PERSONAL), item
    text = repr(item)
    for secret in ("北京路", "13800138000", "张", "小明", "23.1291", "113.2644", "example.com"):
        assert secret not in text, (secret, item)


def test_a_request_filed_with_a_key_reads_back_without_one(live_server, services, app) -> None:
    api, key = app
    created = api.post(f"{V2}/requests.json", form=report(key))
    assert created.status == 200, created.text
    number = created.json()[0]["service_request_id"]

    client = _client(live_server)
    assert client.api_key is None
    item = client.get_service_request(number)
    assert list(item) == PUBLIC_FIELDS
    assert item["service_request_id"] == number
    assert item["status"] == "open"
    assert item["service_code"] == "010101"
    assert item["service_name"] == "占道经营"
    assert item["requested_datetime"].endswith("+08:00")
    _assert_public(item)
    listed = client.get_service_requests(service_code="010101", status="open")
    assert [i["service_request_id"] for i in listed] == [number]
    _assert_public(listed[0])

    xml_client = _client(live_server, "xml")
    from_xml = xml_client.get_service_request(number)
    assert list(from_xml) == PUBLIC_FIELDS
    assert from_xml["service_request_id"] == number
    assert from_xml["service_code"] == "010101"
    _assert_public(from_xml)
    # One request in a list: xmltodict gives the element itself.
    assert xml_client.get_service_requests(service_request_id=number)["status"] == "open"

    services_list = client.get_service_list()
    assert services_list[0]["description"].startswith("城乡建设 / 市容环境 / 占道经营")


def test_the_public_views_fields(live_server, services, units: Units) -> None:
    answered = WorkOrderFactory(
        category=services["litter"],
        replied=True,
        status=Status.CLOSED,
        lead_unit=units.tianhe,
        reply="已清运。",
    )
    TimelineEntry.objects.create(
        order=answered,
        actor_label="天河区人民政府",
        kind="replied",
        visibility=Visibility.PUBLIC,
        text="已清运。",
    )
    staff_only = WorkOrderFactory(
        category=services["stalls"],
        dispatched=True,
        lead_unit=units.yuexiu,
        reply="内部处理意见",
    )
    TimelineEntry.objects.create(
        order=staff_only,
        actor_label="越秀区人民政府",
        kind="replied",
        visibility=Visibility.STAFF,
        text="内部处理意见",
    )
    clock = SlaClockFactory(order=staff_only)
    api = HttpClient(live_server.url)
    items = {i["service_request_id"]: i for i in api.get(f"{V2}/requests.json").json()}
    done = items[answered.number]
    assert list(done) == PUBLIC_FIELDS
    assert done["status"] == "closed"
    assert done["status_notes"] == "已清运。"
    assert done["agency_responsible"] == "天河区人民政府"
    assert done["district"] == "天河区"
    assert done["street"] == "石牌街道"
    pending = items[staff_only.number]
    assert pending["status_notes"] is None  # the note was not given publicly
    assert pending["expected_datetime"] == serialisers.w3c_datetime(clock.due_at)
    for item in items.values():
        assert not (set(item) & PERSONAL)
        assert "夜间施工噪音" not in repr(item)
        assert "天河路1号" not in repr(item)
    # The XML has the same elements.
    root = api.get(f"{V2}/requests/{answered.number}.xml").xml()
    assert [e.tag for e in root[0]] == PUBLIC_FIELDS
    assert root[0].findtext("street") == "石牌街道"
    # Filters apply as with a key.
    open_only = api.get(f"{V2}/requests.json", params={"status": "open"}).json()
    assert [i["service_request_id"] for i in open_only] == [staff_only.number]
    by_code = api.get(f"{V2}/requests.json", params={"service_code": "010102"}).json()
    assert [i["service_request_id"] for i in by_code] == [answered.number]


def test_confidential_orders_are_hidden_without_a_key(live_server, services, units) -> None:
    secret = WorkOrderFactory(confidential=True, category=services["stalls"])
    plain = WorkOrderFactory(category=services["stalls"])
    api = HttpClient(live_server.url)
    for fmt in ("json", "xml"):
        response = api.get(f"{V2}/requests/{secret.number}.{fmt}")
        assert response.status == 404, response.text
        missing = api.get(f"{V2}/requests/GZ-NOPE.{fmt}")
        assert response.text.replace(secret.number, "X") == missing.text.replace("GZ-NOPE", "X")
    listed = [i["service_request_id"] for i in api.get(f"{V2}/requests.json").json()]
    assert listed == [plain.number]
    by_id = api.get(f"{V2}/requests.xml", params={"service_request_id": secret.number}).xml()
    assert list(by_id) == []
    assert WorkOrder.objects.filter(confidential=True).count() == 1


def test_the_public_list_is_bounded_and_flat(
    services, units: Units, client, django_assert_num_queries
) -> None:
    for _ in range(5):
        SlaClockFactory(order=WorkOrderFactory(category=services["stalls"], lead_unit=units.city))
    # The orders (category and unit joined, the public reply as EXISTS); their clocks; their
    # public photos (media_url).
    with django_assert_num_queries(3):
        response = client.get(f"{V2}/requests.json")
    assert len(response.json()) == 5
