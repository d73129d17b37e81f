"""The portal's service pages (/services/, issue 12 item 3) through Django's test client:
the finder's search and list with true counts and pages, "not sure" with the hotline, the
item's facts and who may apply, a life event's items in order, bad filters as a 400."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hongmian.catalog.services.content import MaterialSpec
from hongmian.catalog.services.life_events import life_event_save
from hongmian.catalog.states import Channel, ItemLevel, ItemType, OnlineDepth
from hongmian.catalog.tests.conftest import Org, actor_of, make_item
from hongmian.identity.models import Person
from hongmian.identity.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(org: Org) -> Any:
    return make_item(
        org,
        code="C-FOOD",
        name="食品经营许可核发",
        item_type=ItemType.LICENCE,
        conditions="有与经营的食品品种相适应的经营场所",
        legal_limit_days=20,
        promised_limit_days=10,
        charges_fee=False,
        online_depth=OnlineDepth.FULL,
        channels=(Channel.ONLINE, Channel.HALL),
        required_level=2,
        materials=(MaterialSpec(name="营业执照", copies=2), MaterialSpec(name="场所平面图")),
    )


def test_search_in_everyday_words_finds_the_item_and_cites_it(client: Client, shop: Any) -> None:
    response = client.get("/services/", {"q": "开饭店要办啥证"})
    assert response.status_code == 200
    page = response.context
    assert [i.code for i in page["items"]] == ["C-FOOD"]
    assert page["total"] == 1
    assert page["num_pages"] == 1
    assert page["search"].confident
    assert 'id="answer"' in response.text
    assert "/services/items/C-FOOD/" in response.text


def test_a_question_no_item_answers_is_not_sure_and_offers_12345(client: Client, shop: Any) -> None:
    response = client.get("/services/", {"q": "明天天气怎么样"})
    assert response.status_code == 200
    assert not response.context["search"].confident
    assert 'id="not-sure"' in response.text
    assert response.context["ask_url"].startswith("/hotline/submit/?title=")


def test_list_without_question_pages_with_the_true_count(
    client: Client, org: Org, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        make_item(org, code=f"C-{n:04d}", name=f"事项{n}", level=ItemLevel.DISTRICT)
    make_item(org, code="C-CITY", name="市级事项", level=ItemLevel.CITY)
    first = client.get("/services/", {"level": ItemLevel.DISTRICT})
    assert (first.context["total"], first.context["num_pages"]) == (12, 2)
    assert len(first.context["items"]) == 10
    assert "page=2" in first.context["next_url"]
    # A page costs the same few queries whatever the catalogue's size (11 measured: the
    # session, the filters' choices, the count, the page, life events, popular items).
    with django_assert_max_num_queries(11):
        second = client.get("/services/", {"level": ItemLevel.DISTRICT.value, "page": "2"})
    assert [i["code"] for i in second.context["items"]] == ["C-0010", "C-0011"]
    assert "共 12 个事项" in second.text


def test_htmx_gets_only_the_results(client: Client, shop: Any) -> None:
    response = client.get("/services/", {"q": "食品经营许可"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results"')
    assert "<html" not in response.text


def test_a_filter_that_names_nothing_is_a_400_not_a_500(client: Client, shop: Any) -> None:
    response = client.get("/services/", {"q": "开饭店", "level": "galaxy"})
    assert response.status_code == 400
    assert response.context["form"].errors["level"]


def test_item_page_shows_the_facts_and_asks_anonymous_to_log_in(client: Client, shop: Any) -> None:
    response = client.get("/services/items/C-FOOD/")
    assert response.status_code == 200
    text = response.text
    for fact in ("食品经营许可核发", "有与经营的食品品种相适应的经营场所", "营业执照", "2 份"):
        assert fact in text
    assert "20 个工作日" in text
    assert "10 个工作日" in text
    assert "不收费" in text
    assert "四级：全程网办" in text
    assert "网上办理、窗口办理" in text
    assert "L2 及以上" in text
    assert "登录后查看您的账号能否办理" in text
    # Only the actions that exist: 12345, never an "apply online" that is not built.
    assert "title=%E5%92%A8%E8%AF%A2" in text  # 咨询：…
    assert "网上申请" not in text
    assert "预约" not in text


def test_item_page_says_whether_the_signed_in_citizen_has_the_level(
    client: Client, org: Org, shop: Any
) -> None:
    client.force_login(org.citizen)
    assert "需要 L2 实名认证" in client.get("/services/items/C-FOOD/").text
    PersonFactory(user=org.citizen, assurance_level=2)
    assert Person.objects.get(user=org.citizen).assurance_level == 2
    assert "可以办理" in client.get("/services/items/C-FOOD/").text


def test_a_draft_is_not_found_for_a_citizen(client: Client, org: Org) -> None:
    make_item(org, code="C-DRAFT", publish=False)
    client.force_login(org.citizen)
    assert client.get("/services/items/C-DRAFT/").status_code == 404
    assert client.get("/services/items/NOPE/").status_code == 404


def test_life_event_lists_its_served_items_in_order(client: Client, org: Org) -> None:
    later = make_item(org, code="C-0001", name="卫生许可")
    first = make_item(org, code="C-0002", name="营业执照")
    draft = make_item(org, code="C-0003", name="草稿事项", publish=False)
    life_event_save(
        actor=actor_of(org.cdo),
        slug="open-restaurant",
        name="开餐馆",
        items=[first, later, draft],
    )
    response = client.get("/services/life-events/open-restaurant/")
    assert response.status_code == 200
    assert [i.code for i in response.context["items"]] == ["C-0002", "C-0001"]
    assert client.get("/services/life-events/none/").status_code == 404
    # The finder shows it as a tile and its items as the popular ones.
    index = client.get("/services/")
    assert "/services/life-events/open-restaurant/" in index.text
    assert {i.code for i in index.context["popular"]} == {"C-0001", "C-0002"}


def test_ask_12345_prefills_the_submit_form(client: Client, org: Org) -> None:
    client.force_login(org.citizen)
    response = client.get("/hotline/submit/", {"title": "咨询：食品经营许可核发"})
    assert response.context["form"].initial["title"] == "咨询：食品经营许可核发"


def test_search_results_page_with_the_true_count(client: Client, org: Org) -> None:
    for n in range(12):
        make_item(org, code=f"C-{n:04d}", name=f"食品经营许可第{n}类")
    first = client.get("/services/", {"q": "食品经营许可"})
    total = first.context["total"]
    assert total == 12
    assert first.context["num_pages"] == 2
    last = client.get("/services/", {"q": "食品经营许可", "page": "9"})  # past the end
    assert last.context["page_number"] == 2
    assert len(last.context["items"]) == 2
    assert {i.code for i in first.context["items"]} | {i.code for i in last.context["items"]} == {
        f"C-{n:04d}" for n in range(12)
    }
    assert "第 11–12 个" in last.text
