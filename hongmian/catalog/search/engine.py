"""The catalogue's search over service items, on the house's search engine (core/search).

An item is indexed with its name as the title (a name is a short statement of what the
item does), and its main item (主项), department and item type as body text, so that
"人社局 失业" or "行政许可 食品" find what they say. A question is expanded with the
colloquial lexicon (hongmian/catalog/data/colloquial.txt) before it is ranked, and the
best result's evidence (core/search/confidence.py) decides whether the answer is given as
sure or as "not sure — ask 12345".

Nothing here reads the database: `CatalogSearch.build` takes the documents, and
backend.py builds one per process from the published items and rebuilds it when the
catalogue changes. The benchmark and the evaluation build it from files.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hongmian.core.search.analysis import AnalyzerOptions
from hongmian.core.search.confidence import evidence
from hongmian.core.search.expansion import Expansion, Expansions
from hongmian.core.search.index import IndexDocument, RankingParams, SearchIndex
from hongmian.core.text import normalize

LEXICON_FILE = Path(__file__).resolve().parents[1] / "data" / "colloquial.txt"

# Calibrated on the dev half of the everyday queries (tests/data/everyday_queries.jsonl,
# docs/decisions/0042-catalogue-search.md): the evidence of the best result at or above
# which the answer is given as sure.
CONFIDENCE_THRESHOLD = 0.18

# An item's variants (…注销, …变更, …补办) share its words. A question that names no
# such step asks for the item itself ("残疾证怎么办" is 残疾人证新办, not 残疾人证注销):
# variants then count VARIANT_FACTOR of their score. A step named by the question (or by
# an expansion: 丢了 → 补办) lifts the discount from every item.
VARIANTS = re.compile(
    r"注销|撤销|变更|更正|补办|补领|补发|补证|遗失|挂失|解挂|换发|换领|换证|延续|延期|续期|"
    r"转出|转入|过户|迁移|终止|停业|歇业|复业|恢复|封存|解封|复审|复查|校验|重核|查询|咨询|"
    r"指引|投诉"
)
VARIANT_FACTOR = 0.9

# Chosen on the dev half of the everyday queries (decision 0042: b 0.3–0.9 × expansion
# weight 0.3–1.0; MRR@10 0.86–0.925, a flat top around these values). An expansion
# weighted as much as the question's own words pulls in every item that shares one
# generic official word (许可, 登记); at half weight it decides between items the
# question's words already found. The local-idf rerank (for FAQ families) is off: item
# names are one line.
CATALOG_PARAMS = RankingParams(
    k1={"w": 1.2, "b": 1.2, "p": 1.2},
    b={"w": 0.75, "b": 0.75, "p": 0.75},
    weight={"w": 1.0, "b": 1.0, "p": 0.3},
    title_boost=2.0,
    synonym_weight=0.5,
    expansion_weight=0.5,
    rerank_depth=0,
)


@dataclass(frozen=True, slots=True)
class ItemDocument:
    """What the search knows of one item (its published version)."""

    code: str
    name: str
    department: str = ""
    main_item: str = ""
    item_type: str = ""
    # Other words that should find the item: life events, audiences, keywords.
    extra: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ItemHit:
    code: str
    name: str
    department: str
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    hits: list[ItemHit]
    confident: bool
    # The best result's evidence in [0, 1] (core/search/confidence.py).
    evidence: float
    # The rules of the lexicon that fired (for "why this result").
    expansions: tuple[Expansion, ...]
    # How many items share a term with the question (under the filters): the true count
    # of the list, of which `hits` is the head.
    total: int = 0


@functools.cache
def default_lexicon() -> Expansions:
    return Expansions.load(LEXICON_FILE)


class CatalogSearch:
    """An index of items, read-only once built (one per process, shared by threads)."""

    def __init__(
        self,
        index: SearchIndex,
        documents: list[ItemDocument],
        lexicon: Expansions | None,
        threshold: float,
        variants: bool = True,
    ) -> None:
        self.index = index
        self.documents = documents
        self.lexicon = lexicon
        self.threshold = threshold
        self._position = {d.code: i for i, d in enumerate(documents)}
        self._variant = [variants and bool(VARIANTS.search(normalize(d.name))) for d in documents]

    @classmethod
    def build(
        cls,
        documents: Iterable[ItemDocument],
        *,
        lexicon: Expansions | None = None,
        options: AnalyzerOptions | None = None,
        params: RankingParams | None = None,
        threshold: float = CONFIDENCE_THRESHOLD,
        variants: bool = True,
    ) -> CatalogSearch:
        """lexicon=None reads the project's lexicon; pass `Expansions([])` for none.
        variants=False turns the variant discount off (the baseline)."""
        docs = list(documents)
        index = SearchIndex.build(
            (
                IndexDocument(
                    key=d.code,
                    title=d.name,
                    # 未分类 ("not classified") is the source's placeholder, not a word.
                    body=d.main_item if d.main_item != "未分类" else "",
                    extra=f"{d.department} {d.item_type} {d.extra}",
                    valid_from=d.valid_from,
                    valid_until=d.valid_until,
                )
                for d in docs
            ),
            options=options,
            params=params or CATALOG_PARAMS,
        )
        lexicon = default_lexicon() if lexicon is None else lexicon
        return cls(index, docs, lexicon, threshold, variants)

    def __len__(self) -> int:
        return len(self.documents)

    def mask(self, codes: Collection[str]) -> npt.NDArray[np.bool_]:
        """The index's mask of the items with these codes (a filter's result)."""
        mask = np.zeros(len(self.documents), dtype=np.bool_)
        positions = [self._position[c] for c in codes if c in self._position]
        mask[positions] = True
        return mask

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        only: npt.NDArray[np.bool_] | None = None,
        today: dt.date | None = None,
    ) -> Answer:
        """The best `limit` items for `query` — among those `only` lets through (a mask,
        see `mask`) and valid on `today` (None: ignore validity) — and whether the best
        is a sure answer."""
        expansions = tuple(self.lexicon.expand(query)) if self.lexicon else ()
        words = [e.words for e in expansions]
        # Take more than asked so that the variant discount can reorder the head.
        hits = self.index.search(
            query, limit=max(limit * 2, 20), expansions=words, only=only, today=today
        )
        if not hits:
            return Answer([], False, 0.0, expansions)
        if not VARIANTS.search(" ".join([normalize(query), *words])):
            discount = self._variant
            hits = sorted(
                hits,
                key=lambda h: -h.score * (VARIANT_FACTOR if discount[h.position] else 1.0),
            )
        hits = hits[:limit]
        found = evidence(self.index, query, expansions, hits[0].position)
        return Answer(
            [
                ItemHit(
                    h.key,
                    self.documents[h.position].name,
                    self.documents[h.position].department,
                    h.score,
                )
                for h in hits
            ],
            found >= self.threshold,
            found,
            expansions,
            self._count(query, words, only, today),
        )

    def _count(
        self,
        query: str,
        words: list[str],
        only: npt.NDArray[np.bool_] | None,
        today: dt.date | None,
    ) -> int:
        scores = self.index.scores(self.index.expanded_terms(query, words))
        allowed = self.index.allowed(audience="public", today=today)
        if only is not None:
            allowed &= only
        return int(np.count_nonzero((scores > 0) & allowed))
