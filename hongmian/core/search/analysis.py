"""Turning Chinese text into the terms the embedded index counts.

Every text — an article when it is indexed, a question when it is searched — goes through
`core.text.normalize` first (full-width → half-width, traditional → simplified), so 身份證
and 身份证 are the same letters before anything else happens. Then it yields terms in
channels, each scored on its own and added up (see index.py):

- ``w`` words: jieba's search-mode segmentation (long words and the shorter words inside
  them), lower-cased, without the question words of lexicon.STOPWORDS; plus one ``~N``
  term for every synonym group (lexicon.SYNONYM_GROUPS) whose member appears in the text.
- ``b`` character bigrams of each run of Chinese characters: they match where segmentation
  disagrees between a short question and a long answer, and a typo spoils only the two
  bigrams that contain it.
- ``p`` the same bigrams in toneless pinyin (pypinyin): 社保卡不办 still meets 社保卡补办,
  since a homophone typo changes the characters but not the sounds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from hongmian.core.search.lexicon import PARTICLES, STOPWORDS, SYNONYM_GROUPS
from hongmian.core.text import normalize, segment

# A run of CJK unified ideographs (the basic block and extension A).
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_HAS_WORD_CHAR = re.compile(r"\w")

WORDS = "w"
BIGRAMS = "b"
PINYIN = "p"
CHANNELS = (WORDS, BIGRAMS, PINYIN)


@dataclass(frozen=True, slots=True)
class AnalyzerOptions:
    """What the analyser emits. The defaults are the production choice; the plain
    baseline of the benchmark is `AnalyzerOptions.plain()`."""

    bigrams: bool = True
    stopwords: bool = True
    synonyms: bool = True
    pinyin: bool = True
    # Search mode also yields the words inside long words (社会保险 → 社会, 保险, 社会保险).
    search_mode: bool = True
    # Normalise before segmenting (traditional → simplified); off only for the baseline.
    normalise: bool = True

    @classmethod
    def plain(cls) -> AnalyzerOptions:
        """jieba words of the raw text and nothing else: the baseline to beat."""
        return cls(
            bigrams=False,
            stopwords=False,
            synonyms=False,
            pinyin=False,
            search_mode=False,
            normalise=False,
        )


@functools.cache
def _synonym_pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    group_of: dict[str, int] = {}
    for number, group in enumerate(SYNONYM_GROUPS):
        for member in group:
            # normalize() so that the list can be written in any script; a member listed in
            # two groups keeps its first.
            group_of.setdefault(normalize(member).lower(), number)
    # Longest first: at any position the regex takes the first alternative that matches.
    members = sorted(group_of, key=len, reverse=True)
    return re.compile("|".join(re.escape(m) for m in members)), group_of


def synonym_terms(norm: str) -> list[str]:
    """One ``~N`` term per occurrence of a member of synonym group N in normalised text."""
    pattern, group_of = _synonym_pattern()
    return [f"~{group_of[m.group(0)]}" for m in pattern.finditer(norm)]


def han_runs(norm: str) -> Iterator[str]:
    return (m.group(0) for m in _HAN_RUN.finditer(norm))


def bigrams_of(norm: str, *, stopwords: bool) -> list[str]:
    out: list[str] = []
    for run in han_runs(norm):
        if len(run) == 1:
            # A lone character between punctuation (车, 狗) is a word in its own right.
            if not (stopwords and (run in STOPWORDS or run in PARTICLES)):
                out.append(run)
            continue
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if stopwords and (gram in STOPWORDS or gram[0] in PARTICLES or gram[1] in PARTICLES):
                continue
            out.append(gram)
    return out


@functools.cache
def _sound(char: str) -> str:
    # Each character's usual toneless reading, looked up once per character: a polyphone
    # always gets the same reading, on both sides, which is all a typo match needs, and it
    # is far faster than reading whole phrases in context.
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.NORMAL, errors="ignore")[0] or char


def pinyin_bigrams(bigrams: list[str]) -> list[str]:
    """The sounds of the character bigrams (those the bigram channel kept)."""
    return [f"{_sound(g[0])}_{_sound(g[1])}" for g in bigrams if len(g) == 2]


def words_of(norm: str, options: AnalyzerOptions) -> list[str]:
    words = segment(norm, search=options.search_mode) if options.normalise else _raw_words(norm)
    out = [w.lower() for w in words if _HAS_WORD_CHAR.search(w)]
    if options.stopwords:
        out = [w for w in out if w not in STOPWORDS]
    return out


def _raw_words(text: str) -> list[str]:
    # The baseline segments the text as it came (traditional characters and all), which is
    # what a search built on jieba alone would do.
    import jieba

    return [w for w in jieba.cut(text) if w.strip()]


def analyse(text: str, options: AnalyzerOptions) -> dict[str, list[str]]:
    """The terms of `text` in each channel the options switch on (channel → terms, in order,
    repeated as often as they occur)."""
    norm = normalize(text).lower() if options.normalise else (text or "").strip().lower()
    terms: dict[str, list[str]] = {WORDS: words_of(norm, options)}
    if options.synonyms:
        terms[WORDS].extend(synonym_terms(norm))
    if options.bigrams or options.pinyin:
        bigrams = bigrams_of(norm, stopwords=options.stopwords)
        if options.bigrams:
            terms[BIGRAMS] = bigrams
        if options.pinyin:
            terms[PINYIN] = pinyin_bigrams(bigrams)
    return terms
