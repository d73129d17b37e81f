"""The embedded index: BM25 over several channels of terms, held in numpy arrays.

Built once from a list of documents (`SearchIndex.build`) and then read-only, so one index
can serve every thread of a process; a change of the articles means a new index (the
backend in embedded.py decides when). Scoring, for a document d and a question q:

    score(d) = Σ_channel weight_c · Σ_{t ∈ q_c} qw(t) · idf(t) · tf'(t, d)
    tf'(t, d) = tf·(k1+1) / (tf + k1·(1 − b + b·len_c(d)/avglen_c))

with tf and len counted BM25F-style: a title term counts `title_boost` times. The idf is
Lucene's, log(1 + (N − df + ½)/(df + ½)), which never goes negative on a small collection.
qw is 1 per occurrence in the question, `synonym_weight` for a synonym group term.

Postings are stored term by term (CSR: offsets, document numbers, precomputed tf'), so a
question costs one vectorised add per known term; 50,000 articles answer in a few ms.

An index built with dense vectors (dense.py: one multilingual-e5-small vector per
document) ranks in two stages, both fused with BM25 (`_hybrid`):

    first(d) = BM25(d) / max BM25 + (cos(q, d) − max cos) / hybrid_cosine_scale
    head     = the best `hybrid_depth` documents by `first`
    final(d) = cos(q, d) + hybrid_local · local(d) / max local      (d in the head)

where local(d) is BM25 with each term's idf taken among the head only, to the power
`hybrid_local_gamma` (as in the BM25-only rerank below: among sibling answers of one
topic the topic words say nothing). The head is ranked by `final`, the rest by `first`.
An index given a LearnedRanking (`with_learned`, learned.py: learned from the city's own
question → article pairs) turns the question's vector with its adapter before the cosines
and orders the head by its reranker instead of `final`.
Without vectors the ranking is BM25 and the local-idf rerank of its top 10.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from hongmian.core.search.analysis import (
    BIGRAMS,
    CHANNELS,
    PINYIN,
    WORDS,
    AnalyzerOptions,
    analyse,
)
from hongmian.core.search.learned import (
    Head,
    LearnedRanking,
    article_profile,
    head_features,
    question_aspects,
)

if TYPE_CHECKING:
    from hongmian.core.search.dense import DenseVectors

logger = logging.getLogger(__name__)

AUDIENCE_LEVELS = {"public": 0, "staff": 1}
_NO_START = np.iinfo(np.int32).min
_NO_END = np.iinfo(np.int32).max


@dataclass(frozen=True, slots=True)
class IndexDocument:
    """One article as the index sees it. `key` is what a hit returns (the article's id, or
    its external id for an index built from a spreadsheet)."""

    key: str
    title: str
    body: str
    audience: str = "public"
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    # Other text that should find the article (tags, the owning unit's name), weighted
    # like the body.
    extra: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    score: float
    position: int  # the document's number in the index, for snippets


@dataclass(frozen=True, slots=True)
class RankingParams:
    """The knobs of the ranking. Defaults were chosen on half of the FAQ questions and
    checked on the other half (docs/decisions/0012-knowledge-search.md)."""

    k1: dict[str, float] = field(default_factory=lambda: {WORDS: 1.5, BIGRAMS: 1.2, PINYIN: 1.2})
    # Answers run from one line to a page; a high b keeps long ones from winning on length.
    b: dict[str, float] = field(default_factory=lambda: {WORDS: 0.9, BIGRAMS: 0.9, PINYIN: 0.9})
    # Pinyin is a safety net for homophone typos: weighted low, it never outvotes the text.
    weight: dict[str, float] = field(
        default_factory=lambda: {WORDS: 1.0, BIGRAMS: 1.0, PINYIN: 0.2}
    )
    # A title is a short statement of what the article answers; the FAQ had none to tune
    # this on, so it is set by judgement, not measured.
    title_boost: float = 2.0
    synonym_weight: float = 0.5
    # A query expansion (expansion.py: the official words a colloquial phrase stands for)
    # counts this much of the question's own words: evidence, but second-hand.
    expansion_weight: float = 0.8
    # Second stage: the best `rerank_depth` documents are scored again with each term's
    # idf taken among them only ("local idf", to the power `rerank_gamma`), and the two
    # scores mixed. FAQ articles come in families that share a topic (一项补助的资格、文件、
    # 地点、电话); among them the topic words say nothing and the few words that differ
    # decide. 0 turns the stage off.
    rerank_depth: int = 10
    rerank_gamma: float = 1.0
    rerank_mix: float = 0.6
    # Hybrid ranking, for an index with dense vectors (see the module's docstring). One
    # point of BM25 (the best document's) is worth `hybrid_cosine_scale` of cosine in the
    # first stage; cosines and BM25 maxima do not depend on the number of documents, so
    # the weights hold from a thousand articles to fifty thousand.
    hybrid_cosine_scale: float = 0.02
    hybrid_depth: int = 15
    hybrid_local: float = 0.03
    hybrid_local_gamma: float = 2.0


class SearchIndex:
    """Documents, their terms and postings. Create with `SearchIndex.build`."""

    def __init__(
        self,
        *,
        keys: list[str],
        documents: list[IndexDocument],
        options: AnalyzerOptions,
        params: RankingParams,
        vocabulary: dict[str, int],
        term_channel: npt.NDArray[np.int8],
        posting_terms: npt.NDArray[np.int32],
        posting_docs: npt.NDArray[np.int32],
        posting_tf: npt.NDArray[np.float32],
        doc_lengths: npt.NDArray[np.float32],
        audience: npt.NDArray[np.int8],
        valid_from: npt.NDArray[np.int32],
        valid_until: npt.NDArray[np.int32],
        dense: DenseVectors | None = None,
    ) -> None:
        if dense is not None and len(dense) != len(keys):
            raise ValueError(f"{len(dense)} vectors for {len(keys)} documents")
        self.keys = keys
        self.dense = dense
        self.learned: LearnedRanking | None = None
        self._profiles: npt.NDArray[np.float64] | None = None
        self.documents = documents
        self.options = options
        self.vocabulary = vocabulary
        self._term_channel = term_channel
        self._audience = audience
        self._valid_from = valid_from
        self._valid_until = valid_until
        self._doc_lengths = doc_lengths  # (documents, channels)
        # Sort the postings by term once; offsets[t]:offsets[t+1] are term t's postings.
        order = np.argsort(posting_terms, kind="stable")
        self._docs = posting_docs[order]
        self._tf = posting_tf[order]
        sorted_terms = posting_terms[order]
        counts = np.bincount(sorted_terms, minlength=len(vocabulary))
        self._offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(counts, out=self._offsets[1:])
        self._df = counts.astype(np.float64)
        self._posting_channel = term_channel[sorted_terms]
        self.params = params
        self._weigh(params)

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        documents: Iterable[IndexDocument],
        *,
        options: AnalyzerOptions | None = None,
        params: RankingParams | None = None,
        dense: DenseVectors | None = None,
    ) -> SearchIndex:
        """`dense`: the documents' vectors, row i for document i (dense.dense_vectors);
        None ranks by BM25 alone."""
        options = options or AnalyzerOptions()
        params = params or RankingParams()
        docs = list(documents)
        title_boost = params.title_boost
        vocabulary: dict[str, int] = {}
        channels: list[int] = []
        channel_no = {c: i for i, c in enumerate(CHANNELS)}
        p_terms: list[int] = []
        p_docs: list[int] = []
        p_tf: list[float] = []
        lengths = np.zeros((len(docs), len(CHANNELS)), dtype=np.float32)
        for number, doc in enumerate(docs):
            title_terms = analyse(doc.title, options) if doc.title else {}
            body_terms = analyse(f"{doc.body}\n{doc.extra}", options)
            for channel in body_terms.keys() | title_terms.keys():
                counts: dict[str, float] = dict(Counter(body_terms.get(channel, ())))
                for term, n in Counter(title_terms.get(channel, ())).items():
                    counts[term] = counts.get(term, 0.0) + title_boost * n
                column = channel_no[channel]
                lengths[number, column] = sum(counts.values())
                prefix = f"{channel}:"
                for term, tf in counts.items():
                    key = prefix + term
                    term_id = vocabulary.get(key)
                    if term_id is None:
                        term_id = vocabulary[key] = len(vocabulary)
                        channels.append(column)
                    p_terms.append(term_id)
                    p_docs.append(number)
                    p_tf.append(tf)
        return cls(
            keys=[d.key for d in docs],
            documents=docs,
            options=options,
            params=params,
            vocabulary=vocabulary,
            term_channel=np.asarray(channels, dtype=np.int8),
            posting_terms=np.asarray(p_terms, dtype=np.int32),
            posting_docs=np.asarray(p_docs, dtype=np.int32),
            posting_tf=np.asarray(p_tf, dtype=np.float32),
            doc_lengths=lengths,
            audience=np.asarray([AUDIENCE_LEVELS[d.audience] for d in docs], dtype=np.int8),
            valid_from=np.asarray(
                [d.valid_from.toordinal() if d.valid_from else _NO_START for d in docs],
                dtype=np.int32,
            ),
            valid_until=np.asarray(
                [d.valid_until.toordinal() if d.valid_until else _NO_END for d in docs],
                dtype=np.int32,
            ),
            dense=dense,
        )

    def reweighted(self, params: RankingParams) -> SearchIndex:
        """The same index ranked with other k1/b/weights (for tuning: no re-analysis).
        The title boost is baked into the counts, so changing it needs a new build."""
        clone = object.__new__(SearchIndex)
        clone.__dict__.update(self.__dict__)
        clone._weigh(params)
        clone.params = params
        return clone

    def with_dense(self, dense: DenseVectors | None) -> SearchIndex:
        """The same index with other dense vectors (None: BM25 alone)."""
        if dense is not None and len(dense) != len(self.keys):
            raise ValueError(f"{len(dense)} vectors for {len(self.keys)} documents")
        clone = object.__new__(SearchIndex)
        clone.__dict__.update(self.__dict__)
        clone.dense = dense
        return clone

    def with_learned(self, learned: LearnedRanking | None) -> SearchIndex:
        """The same index ranked with a learned ranking (learned.py; None: without).
        It applies to the hybrid only: an index without dense vectors ignores it."""
        clone = object.__new__(SearchIndex)
        clone.__dict__.update(self.__dict__)
        clone.learned = learned
        if learned is not None:
            clone._profiles = self.document_profiles()
        return clone

    def _weigh(self, params: RankingParams) -> None:
        n = max(len(self.keys), 1)
        self._idf = np.log1p((n - self._df + 0.5) / (self._df + 0.5)).astype(np.float32)
        avg = self._doc_lengths.mean(axis=0) if len(self.keys) else np.ones(len(CHANNELS))
        k1 = np.asarray([params.k1.get(c, 1.2) for c in CHANNELS], dtype=np.float32)
        b = np.asarray([params.b.get(c, 0.75) for c in CHANNELS], dtype=np.float32)
        avg = np.where(avg > 0, avg, 1.0).astype(np.float32)
        ch = self._posting_channel
        dl = self._doc_lengths[self._docs, ch]
        norm = k1[ch] * (1 - b[ch] + b[ch] * dl / avg[ch])
        self._impact = (self._tf * (k1[ch] + 1) / (self._tf + norm)).astype(np.float32)
        self._channel_weight = {c: params.weight.get(c, 0.0) for c in CHANNELS}

    # --- searching --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.keys)

    def query_terms(self, query: str) -> dict[int, float]:
        """The question's known terms (term id → weight in the sum, idf not included)."""
        weights: dict[int, float] = {}
        for channel, terms in analyse(query, self.options).items():
            channel_weight = self._channel_weight.get(channel, 0.0)
            if not channel_weight:
                continue
            prefix = f"{channel}:"
            for term, n in Counter(terms).items():
                term_id = self.vocabulary.get(prefix + term)
                if term_id is None:
                    continue
                weight = channel_weight * n
                if term.startswith("~"):
                    weight *= self.params.synonym_weight
                weights[term_id] = weights.get(term_id, 0.0) + weight
        return weights

    def expanded_terms(self, query: str, expansions: Iterable[str] = ()) -> dict[int, float]:
        """query_terms of the question plus those of each expansion text, the latter
        weighted by `expansion_weight`."""
        weights = self.query_terms(query)
        for text in expansions:
            for term_id, weight in self.query_terms(text).items():
                extra = self.params.expansion_weight * weight
                weights[term_id] = weights.get(term_id, 0.0) + extra
        return weights

    def term_idf(self, term_id: int) -> float:
        return float(self._idf[term_id])

    def max_idf(self) -> float:
        """The idf of a term no document has (df = 0)."""
        n = max(len(self.keys), 1)
        return math.log1p((n + 0.5) / 0.5)

    def has_term(self, term_id: int, position: int) -> bool:
        """Whether document number `position` contains the term."""
        start, end = int(self._offsets[term_id]), int(self._offsets[term_id + 1])
        # A term's postings are in document order (built document by document, sorted
        # stably), so a binary search finds the document.
        docs = self._docs[start:end]
        at = int(np.searchsorted(docs, position))
        return at < len(docs) and int(docs[at]) == position

    def scores(self, weights: dict[int, float]) -> npt.NDArray[np.float32]:
        scores = np.zeros(len(self.keys), dtype=np.float32)
        for term_id, weight in weights.items():
            start, end = self._offsets[term_id], self._offsets[term_id + 1]
            # Within one term's postings each document appears once, so a fancy-index add
            # is exact (no np.add.at needed).
            scores[self._docs[start:end]] += (weight * self._idf[term_id]) * self._impact[start:end]
        return scores

    def allowed(self, *, audience: str, today: dt.date | None) -> npt.NDArray[np.bool_]:
        mask = self._audience <= AUDIENCE_LEVELS[audience]
        if today is not None:
            day = today.toordinal()
            mask &= (self._valid_from <= day) & (self._valid_until >= day)
        return mask

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        audience: str = "staff",
        today: dt.date | None = None,
        expansions: Iterable[str] = (),
        only: npt.NDArray[np.bool_] | None = None,
    ) -> list[Hit]:
        """The best `limit` documents for `query` that `audience` may read and that are
        valid on `today` (None: ignore validity). Documents that share no term with the
        question are never returned. `expansions`: texts that stand for words of the
        question (expansion.py), weighted by `expansion_weight`; `only`: a mask over the
        documents (a filter by department, audience…), None for all."""
        if limit <= 0 or not self.keys:
            return []
        weights = self.expanded_terms(query, expansions)
        if not weights:
            return []
        scores = self.scores(weights)
        allowed = self.allowed(audience=audience, today=today)
        if only is not None:
            allowed &= only
        scores[~allowed] = 0.0
        if self.dense is not None:
            try:
                query_vector = self.dense.encoder.query(query)
                if self.learned is not None:
                    query_vector = self.learned.adapt(query_vector)
            except Exception:
                # The embedding engine failed: answer from BM25 rather than not at all.
                logger.exception("knowledge search: embedding the question failed")
            else:
                cosine = self.dense.scores(query_vector)
                return self._top(self._hybrid(weights, scores, cosine, allowed, query), limit)
        if self.params.rerank_depth > 1 and self.params.rerank_mix > 0:
            scores = self._rerank(weights, scores)
        return self._top(scores, limit)

    def _hybrid(
        self,
        weights: dict[int, float],
        bm25: npt.NDArray[np.float32],
        cosine: npt.NDArray[np.float32],
        allowed: npt.NDArray[np.bool_],
        query: str,
    ) -> npt.NDArray[np.float32]:
        """Scores for `_top`: the head in [1, 3.1], the other documents that share a term
        with the question in (0, 1), in the order described in the module's docstring
        (with a learned ranking, the head is ordered by it: learned.py)."""
        out = np.zeros(len(self.keys), dtype=np.float32)
        candidates = np.flatnonzero(allowed)
        if not len(candidates):
            return out
        head, first, best = self._head(weights, bm25, cosine, candidates)
        # Below the head: documents that share a term with the question, by the first
        # stage (≤ 1 at the best document), mapped into (0, 1).
        rest = bm25[candidates] > 0
        rest[best] = False
        out[candidates[rest]] = 0.999 * np.exp(first[rest] - 1.0)
        final = head.final
        if self.learned is not None:
            learned = self.learned.rerank(
                head_features(head, self.document_profiles(), question_aspects(query))
            )
            spread = float(learned.max() - learned.min())
            final = (learned - learned.min()) / spread if spread > 0 else np.zeros(len(learned))
        out[head.documents] = 2.0 + final
        return out

    def _head(
        self,
        weights: dict[int, float],
        bm25: npt.NDArray[np.float32],
        cosine: npt.NDArray[np.float32],
        candidates: npt.NDArray[np.intp],
    ) -> tuple[Head, npt.NDArray[np.float64], npt.NDArray[np.intp]]:
        """The head of the hybrid ranking in first-stage order, the first-stage scores of
        the candidates, and the head's places among the candidates."""
        params = self.params
        top_bm25 = float(bm25[candidates].max())
        # Typed as float64 for the Head; the values keep the vectors' own precision.
        first = cast(
            npt.NDArray[np.float64],
            (cosine[candidates] - cosine[candidates].max()) / params.hybrid_cosine_scale,
        )
        if top_bm25 > 0:
            first += bm25[candidates] / top_bm25
        depth = min(max(params.hybrid_depth, 1), len(candidates))
        best = np.argpartition(-first, depth - 1)[:depth]
        best = best[np.argsort(-first[best], kind="stable")]
        documents = candidates[best]
        local = self._local_scores(weights, documents, params.hybrid_local_gamma).astype(float)
        top_local = float(local.max()) if len(local) else 0.0
        scaled_local = local / top_local if top_local > 0 else np.zeros(len(documents))
        head_cosine = cosine[documents].astype(float)
        head = Head(
            documents=documents,
            final=head_cosine + params.hybrid_local * scaled_local,
            cosine=head_cosine,
            bm25=cast(npt.NDArray[np.float64], bm25[documents] / top_bm25)
            if top_bm25 > 0
            else np.zeros(len(documents)),
            local=scaled_local,
            first=first[best].astype(float),
        )
        return head, first, best

    def head_of(
        self, query: str, *, vector: npt.NDArray[np.float32], audience: str = "staff"
    ) -> tuple[Head, npt.NDArray[np.float64]] | None:
        """The hybrid's head for `query` given its (adapted) vector, with the learned
        ranking's features of each head document; None when no term is known. For
        learning (learned.learn_ranking)."""
        weights = self.query_terms(query)
        if not weights or self.dense is None:
            return None
        bm25 = self.scores(weights)
        allowed = self.allowed(audience=audience, today=None)
        candidates = np.flatnonzero(allowed)
        if not len(candidates):
            return None
        head, _, _ = self._head(weights, bm25, self.dense.scores(vector), candidates)
        return head, head_features(head, self.document_profiles(), question_aspects(query))

    def document_profiles(self) -> npt.NDArray[np.float64]:
        """learned.article_profile of every document, computed once per index."""
        if self._profiles is None:
            self._profiles = (
                np.stack(
                    [
                        article_profile(f"{d.title}\n{d.body}" if d.title else d.body)
                        for d in self.documents
                    ]
                )
                if self.documents
                else np.zeros((0, 1))
            )
        return self._profiles

    def _local_scores(
        self, weights: dict[int, float], head: npt.NDArray[np.intp], gamma: float
    ) -> npt.NDArray[np.float32]:
        """BM25 of the `head` documents (in its order) with each term's idf taken among
        them only, to the power `gamma`."""
        member = np.full(len(self.keys), -1, dtype=np.int64)
        member[head] = np.arange(len(head))
        local = np.zeros(len(head), dtype=np.float32)
        n = len(head)
        for term_id, weight in weights.items():
            start, end = self._offsets[term_id], self._offsets[term_id + 1]
            slots = member[self._docs[start:end]]
            inside = slots >= 0
            df = int(inside.sum())
            if not df:
                continue
            local_idf = math.log1p((n - df + 0.5) / (df + 0.5)) ** gamma
            local[slots[inside]] += (weight * self._idf[term_id] * local_idf) * self._impact[
                start:end
            ][inside]
        return local

    def _rerank(
        self, weights: dict[int, float], scores: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        params = self.params
        depth = min(params.rerank_depth, len(scores))
        head = np.argpartition(-scores, depth - 1)[:depth]
        head = head[scores[head] > 0]
        if len(head) < 2:
            return scores
        local = self._local_scores(weights, head, params.rerank_gamma)
        top_global = float(scores[head].max())
        top_local = float(local.max())
        # Both scores scaled to the best of the head, so the mix does not depend on the
        # question's length. The head lands in (1, 2]; the rest keep their order below 1.
        mixed = scores / (top_global * 1.001)
        mixed[head] = 1 + (1 - params.rerank_mix) * scores[head] / top_global
        if top_local > 0:
            mixed[head] += params.rerank_mix * local / top_local
        return mixed

    def _top(self, scores: npt.NDArray[np.float32], limit: int) -> list[Hit]:
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > limit:
            part = np.argpartition(-scores[candidates], limit - 1)[:limit]
            candidates = candidates[part]
        # Ties (the same score) go to the earlier document, so results are reproducible.
        ordered = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), i))
        return [Hit(self.keys[i], float(scores[i]), i) for i in ordered]

    def stats(self) -> dict[str, float]:
        return {
            "documents": len(self.keys),
            "terms": len(self.vocabulary),
            "postings": int(self._offsets[-1]),
            "megabytes": round(
                (self._docs.nbytes + self._impact.nbytes + self._tf.nbytes + self._offsets.nbytes)
                / 2**20,
                1,
            ),
            "vector_megabytes": self.dense.megabytes() if self.dense is not None else 0.0,
        }
