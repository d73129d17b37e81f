"""A citizen's message → sparse features for a linear classifier.

Three TF-IDF blocks, each L2-normalised and then weighted, side by side:

- characters: 1–3-grams of title + content. Chinese needs no segmentation for this and it
  survives typos, dialect spellings and names jieba does not know;
- words: jieba's dictionary words of title + content (unigrams). They add what characters
  split badly (社保卡, 公积金 read as wholes);
- title: character 1–3-grams of the title alone. A caller's title states the subject in a
  few words; on its own block it is not drowned by a long description.

Raw term frequencies (not sublinear) worked better on the hotline messages (decision 0015).
A message arrives normalised and cut to FEATURE_CHARS (messages.Message.prepared), which
bounds the time one prediction can take.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from hongmian.insights.classifier.messages import Message


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """Which blocks and how they weigh. Stored inside every artefact."""

    char_ngrams: tuple[int, int] = (1, 3)
    # Each block's weight against the character block (1.0); 0 leaves it out. 0.7 for
    # both measured best on the board's messages (decision 0015); a file without a title
    # column has no title block anyway.
    word_weight: float = 0.7
    title_weight: float = 0.7
    sublinear_tf: bool = False
    # An n-gram seen in fewer messages is dropped: it cannot generalise, and dropping the
    # singletons shrinks the artefact several times over.
    min_df: int = 2


@functools.cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _is_punct(word: str) -> bool:
    return all(unicodedata.category(c).startswith(("P", "S", "Z")) for c in word)


def words_of(text: str) -> list[str]:
    """jieba's dictionary words of an already normalised text, punctuation dropped.

    Without jieba's HMM pass for unknown words: it halves the time and scored no worse
    (decision 0015); the character block covers words the dictionary lacks. Module-level,
    not a lambda, so that a fitted vectoriser pickles. Words taught through
    `hongmian.core.text.add_words` apply here too (one jieba dictionary per process)."""
    return [w for w in _jieba().cut(text, HMM=False) if w.strip() and not _is_punct(w)]


class MessageFeatures(TransformerMixin, BaseEstimator):
    """scikit-learn transformer: a sequence of Message → CSR matrix (float32)."""

    def __init__(self, spec: FeatureSpec | None = None) -> None:
        self.spec = spec

    def _blocks(self, n_docs: int) -> list[tuple[str, TfidfVectorizer, float]]:
        spec = self.spec or FeatureSpec()
        # A tiny training set has few repeated n-grams; min_df must not empty a block.
        min_df = spec.min_df if n_docs >= 50 else 1
        common: dict[str, Any] = {
            "sublinear_tf": spec.sublinear_tf,
            "min_df": min_df,
            "dtype": np.float32,
            "lowercase": False,
        }
        blocks = [
            (
                "whole",
                TfidfVectorizer(analyzer="char", ngram_range=spec.char_ngrams, **common),
                1.0,
            )
        ]
        if spec.word_weight > 0:
            words = TfidfVectorizer(analyzer=words_of, **common)
            blocks.append(("words", words, spec.word_weight))
        if spec.title_weight > 0:
            title = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), **common)
            blocks.append(("title", title, spec.title_weight))
        return blocks

    @staticmethod
    def _docs(name: str, messages: Sequence[Message]) -> list[str]:
        if name == "title":
            return [m.title for m in messages]
        return [m.whole for m in messages]

    def fit(self, messages: Sequence[Message], y: Any = None) -> MessageFeatures:
        self.fitted_: list[tuple[str, TfidfVectorizer, float]] = []
        for name, vectoriser, weight in self._blocks(len(messages)):
            docs = self._docs(name, messages)
            if name == "title" and not any(docs):
                continue  # no titles in the training data: the block would be empty
            vectoriser.fit(docs)
            self.fitted_.append((name, vectoriser, weight))
        return self

    def transform(self, messages: Sequence[Message]) -> sp.csr_matrix:
        parts = []
        for name, vectoriser, weight in self.fitted_:
            block = vectoriser.transform(self._docs(name, messages))
            parts.append(block * weight if weight != 1.0 else block)
        return sp.hstack(parts, format="csr", dtype=np.float32)

    @property
    def n_features(self) -> int:
        return sum(len(v.vocabulary_) for _name, v, _w in self.fitted_)
