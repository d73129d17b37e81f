"""Text similarity for the hotline's insights: character n-gram TF-IDF and key terms.

Why characters rather than words: citizens write the same place and problem in different
words (搅拌站 / 搅拌厂, 伊景园滨河苑 / 滨河苑), make typos and mix traditional characters;
overlapping 2- and 3-character pieces still meet where a segmenter's words would not. Words
(jieba) are used only to *describe* a group to a person, where whole words read better.

Texts go through `core.text.normalize` (full-width → half-width, traditional →
simplified) first; spaces are dropped because Chinese text does not need them.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

from hongmian.core.text import normalize, segment

# The start of a long complaint says what and where; the rest is mostly story. Reading
# more costs time and adds words that two reports of one problem do not share.
CONTENT_CHARS = 300
# An n-gram in more than this share of a large pool is boilerplate (您好, 反映, 小区);
# below MIN_POOL_FOR_MAX_DF texts the share is not meaningful and only IDF weighs them.
MAX_DF = 0.3
MIN_POOL_FOR_MAX_DF = 100
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"^[\d.%]+$")

# Words that say nothing about the problem or the place: forms of address, the masked
# place names of the public board (A市), verbs of asking, and the generic words for "a
# place" (小区, 附近) that would otherwise glue onto every name (新城小区). Key terms only.
_STOPWORD_TEXT = """
    您好 你好 领导 尊敬 请问 问题 反映 投诉 建议 咨询 希望 要求 请求 关于 相关 部门 政府
    市民 居民 我们 他们 你们 自己 这个 那个 什么 怎么 为什么 如何 是否 能否 可以 没有 已经
    现在 目前 一直 一下 一些 非常 严重 情况 进行 处理 解决 谢谢 感谢 尽快 还是 因为 所以
    但是 而且 并且 以及 或者 如果 这些 那些 这样 这里 那里 时候 时间 今年 去年 每天 多次
    给予 予以 存在 出现 导致 影响 造成 问问 市里 有关 有限公司 公司 工作 表示 知道 不能
    a市 市委 书记 市长 局长 网友 留言 回复 答复 收悉 本人 大家 一个 一年 几个 很多 不是
    小区 附近 街道 社区 业主 住户 周边 旁边 一带 地方 区域 位于 位置 这边 那边
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_PLACE_MASK = re.compile(r"^[a-z]\d*[市区县]$")
# Masked place names of the public board (A市, A3区, K9县), cut out before segmenting:
# jieba would glue the 县 to the next word (A7县荣盛 → 县荣盛).
_MASKED = re.compile(r"[A-Za-z]\d*[市区县省]")


def clean(text: str) -> str:
    """Normalised, lower-cased, without spaces: what the n-grams are taken from."""
    return _SPACE.sub("", normalize(text or "")).lower()


def order_text(title: str, content: str, *, content_chars: int = CONTENT_CHARS) -> str:
    """The text compared for one order or message: the title counts twice (it names the
    problem and usually the place), then the beginning of the content."""
    title, content = clean(title), clean(content)
    return f"{title}。{title}。{content[:content_chars]}" if title else content[:content_chars]


def tfidf(
    texts: Sequence[str],
    *,
    background: Sequence[str] = (),
    ngram_range: tuple[int, int] = (1, 2),
) -> sparse.csr_matrix:
    """Rows of L2-normalised character 1- and 2-gram TF-IDF (sublinear tf) for `texts`.
    Rarity (IDF) is measured on `texts` and `background` together: the pool being compared
    says which words are common this week (台风), and a background of other recent reports
    keeps a small pool from treating every shared character as rare."""
    # Imported here: scikit-learn takes a second to load, and most processes never call this.
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    fit_on = [*texts, *background]
    vectoriser = TfidfVectorizer(
        analyzer="char",
        ngram_range=ngram_range,
        sublinear_tf=True,
        max_df=MAX_DF if len(fit_on) >= MIN_POOL_FOR_MAX_DF else 1.0,
        lowercase=False,
        dtype=np.float32,
    )
    try:
        vectoriser.fit(fit_on)
    except ValueError:
        # Every text empty, or every n-gram too common: nothing is similar to anything.
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
    return vectoriser.transform(texts).tocsr()


def cosine(matrix: sparse.csr_matrix, row: int) -> np.ndarray:
    """Cosine of `row` with every row (rows are L2-normalised)."""
    return np.asarray((matrix @ matrix[row].T).todense()).ravel()


def _content_word(w: str) -> bool:
    return not (len(w) < 2 or w in STOPWORDS or _DIGITS.match(w) or _PLACE_MASK.match(w))


def words(text: str) -> list[str]:
    """Content words of `text` (jieba), for describing a group: no stopwords, no single
    characters, no bare numbers, no masked place names (A3区)."""
    return [w for w in (w.lower() for w in segment(_MASKED.sub("，", text))) if _content_word(w)]


def terms(text: str) -> list[str]:
    """Content words and each pair of adjacent content words joined: the segmenter cuts an
    unknown estate's name in two (丽发 / 新城), and the pair is what a reader recognises."""
    raw = [w.lower() for w in segment(_MASKED.sub("，", text))]
    out = [w for w in raw if _content_word(w)]
    out += [a + b for a, b in itertools.pairwise(raw) if _content_word(a) and _content_word(b)]
    return out


def key_terms(
    group: Sequence[Iterable[str]], document_frequency: Counter[str], documents: int, k: int = 5
) -> list[str]:
    """The `k` terms that mark a group against the whole pool (class-based TF-IDF): how many
    of the group's texts use the term, times how rare the term is in the pool. A term used
    by fewer than a quarter of the texts (or by one alone) does not describe the group: it
    is one writer's wording, copied. A longer term replaces a shorter one inside it when it
    scores nearly as well (丽发新城 rather than 丽发)."""
    inside: Counter[str] = Counter()
    for doc in group:
        inside.update(set(doc))
    need = max(2, math.ceil(len(group) / 4)) if len(group) > 1 else 1
    scored = sorted(
        (
            (n * math.log((1 + documents) / (1 + document_frequency[w])), w)
            for w, n in inside.items()
            if n >= need
        ),
        key=lambda x: (-x[0], x[1]),
    )
    chosen: list[tuple[float, str]] = []
    for score, w in scored:
        if any(w in c for _s, c in chosen):
            continue
        inner = [i for i, (_s, c) in enumerate(chosen) if c in w]
        if inner:
            if all(score >= 0.6 * chosen[i][0] for i in inner):
                chosen = [c for i, c in enumerate(chosen) if i not in inner] + [(score, w)]
            continue
        if len(chosen) < k:
            chosen.append((score, w))
    chosen.sort(key=lambda x: -x[0])
    return [w for _s, w in chosen[:k]]
