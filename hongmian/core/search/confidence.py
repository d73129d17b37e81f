"""How well the best answer covers the question: the evidence behind "sure" / "not sure".

A ranking always has a first result, even for "明天会下雨吗" in a catalogue of permits;
its BM25 score alone says little, since it grows with the question's length and the
rarity of whatever one word happened to match. Coverage asks instead: of what the
question says (its words and character bigrams, each weighted by its idf), how much does
the answer contain? A word the collection has never seen counts with the highest idf: a
question about 天气 or 比分 in a catalogue that never mentions them is mostly unanswered,
however well its one common word matched.

An expansion (expansion.py) that fired is evidence of its own: the question used a
phrase the lexicon knows stands for these official words. The phrase's share of the
question (its terms' idf, as above) counts as covered as far as the answer contains the
best-covered official word of the rule (the words of one rule are alternatives: 丧葬补助金
or 个人账户, not both); the rest of the question counts as before. So "开饭店要办啥证"
is well covered by 食品经营许可核发, while "快递丢了谁赔" is not covered by an item about
a lost card: 丢了 is explained, 快递 and 赔 are not. A caller compares the evidence with
a threshold calibrated on held-out questions.
"""

from __future__ import annotations

from collections.abc import Sequence

from hongmian.core.search.analysis import BIGRAMS, WORDS, analyse
from hongmian.core.search.expansion import Expansion
from hongmian.core.search.index import SearchIndex
from hongmian.core.text import normalize

_CHANNELS = (WORDS, BIGRAMS)


def _mass(index: SearchIndex, text: str, position: int | None) -> tuple[float, float]:
    """(idf of `text`'s words and bigrams that document `position` contains, idf of all
    of them); a term no document has counts with the highest idf."""
    total = covered = 0.0
    unknown = index.max_idf()
    for channel, terms in analyse(text, index.options).items():
        if channel not in _CHANNELS:
            continue
        for term in set(terms):
            if term.startswith("~"):  # synonym groups stand for words already counted
                continue
            term_id = index.vocabulary.get(f"{channel}:{term}")
            if term_id is None:
                total += unknown
                continue
            idf = index.term_idf(term_id)
            total += idf
            if position is not None and index.has_term(term_id, position):
                covered += idf
    return covered, total


def coverage(index: SearchIndex, text: str, position: int) -> float:
    """The idf-weighted share of `text`'s words and bigrams that document number
    `position` contains (0 when the text has none)."""
    covered, total = _mass(index, text, position)
    return covered / total if total else 0.0


def evidence(
    index: SearchIndex, query: str, expansions: Sequence[Expansion], position: int
) -> float:
    """The share of the question the document covers, directly or through the official
    words of an expansion (see the module's docstring), in [0, 1]."""
    rest = normalize(query).lower()
    explained = 0.0
    for expansion in expansions:
        for phrase in expansion.phrases:
            # A phrase matched by its sound only (a typo) is not in the text; its terms
            # stay in the rest and count as they are.
            if phrase in rest:
                rest = rest.replace(phrase, " ")
                explained += _mass(index, phrase, None)[1]
    covered, total = _mass(index, rest, position)
    if explained:
        best = max(coverage(index, word, position) for e in expansions for word in e.words.split())
        covered += explained * best
        total += explained
    return covered / total if total else 0.0
