"""Measuring the search on a question–answer set (the Taipei FAQ in shared data).

Protocol: the answers are indexed as bodies only — no title, and the question hidden from
the index — and each question is searched; the right result is its own answer. Reported:
MRR@10, recall@1 and recall@10. Parameters were tuned on the "tune" half of the questions
(split by a hash of the row id) and are reported on the "held-out" half as well as on all.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hongmian.core.search.dense import DenseVectors, PrecomputedQueries, VectorStore
from hongmian.core.search.index import IndexDocument, SearchIndex
from hongmian.core.search.metrics import Scores, score_many
from hongmian.core.tables import read_table

FAQ_FILE = Path("qa") / "taipei_faq_train.csv"
# The columns of the FAQ file (its header: data_id, dept, …, question, answer, …).
ID, QUESTION, ANSWER, UNIT = "data_id", "question", "answer", "dept"


@dataclass(frozen=True, slots=True)
class Question:
    key: str  # the key of the right answer
    text: str


@dataclass(frozen=True, slots=True)
class QaSet:
    documents: list[IndexDocument]
    questions: list[Question]

    def half(self, name: str) -> list[Question]:
        return [q for q in self.questions if split_of(q.key) == name]


def split_of(key: str) -> str:
    """ "tune" or "held-out", fixed by the row id so every run splits the same way."""
    return "tune" if zlib.crc32(key.encode()) % 2 == 0 else "held-out"


def load_faq(data_dir: Path, *, with_unit: bool = False) -> QaSet:
    """The FAQ's answers as documents and its questions as queries. with_unit=True adds
    the answering department's name to each document (as an owning unit would be)."""
    rows = read_table(data_dir / FAQ_FILE, required=[ID, QUESTION, ANSWER, UNIT]).rows
    documents = [
        IndexDocument(
            key=row.cell(ID),
            title="",
            body=row.cell(ANSWER),
            extra=row.cell(UNIT) if with_unit else "",
        )
        for row in rows
    ]
    questions = [Question(row.cell(ID), row.cell(QUESTION)) for row in rows]
    return QaSet(documents, questions)


def score(ranked: Iterable[Sequence[str]], questions: Sequence[Question]) -> Scores:
    return score_many(ranked, [(q.key,) for q in questions])


def evaluate(
    index: SearchIndex, questions: Sequence[Question], *, store: VectorStore | None = None
) -> Scores:
    """Search every question and score the answers. With dense vectors the questions are
    embedded first in one batch (kept in `store` when given); the ranking is the same."""
    if index.dense is not None:
        encoder = PrecomputedQueries(index.dense.encoder, [q.text for q in questions], store=store)
        index = index.with_dense(DenseVectors(index.dense.matrix, encoder))
    return score(([h.key for h in index.search(q.text, limit=10)] for q in questions), questions)


def dense_only(
    index: SearchIndex, questions: Sequence[Question], *, store: VectorStore | None = None
) -> Scores:
    """The dense score alone (cosine of question and answer), for comparison."""
    if index.dense is None:
        raise ValueError("the index has no dense vectors")
    encoder = PrecomputedQueries(index.dense.encoder, [q.text for q in questions], store=store)
    ranked = []
    for q in questions:
        cosine = index.dense.scores(encoder.query(q.text))
        best = np.argsort(-cosine, kind="stable")[:10]
        ranked.append([index.keys[i] for i in best])
    return score(ranked, questions)
