"""The catalogue search: the engine on a few items (everyday words, typos, traditional
characters, variants, "not sure"), then on the database through the selector, the API
and `hongmian catalog search`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from hongmian.catalog.models import LifeEvent
from hongmian.catalog.search.engine import CatalogSearch, ItemDocument
from hongmian.catalog.search.selectors import catalog_search
from hongmian.catalog.services.items import catalog_item_retire
from hongmian.catalog.states import ItemLevel
from hongmian.catalog.tests.conftest import Org, actor_of, make_item
from hongmian.core.errors import ValidationFailed

ITEMS = [
    ItemDocument("food", "食品经营许可核发", "区行政审批局", "食品经营许可"),
    ItemDocument("food-lost", "食品经营许可补办", "区行政审批局", "食品经营许可"),
    ItemDocument("food-end", "食品经营许可注销", "区行政审批局", "食品经营许可"),
    ItemDocument("pension-estate", "企业职工基本养老保险个人账户储存额一次性申领", "区人社局"),
    ItemDocument("survivor", "遗属待遇申领", "区人社局"),
    ItemDocument("defer", "适龄儿童、少年因身体状况需要延缓入学或者休学审批", "区教科体局"),
    ItemDocument("id-lost", "居民身份证挂失申报、丢失招领", "区公安分局"),
    ItemDocument("disabled", "残疾人证新办", "区残联"),
    ItemDocument("disabled-end", "残疾人证注销", "区残联"),
    ItemDocument("taxi", "巡游出租汽车经营许可", "区交通运输局"),
]


@pytest.fixture(scope="module")
def engine() -> CatalogSearch:
    return CatalogSearch.build(ITEMS)


def top(engine: CatalogSearch, query: str) -> str:
    hits = engine.search(query).hits
    return hits[0].code if hits else ""


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("开饭店要办啥证", "food"),
        ("我爸去世了养老金怎么办", "pension-estate"),
        ("娃要休学", "defer"),
        ("身份證丟了怎麼辦", "id-lost"),  # traditional characters
        ("食品经营许颗", "food"),  # 许颗 for 许可: same sounds
        ("开饭点", "food"),  # a homophone typo inside the colloquial phrase
    ],
)
def test_everyday_words_typos_and_traditional_characters_find_the_item(
    engine: CatalogSearch, query: str, code: str
) -> None:
    assert top(engine, query) == code


def test_without_the_lexicon_the_colloquial_question_finds_nothing() -> None:
    from hongmian.core.search.expansion import Expansions

    bare = CatalogSearch.build(ITEMS, lexicon=Expansions([]))
    assert "food" not in [h.code for h in bare.search("开饭店要办啥证").hits]


def test_a_question_that_names_no_step_gets_the_item_not_its_variants(
    engine: CatalogSearch,
) -> None:
    assert top(engine, "残疾证怎么办") == "disabled"
    # Naming the step (or saying it in everyday words) finds the variant.
    assert top(engine, "残疾证注销") == "disabled-end"
    assert top(engine, "食品经营许可证丢了") == "food-lost"


@pytest.mark.parametrize("query", ["明天会下雨吗", "快递丢了谁赔", "昨晚国足比分多少"])
def test_weak_evidence_is_not_sure(engine: CatalogSearch, query: str) -> None:
    answer = engine.search(query)
    assert answer.confident is False, (answer.evidence, [h.name for h in answer.hits])


def test_strong_evidence_is_sure_and_says_how_the_question_was_read(
    engine: CatalogSearch,
) -> None:
    answer = engine.search("开饭店要办啥证")
    assert answer.confident is True
    assert any("食品经营许可" in e.words for e in answer.expansions)
    # The true count: every item that shares a word, not only the page.
    assert answer.total == len(engine.search("开饭店要办啥证", limit=100).hits) > 3


# --- the database: selector, API, command ----------------------------------------------------


@pytest.fixture
def catalogue(org: Org) -> Org:
    make_item(org, code="S-FOOD", name="食品经营许可核发", level=ItemLevel.DISTRICT)
    make_item(org, code="S-FOOD-END", name="食品经营许可注销", level=ItemLevel.DISTRICT)
    make_item(org, code="S-ID", name="居民身份证挂失申报", unit=org.police)
    make_item(org, code="S-LICENCE", name="公司设立登记", for_persons=False, for_enterprises=True)
    make_item(org, code="S-DRAFT", name="食品小作坊备案", publish=False)
    return org


@pytest.mark.django_db
def test_the_selector_pages_cites_and_filters(catalogue: Org) -> None:
    page = catalog_search("开饭店要办啥证", limit=1)
    assert [i.code for i in page.items] == ["S-FOOD"]
    assert page.total == 2
    assert page.confident
    assert page.cited is not None
    assert page.cited.code == "S-FOOD"
    assert page.hotline == "12345"
    second = catalog_search("开饭店要办啥证", limit=1, offset=1)
    assert [i.code for i in second.items] == ["S-FOOD-END"]
    # A draft is never found; filters narrow the list.
    assert "S-DRAFT" not in [i.code for i in catalog_search("食品小作坊备案").items]
    assert [i.code for i in catalog_search("身份证丢了", department="c-police").items] == ["S-ID"]
    assert catalog_search("身份证丢了", department="c-market").items == []
    assert [i.code for i in catalog_search("登记", audience="enterprise").items] == ["S-LICENCE"]
    assert catalog_search("食品经营许可", level="city").items == []


@pytest.mark.django_db
def test_life_event_filter_and_a_retired_item_leaves_the_results(catalogue: Org) -> None:
    food = catalogue.market.service_items.get(code="S-FOOD")
    event = LifeEvent.objects.create(slug="open-shop", name="开店")
    assert catalog_search("许可", life_event="open-shop").items == []
    # The link changes no item: the index notices it all the same.
    event.items.add(food)
    assert [i.code for i in catalog_search("许可", life_event="open-shop").items] == ["S-FOOD"]
    catalog_item_retire(actor=actor_of(catalogue.manager), item=food, reason="并入新事项")
    assert [i.code for i in catalog_search("食品经营许可").items] == ["S-FOOD-END"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"query": "  "}, "catalog_search.query_required"),
        ({"query": "证" * 201}, "catalog_search.query_too_long"),
        ({"query": "证", "department": "nowhere"}, "catalog_search.department_unknown"),
        ({"query": "证", "life_event": "nothing"}, "catalog_search.life_event_unknown"),
        ({"query": "证", "audience": "robots"}, "catalog_search.audience_invalid"),
        ({"query": "证", "level": "planet"}, "catalog_search.level_invalid"),
    ],
)
def test_bad_search_input_is_a_coded_error(
    catalogue: Org, kwargs: dict[str, str], code: str
) -> None:
    query = kwargs.pop("query")
    with pytest.raises(ValidationFailed) as caught:
        catalog_search(query, **kwargs)
    assert caught.value.code == code


@pytest.mark.django_db
def test_the_api_answers_anonymous_visitors_with_confidence_and_sources(
    catalogue: Org, client: Client
) -> None:
    response = client.get("/api/catalog/search", {"q": "开饭店要办啥证", "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert body["confident"] is True
    assert [i["code"] for i in body["items"]] == ["S-FOOD"]
    assert body["cited"]["code"] == "S-FOOD"
    assert body["hotline"] == "12345"
    unsure = client.get("/api/catalog/search", {"q": "明天会下雨吗"}).json()
    assert unsure["confident"] is False
    assert unsure["cited"] is None
    bad = client.get("/api/catalog/search", {"q": "证", "level": "planet"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "catalog_search.level_invalid"


@pytest.mark.django_db
def test_the_command_writes_codes_in_rank_order_with_confidence(
    catalogue: Org, tmp_path: Path
) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "a", "query": "开饭店要办啥证"}\n\n{"id": 2, "query": "明天会下雨吗"}\n',
        encoding="utf-8",
    )
    output = tmp_path / "out" / "r.jsonl"
    call_command("catalog", "search", "--queries", queries, "--top", "10", "--output", output)
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"id": "a", "results": ["S-FOOD", "S-FOOD-END"], "confident": True}
    assert lines[1]["id"] == "2"
    assert lines[1]["confident"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"id": "a", "query": "开饭店"}\nnot json\n', "第2行：不是 JSON"),
        ('{"id": "a"}\n', "第1行：缺少 id 或 query"),
        ('{"query": "开饭店"}\n', "第1行：缺少 id 或 query"),
        ('{"id": "a", "query": 5}\n', "第1行：id 应为文字或数字，query 应为文字"),
        ('["a", "开饭店"]\n', "第1行：缺少 id 或 query"),
    ],
)
def test_bad_query_lines_stop_the_command_before_anything_is_written(
    catalogue: Org, tmp_path: Path, text: str, reason: str
) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(text, encoding="utf-8")
    output = tmp_path / "r.jsonl"
    with pytest.raises(CommandError) as caught:
        call_command("catalog", "search", "--queries", queries, "--output", output)
    assert "catalog_search.queries_invalid" in str(caught.value)
    assert reason in str(caught.value)
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [queries]


@pytest.mark.django_db
def test_a_search_on_a_warm_index_costs_a_fixed_number_of_queries(
    catalogue: Org, django_assert_num_queries: Any
) -> None:
    catalog_search("食品经营许可", with_articles=False)  # builds the index
    # The fingerprint (4 small reads), then the served check of the page's hits.
    with django_assert_num_queries(5):
        page = catalog_search("食品经营许可", with_articles=False)
    assert page.total == 2
    with django_assert_num_queries(5):
        catalog_search("开饭店要办啥证", limit=1, offset=1, with_articles=False)
