"""Ranking quality over a set of questions with known right answers.

Shared by the knowledge base's FAQ evaluation and the catalogue's everyday-query test and
benchmark, so that an MRR@10 reported by one means what it means in the other. A question
may have several right answers (two catalogue items that both do what was asked); the
first of them in the ranking counts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    questions: int
    mrr: float  # MRR@10
    recall_1: float
    recall_10: float

    def line(self) -> str:
        return (
            f"MRR@10 {self.mrr:.3f}  R@1 {self.recall_1:.3f}  R@10 {self.recall_10:.3f}"
            f"  (n={self.questions})"
        )


def score_many(ranked: Iterable[Sequence[str]], answers: Sequence[Collection[str]]) -> Scores:
    """`ranked[i]` the keys returned for question i, best first; `answers[i]` its right
    keys. Only the first ten returned keys count."""
    reciprocal = first = within = 0.0
    for keys, right in zip(ranked, answers, strict=True):
        for rank, key in enumerate(keys[:10], start=1):
            if key in right:
                reciprocal += 1.0 / rank
                within += 1
                first += rank == 1
                break
    n = len(answers) or 1
    return Scores(len(answers), reciprocal / n, first / n, within / n)
