"""Chinese search on small crafted articles: everyday words, synonyms, traditional
characters, typos; and what the selector lets through (published, valid, audience)."""

from __future__ import annotations

import datetime as dt

import pytest

from hongmian.core.errors import ValidationFailed
from hongmian.core.search.analysis import AnalyzerOptions, analyse, synonym_terms
from hongmian.core.search.index import IndexDocument, SearchIndex
from hongmian.knowledge import selectors, services
from hongmian.knowledge.states import Audience
from hongmian.knowledge.tests.conftest import Org, actor_of, make_article

DOCS = [
    IndexDocument(
        "card", "社会保障卡补办", "社保卡遗失后先挂失，再到服务网点补领，携带居民身份证。"
    ),
    IndexDocument(
        "fund", "住房公积金租房提取", "无自有住房的职工租房，可以申请提取住房公积金支付房租。"
    ),
    IndexDocument("permit", "居住证办理", "来穗人员居住登记满半年，可申领居住证。"),
    IndexDocument("water", "停水查询", "计划停水会提前公告，突然停水可拨打自来水公司热线查询。"),
    IndexDocument(
        "noise", "噪音投诉渠道", "社会生活噪声向公安机关反映，施工噪声由生态环境部门查处。"
    ),
    IndexDocument("licence", "驾驶证到期换证", "机动车驾驶证有效期满前九十日内可申请换证。"),
    IndexDocument("hukou", "户籍迁入", "符合人才引进条件的，可申请户口迁入广州。"),
    IndexDocument("id", "身份证补领", "居民身份证丢失后可到派出所户政窗口申请补领。"),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(DOCS)


def top(index: SearchIndex, query: str, **kwargs: object) -> str | None:
    hits = index.search(query, limit=3, **kwargs)  # type: ignore[arg-type]
    return hits[0].key if hits else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("社保卡丢了怎么办", "card"),
        ("怎么取公积金交房租", "fund"),
        ("停水了怎么回事", "water"),
        ("楼下装修太吵了向哪里投诉", "noise"),
    ],
)
def test_everyday_words(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("社會保障卡遺失補辦", "card"),  # traditional
        ("居住證怎麼辦理", "permit"),
        ("ＡＢ停水查詢", "water"),  # full-width letters fold too
    ],
)
def test_traditional_characters(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("驾照快过期了", "licence"),  # 驾照 = 驾驶证
        ("户籍怎么迁过来", "hukou"),  # 户籍 = 户口
        ("公積金", "fund"),  # 公积金 = 住房公积金, and traditional
        ("噪音扰民", "noise"),  # 噪音 = 噪声
        ("身分證掉了", "id"),  # Taiwan's 身分證 = 身份证
    ],
)
def test_synonyms(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


def test_synonym_groups_meet_in_one_term() -> None:
    assert synonym_terms("驾照") == synonym_terms("驾驶证")
    # Longest member wins: 居民身份证 is one mention, not two.
    assert len(synonym_terms("居民身份证")) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("社保卡不办", "card"),  # homophone: 补 → 不 (bu)
        ("居注证办理", "permit"),  # homophone: 住 → 注 (zhu)
        ("公积金租防提取", "fund"),  # 房 → 防 (fang)
        ("驾驶政换证", "licence"),  # 证 → 政 (zheng)
    ],
)
def test_typos(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


def test_question_words_alone_find_nothing(index: SearchIndex) -> None:
    assert index.search("请问怎么办？") == []
    assert index.search("") == []


def test_title_counts_more_than_body() -> None:
    docs = [
        IndexDocument("in-body", "居住登记", "办理居住证需要居住登记。"),
        IndexDocument("in-title", "居住证", "来穗人员可以申领。"),
    ]
    assert top(SearchIndex.build(docs), "居住证") == "in-title"


def test_audience_and_validity_filters() -> None:
    docs = [
        IndexDocument("public", "停水通知", "停水", audience="public"),
        IndexDocument("staff", "停水口径", "停水", audience="staff"),
        IndexDocument("old", "停水旧通知", "停水", valid_until=dt.date(2020, 1, 1)),
        IndexDocument("future", "停水新规", "停水", valid_from=dt.date(2030, 1, 1)),
    ]
    index = SearchIndex.build(docs)
    today = dt.date(2026, 6, 1)
    public = {h.key for h in index.search("停水", audience="public", today=today)}
    staff = {h.key for h in index.search("停水", audience="staff", today=today)}
    assert public == {"public"}
    assert staff == {"public", "staff"}


def test_plain_options_segment_raw_text() -> None:
    # The baseline sees traditional text as it is: no folding, no bigrams, no synonyms.
    terms = analyse("社會保障卡", AnalyzerOptions.plain())
    assert set(terms) == {"w"}
    assert "社保卡" not in "".join(terms["w"])


# --- the selector: the database has the last word -----------------------------------------


@pytest.mark.django_db
def test_article_search_serves_only_published_valid_articles(org: Org) -> None:
    served = make_article(org, title="社保卡补办", body="社保卡遗失后先挂失再补办。")
    make_article(org, publish=False, title="社保卡补办（草稿）", body="社保卡补办草稿。")
    make_article(
        org,
        title="社保卡补办（旧）",
        body="社保卡补办旧规定。",
        valid_until=dt.date(2020, 12, 31),
    )
    internal = make_article(
        org, title="社保卡补办内部口径", body="社保卡补办的答复口径。", audience=Audience.STAFF
    )
    public = [h.article_id for h in selectors.article_search("社保卡补办", audience="public")]
    assert public == [served.pk]
    staff = {h.article_id for h in selectors.article_search("社保卡补办", audience="staff")}
    assert staff == {served.pk, internal.pk}
    hit = selectors.article_search("社保卡补办", audience="public")[0]
    assert hit.title == "社保卡补办"
    assert hit.owning_unit == org.hrss.name
    assert "挂失" in hit.snippet


@pytest.mark.django_db
def test_article_search_sees_approved_edits_and_retirement(org: Org) -> None:
    article = make_article(org, title="自来水停水查询", body="停水可拨打热线。", unit=org.water)
    assert [h.article_id for h in selectors.article_search("停水")] == [article.pk]
    services.article_update(actor=actor_of(org.water_author), article=article, title="供水抢修")
    services.article_submit(actor=actor_of(org.water_author), article=article)
    services.article_approve(actor=actor_of(org.supervisor), article=article)
    assert selectors.article_search("供水抢修")[0].title == "供水抢修"
    services.article_retire(actor=actor_of(org.water_author), article=article)
    assert selectors.article_search("停水") == []


@pytest.mark.django_db
def test_article_search_finds_by_owning_unit(org: Org) -> None:
    article = make_article(org, title="报修", body="管道破裂请报修。", unit=org.water)
    assert selectors.article_search("水务局 报修")[0].article_id == article.pk


def test_article_search_rejects_empty_and_long_queries() -> None:
    with pytest.raises(ValidationFailed):
        selectors.article_search("  ")
    with pytest.raises(ValidationFailed):
        selectors.article_search("长" * (selectors.QUERY_MAX + 1))
