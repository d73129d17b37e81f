"""Chinese text helpers: normalisation, traditional → simplified, segmentation.

Segmentation uses jieba (the de-facto standard dictionary segmenter); conversion uses OpenCC.
Both load lazily, once per process, so importing this module costs nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_SPACES = re.compile(r"\s+")


@functools.cache
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def to_simplified(text: str) -> str:
    """臺北市政府 → 台北市政府."""
    return _t2s().convert(text) if text else text


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), traditional → simplified, whitespace folded, stripped."""
    if not text:
        return ""
    return _SPACES.sub(" ", to_simplified(unicodedata.normalize("NFKC", text))).strip()


def segment(text: str, *, search: bool = False) -> list[str]:
    """Words of `text` after normalisation; spaces and punctuation dropped.
    search=True also yields the shorter words inside long ones (for indexing)."""
    norm = normalize(text)
    jieba = _jieba()
    words: Iterable[str] = jieba.cut_for_search(norm) if search else jieba.cut(norm)
    return [w for w in words if w.strip() and not _is_punct(w)]


def add_words(words: Iterable[str]) -> None:
    """Teach the segmenter domain words (place names, unit names) so they stay whole."""
    jieba = _jieba()
    for w in words:
        jieba.add_word(w)


def _is_punct(word: str) -> bool:
    return all(unicodedata.category(c).startswith(("P", "S", "Z")) for c in word)


def key_terms(text: str, *, limit: int = 20) -> list[str]:
    """The `limit` words that say most about `text` (jieba's TF-IDF keyword extraction),
    most telling first: a long request reduced to a query a search engine can take."""
    _jieba()
    import jieba.analyse

    terms: list[str] = jieba.analyse.extract_tags(normalize(text), topK=limit)
    return terms
