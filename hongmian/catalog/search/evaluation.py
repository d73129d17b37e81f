"""Measuring the catalogue search on everyday queries written by the project.

The queries (tests/data/everyday_queries.jsonl) are questions as people type them, each
with the codes of the items of the real 1,135-item file (shared data) that answer it, or
with no code for a question no item answers (weather, scores, complaints for 12345).
They are split in two halves by a hash of the id: "dev", on which the lexicon and the
confidence threshold were tuned, and "test", reported apart and never tuned on.

Reported per half: MRR@10 over the answerable queries, the share of answerable queries
answered as sure, and the share of unanswerable ones answered "not sure" — for the
search and for the baseline (jieba words + BM25, no lexicon, no bigrams, no pinyin).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hongmian.catalog.search.engine import Answer, CatalogSearch, ItemDocument
from hongmian.core.search.analysis import AnalyzerOptions
from hongmian.core.search.expansion import Expansions
from hongmian.core.search.index import RankingParams
from hongmian.core.search.metrics import score_many

QUERIES_FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "everyday_queries.jsonl"


@dataclass(frozen=True, slots=True)
class EverydayQuery:
    id: str
    query: str
    codes: tuple[str, ...]  # empty: no item answers it

    @property
    def split(self) -> str:
        return split_of(self.id)


@dataclass(frozen=True, slots=True)
class Report:
    answerable: int
    unanswerable: int
    mrr: float
    recall_1: float
    confident_answerable: float  # share answered as sure
    unsure_unanswerable: float  # share answered "not sure"

    def line(self) -> str:
        return (
            f"MRR@10 {self.mrr:.3f}  R@1 {self.recall_1:.3f}  sure on answerable "
            f"{self.confident_answerable:.0%}  not-sure on unanswerable "
            f"{self.unsure_unanswerable:.0%}  (n={self.answerable}+{self.unanswerable})"
        )


def split_of(key: str) -> str:
    """ "dev" or "test", fixed by the id so every run splits the same way."""
    return "dev" if zlib.crc32(key.encode()) % 2 == 0 else "test"


def load_queries(path: Path = QUERIES_FILE) -> list[EverydayQuery]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(EverydayQuery(row["id"], row["query"], tuple(row["codes"])))
    return out


def baseline(documents: Sequence[ItemDocument]) -> CatalogSearch:
    """jieba words of the raw text and BM25 with the textbook k1 and b; no lexicon."""
    return CatalogSearch.build(
        documents,
        lexicon=Expansions([]),
        options=AnalyzerOptions.plain(),
        params=RankingParams(k1={"w": 1.5}, b={"w": 0.75}, rerank_depth=0, title_boost=1.0),
        variants=False,
    )


def answer_all(search: CatalogSearch, queries: Sequence[EverydayQuery]) -> list[Answer]:
    return [search.search(q.query, limit=10) for q in queries]


def report(
    answers: Sequence[Answer], queries: Sequence[EverydayQuery], *, threshold: float
) -> Report:
    pairs = list(zip(answers, queries, strict=True))
    known = [(a, q) for a, q in pairs if q.codes]
    unknown = [a for a, q in pairs if not q.codes]
    scores = score_many(([h.code for h in a.hits] for a, _ in known), [q.codes for _, q in known])
    sure = sum(a.evidence >= threshold for a, _ in known)
    unsure = sum(a.evidence < threshold for a in unknown)
    return Report(
        answerable=len(known),
        unanswerable=len(unknown),
        mrr=scores.mrr,
        recall_1=scores.recall_1,
        confident_answerable=sure / (len(known) or 1),
        unsure_unanswerable=unsure / (len(unknown) or 1),
    )


def calibrate(answers: Sequence[Answer], queries: Sequence[EverydayQuery]) -> float:
    """The threshold that maximises the smaller of the two rates (sure on answerable,
    not sure on unanswerable) — neither may be bought with the other — ties broken by
    their sum. Call it with the dev half only."""
    candidates = sorted({round(a.evidence, 3) for a in answers} | {0.5})
    best, best_key = 0.5, (-1.0, -1.0)
    for t in candidates:
        r = report(answers, queries, threshold=t)
        key = (
            min(r.confident_answerable, r.unsure_unanswerable),
            r.confident_answerable + r.unsure_unanswerable,
        )
        if key > best_key:
            best, best_key = t, key
    return best


def load_items_csv(path: Path) -> list[ItemDocument]:
    """The items of a catalogue file with the real file's columns (department, main_item,
    name, task_type, item_code) as the search sees them once imported — for the benchmark,
    which measures the engine without a database."""
    from hongmian.catalog.states import TASK_TYPE_CODES, ItemType
    from hongmian.core.tables import read_table

    labels = dict(ItemType.choices)
    columns = ["department", "main_item", "name", "task_type", "item_code"]
    documents = []
    for row in read_table(path, required=columns).rows:
        main_item = row.cell("main_item")
        documents.append(
            ItemDocument(
                code=row.cell("item_code"),
                name=row.cell("name"),
                department=row.cell("department"),
                # A row that names itself as its main item has none (as the importer reads it).
                main_item="" if main_item in ("未分类", row.cell("name")) else main_item,
                item_type=str(labels.get(TASK_TYPE_CODES.get(row.cell("task_type"), ""), "")),
            )
        )
    return documents
