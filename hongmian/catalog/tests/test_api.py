"""The catalogue's public API: list with true counts, pages and filters; detail for everyone
when published, for its keepers when not; the caller's real-name level against the item's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.catalog.models import CertificateType, LifeEvent, ServiceItem
from hongmian.catalog.selectors import item_available_to
from hongmian.catalog.services.content import MaterialSpec
from hongmian.catalog.states import ItemLevel, ItemType
from hongmian.catalog.tests.conftest import Org, make_item
from hongmian.core.calendar import add_workdays
from hongmian.identity.assurance import AssuranceLevel
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(org: Org) -> dict[str, ServiceItem]:
    CertificateType.objects.create(code="biz_licence", name="营业执照")
    items = {
        "food": make_item(
            org,
            code="C-A-1",
            name="食品经营许可",
            item_type=ItemType.LICENCE,
            promised_limit_days=5,
            legal_limit_days=20,
            for_persons=False,
            for_enterprises=True,
            materials=(MaterialSpec(name="营业执照", certificate_codes=("biz_licence",)),),
        ),
        "id": make_item(
            org,
            code="C-F-1",
            unit=org.police,
            name="居民身份证换领",
            item_type=ItemType.CONFIRMATION,
            level=ItemLevel.DISTRICT,
            required_level=2,
        ),
        "shop": make_item(org, code="C-C-1", name="个体工商户设立登记", for_enterprises=True),
        "draft": make_item(org, code="C-D-1", name="未发布的事项", publish=False),
    }
    event = LifeEvent.objects.create(
        slug="open-restaurant", name="开办餐饮店", audience="enterprise"
    )
    event.items.add(items["food"], items["shop"], items["draft"])
    return items


def _get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(url, params)
    return response.status_code, response.json()


def test_list_counts_pages_and_filters(
    client: Client, catalogue: dict[str, ServiceItem], org: Org
) -> None:
    status, body = _get(client, "/api/catalog/items", per_page=2)
    assert status == 200
    assert body["total"] == 3  # the draft is not served
    assert body["num_pages"] == 2
    assert [i["code"] for i in body["items"]] == ["C-A-1", "C-C-1"]
    _, page2 = _get(client, "/api/catalog/items", per_page=2, page=2)
    assert [i["code"] for i in page2["items"]] == ["C-F-1"]

    cases = {
        "department_id": (org.police.pk, ["C-F-1"]),
        "item_type": ("licence", ["C-A-1"]),
        "level": ("district", ["C-F-1"]),
        "life_event": ("open-restaurant", ["C-A-1", "C-C-1"]),
        "audience": ("enterprise", ["C-A-1", "C-C-1"]),
    }
    for param, (value, codes) in cases.items():
        _, body = _get(client, "/api/catalog/items", **{param: value})
        assert [i["code"] for i in body["items"]] == codes, param
        assert body["total"] == len(codes)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("item_type", "行政处罚"),
        ("level", "province"),
        ("life_event", "no-such"),
        ("department_id", "999999999"),  # a valid id of no unit (0 is a 422 of the schema)
    ],
)
def test_list_refuses_a_filter_value_that_names_nothing(
    client: Client, catalogue: Any, param: str, value: str
) -> None:
    status, body = _get(client, "/api/catalog/items", **{param: value})
    assert status == 422
    assert body["code"] == f"catalog.{param}_invalid"


def test_list_query_count_does_not_grow_with_the_page(
    client: Client, catalogue: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        client.get("/api/catalog/items", {"per_page": 50})


def test_detail_for_anonymous_with_materials_and_the_working_day_deadline(
    client: Client, catalogue: Any
) -> None:
    status, body = _get(client, "/api/catalog/items/C-A-1")
    assert status == 200
    assert body["item_type_label"] == "行政许可"
    assert body["materials"][0]["certificate_types"] == [
        {"code": "biz_licence", "name": "营业执照"}
    ]
    assert body["life_events"] == [{"slug": "open-restaurant", "name": "开办餐饮店"}]
    assert body["deadline_if_applied_today"] == add_workdays(timezone.localdate(), 5).isoformat()
    assert body["availability"]["code"] == "service_item.login_required"


def test_a_draft_is_not_found_for_the_public_and_readable_by_its_department(
    client: Client, catalogue: Any, org: Org
) -> None:
    assert client.get("/api/catalog/items/C-D-1").status_code == 404
    assert client.get("/api/catalog/items/NO-SUCH").status_code == 404
    client.force_login(org.police_author)
    assert client.get("/api/catalog/items/C-D-1").status_code == 404
    client.force_login(org.author)
    status, body = _get(client, "/api/catalog/items/C-D-1")
    assert (status, body["status"]) == (200, "draft")


def test_life_events_count_their_published_items(client: Client, catalogue: Any) -> None:
    status, body = _get(client, "/api/catalog/life-events")
    assert status == 200
    assert body == [
        {
            "slug": "open-restaurant",
            "name": "开办餐饮店",
            "audience": "enterprise",
            "description": "",
            "served_items": 2,
        }
    ]


def test_real_name_level_decides_who_may_apply(catalogue: dict[str, ServiceItem]) -> None:
    item = catalogue["id"]  # 居民身份证换领 needs L2
    citizen = UserFactory(role=Role.CITIZEN)
    low = item_available_to(user=citizen, item=item)  # no Person yet: L1
    assert (low.allowed, low.code, low.reason) == (
        False,
        "service_item.assurance_too_low",
        "需要 L2 实名认证",
    )
    PersonFactory(user=citizen, assurance_level=AssuranceLevel.L2)
    assert item_available_to(user=citizen, item=item).allowed
    assert not item_available_to(user=None, item=item).allowed
    # An enterprise-only item for a person's account, and the reverse.
    person_only = item_available_to(user=citizen, item=catalogue["food"])
    assert person_only.code == "service_item.audience"
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    assert item_available_to(user=rep, item=catalogue["food"]).allowed
    # Not served (a draft, or past its effective dates): nobody applies.
    assert (
        item_available_to(user=citizen, item=catalogue["draft"]).code == "service_item.not_served"
    )
    ServiceItem.objects.filter(pk=item.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert item_available_to(user=citizen, item=item).code == "service_item.not_served"


def test_detail_tells_a_signed_in_citizen_which_level_is_missing(
    client: Client, catalogue: Any
) -> None:
    client.force_login(UserFactory(role=Role.CITIZEN))
    _, body = _get(client, "/api/catalog/items/C-F-1")
    assert body["availability"] == {
        "allowed": False,
        "code": "service_item.assurance_too_low",
        "reason": "需要 L2 实名认证",
        "user_level": 1,
        "required_level": 2,
    }


def test_staff_write_an_item_through_the_review_by_the_api(client: Client, org: Org) -> None:
    client.force_login(org.author)
    created = client.post(
        "/api/catalog/items",
        {
            "department_id": org.market.pk,
            "code": "C-N-1",
            "name": "小餐饮登记",
            "legal_limit_days": 10,
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "draft"
    edited = client.patch(
        "/api/catalog/items/C-N-1",
        {"promised_limit_days": 3, "channels": ["online"], "materials": [{"name": "营业执照"}]},
        content_type="application/json",
    )
    assert edited.status_code == 200
    assert (edited.json()["legal_limit_days"], edited.json()["promised_limit_days"]) == (10, 3)
    assert edited.json()["materials"][0]["form"] == "original"  # defaults of a material
    assert client.post("/api/catalog/items/C-N-1/submit").status_code == 200
    own = client.post("/api/catalog/items/C-N-1/approve", {}, content_type="application/json")
    assert (own.status_code, own.json()["code"]) == (403, "service_item.forbidden")
    client.force_login(org.manager)
    approved = client.post("/api/catalog/items/C-N-1/approve", {}, content_type="application/json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    client.logout()
    assert client.get("/api/catalog/items/C-N-1").status_code == 200


def test_another_units_draft_is_not_found_for_writes(
    client: Client, catalogue: Any, org: Org
) -> None:
    client.force_login(org.police_author)
    assert client.post("/api/catalog/items/C-D-1/submit").status_code == 404
    # A published item of another unit is seen, but not theirs to change.
    response = client.patch(
        "/api/catalog/items/C-A-1", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403
