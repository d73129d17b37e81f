"""The shared search engine's query expansions (core/search/expansion.py) and the
coverage evidence behind "not sure" (core/search/confidence.py), on small texts."""

from __future__ import annotations

import pytest

from hongmian.core.search.confidence import coverage, evidence
from hongmian.core.search.expansion import ExpansionFileError, Expansions
from hongmian.core.search.index import IndexDocument, SearchIndex

RULES = """
# comment lines and blank lines are ignored

开饭店, 开餐馆 => 食品经营许可 餐饮
爸+去世 => 丧葬补助金 个人账户
身份證 => 居民身份证   # written in traditional characters: matches either script
"""


def test_a_trigger_fires_its_rule_once_with_the_phrases_that_fired_it() -> None:
    lexicon = Expansions.parse(RULES)
    fired = lexicon.expand("我想开饭店开餐馆，要办啥证")
    assert [(e.phrases, e.words) for e in fired] == [(("开饭店",), "食品经营许可 餐饮")]


def test_a_trigger_of_several_phrases_needs_them_all_in_any_order() -> None:
    lexicon = Expansions.parse(RULES)
    assert [e.words for e in lexicon.expand("去世的是我爸，养老金怎么办")] == [
        "丧葬补助金 个人账户"
    ]
    assert lexicon.expand("我爸想办养老金") == []


def test_traditional_characters_and_homophone_typos_fire_the_rule() -> None:
    lexicon = Expansions.parse(RULES)
    assert [e.words for e in lexicon.expand("身份证丢了")] == ["居民身份证"]
    assert [e.words for e in lexicon.expand("開飯店")] == ["食品经营许可 餐饮"]
    # 开饭点: same sounds as 开饭店.
    assert [e.words for e in lexicon.expand("开饭点要什么手续")] == ["食品经营许可 餐饮"]
    # Syllables match whole: "an" inside "kan" is not "an".
    assert Expansions.parse("安家 => 落户").expand("看家") == []
    assert [e.words for e in Expansions.parse("安家 => 落户").expand("俺家")] == ["落户"]


@pytest.mark.parametrize(
    ("text", "line"),
    [("开饭店 食品经营许可", 1), ("# ok\n开饭店 => ", 2), ("a => b => c", 1), (" , => 许可", 1)],
)
def test_a_bad_rule_is_a_coded_error_naming_its_line(text: str, line: int) -> None:
    with pytest.raises(ExpansionFileError) as caught:
        Expansions.parse(text, source="colloquial.txt")
    assert caught.value.code == "search_expansion_file"
    assert caught.value.fields == {"line": [str(line)]}
    assert f"colloquial.txt, line {line}" in caught.value.message


DOCS = [
    IndexDocument("food", "食品经营许可核发", ""),
    IndexDocument("pension", "企业职工基本养老保险个人账户储存额一次性申领", ""),
    IndexDocument("taxi", "巡游出租汽车经营许可", ""),
]


def test_coverage_counts_what_the_document_holds_and_unknown_words_against_it() -> None:
    index = SearchIndex.build(DOCS)
    assert coverage(index, "食品经营许可", 0) == pytest.approx(1.0)
    assert coverage(index, "食品经营许可", 2) < 0.5
    # 天气 is in no document: its idf is the highest, and the answer covers none of it.
    assert coverage(index, "出租汽车天气预报", 2) < 0.5


def test_an_expansion_explains_its_phrase_but_not_the_rest_of_the_question() -> None:
    index = SearchIndex.build(DOCS)
    lexicon = Expansions.parse("开饭店 => 食品经营许可\n丢了 => 补办 挂失")
    sure = lexicon.expand("开饭店")
    assert evidence(index, "开饭店", sure, 0) == pytest.approx(1.0)
    # Without the rule, the question shares nothing with the item.
    assert evidence(index, "开饭店", [], 0) == 0.0
    unsure = lexicon.expand("快递丢了谁赔")
    assert evidence(index, "快递丢了谁赔", unsure, 0) < 0.3


def test_expansions_and_a_mask_change_the_ranking() -> None:
    import numpy as np

    index = SearchIndex.build(DOCS)
    assert index.search("开饭店") == []
    assert [h.key for h in index.search("开饭店", expansions=["食品经营许可"])][:1] == ["food"]
    only = np.asarray([False, True, True])
    keys = [h.key for h in index.search("经营许可", only=only)]
    assert keys == ["taxi"]
