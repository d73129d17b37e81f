"""A ranking learned from the city's own question → article history.

Every direct answer records which article answered which request (ArticleUsage), and a
city's knowledge base often arrives with a question column. Those pairs say how citizens
word what the articles answer, which neither BM25 nor a general embedding model knows.
Two small models are learned from them, on top of the hybrid ranking (index.py):

1. A query adapter: a 384 × 384 matrix W applied to the question's e5 vector before the
   cosines, fitted so that each training question's own article wins a softmax among the
   training articles (temperature ADAPTER_TAU), with a penalty ADAPTER_L2 · ‖W − I‖² that
   keeps it near the identity. Only the training pairs' own articles are negatives:
   measured on the Taipei FAQ, using every article as a negative pushed the articles that
   no training question asks for away, and held-out questions (which ask for those) lost
   0.15 MRR. The question's cost: one matrix–vector product (~0.02 ms).
2. A head reranker: a linear score over features of the hybrid's head (the best
   `hybrid_depth` documents) fitted with a listwise softmax loss: the hybrid's own final
   score, the cosine, BM25 and local-idf scores scaled to the head's best, the first-stage
   score and position, the article's length, and the "aspect" features: what the question
   asks for (a phone number, a place, an amount, a time, documents, eligibility, a
   procedure, yes/no, a reason; `lexicon.ASPECTS`) times how much of it the article holds,
   and the article's share of aspects the question does not ask for. Among sibling answers
   of one topic (one subsidy's address, phone and documents), those decide. Its training
   features come from heads ranked with adapters fitted on the other folds
   (cross-fitting, CROSS_FOLDS), so the reranker learns from the adapter's errors on unseen
   questions, not from its fit on seen ones. The penalty RERANK_L2 pulls the weights to
   "the hybrid's score, unchanged" (BASE_WEIGHT on the first feature), so too few pairs
   change little.

Constants were chosen by 3-fold cross-validation inside the FAQ's tune half; the benchmark
(bench/search/run.py) reports the held-out half (docs/decisions/0018-learned-ranking.md).
A LearnedRanking is stored as an .npz file (`to_bytes` / `from_bytes`) with a format tag.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from hongmian.core.search.lexicon import ASPECTS
from hongmian.core.text import normalize

if TYPE_CHECKING:
    from hongmian.core.search.dense import VectorStore
    from hongmian.core.search.index import SearchIndex

FORMAT = "hongmian-learned-ranking/1"
ADAPTER_TAU = 0.02
ADAPTER_L2 = 0.3
ADAPTER_ITERATIONS = 200
RERANK_L2 = 0.001
BASE_WEIGHT = 50.0
CROSS_FOLDS = 3
# Fewer pairs than this teach nothing reliable (and a fold would hold a handful).
MIN_PAIRS = 30
# An aspect counted in an article saturates at this many matches.
ASPECT_CAP = 5

_QUESTION_ASPECT = [re.compile(asked) for asked, _ in ASPECTS.values()]
_ARTICLE_ASPECT = [re.compile(held) for _, held in ASPECTS.values()]
FEATURES = 7 + 2 * len(ASPECTS)

Matrix = npt.NDArray[np.float64]


class LearningError(ValueError):
    """Too few or unusable pairs, or a damaged ranking file; the message says which."""


def question_aspects(text: str) -> npt.NDArray[np.float64]:
    """1 for each aspect the question asks about, else 0."""
    prepared = normalize(text or "")
    return np.array([1.0 if p.search(prepared) else 0.0 for p in _QUESTION_ASPECT])


def article_profile(text: str) -> npt.NDArray[np.float64]:
    """How much of each aspect an article holds (matches / ASPECT_CAP, at most 1), and the
    log of its length, as one row."""
    prepared = normalize(text or "")
    held = [min(len(p.findall(prepared)), ASPECT_CAP) / ASPECT_CAP for p in _ARTICLE_ASPECT]
    return np.array([*held, math.log1p(len(prepared))])


@dataclass(frozen=True, slots=True)
class Head:
    """What the hybrid knows of its head, in first-stage order (best first)."""

    documents: npt.NDArray[np.intp]
    final: npt.NDArray[np.float64]  # the hybrid's own score
    cosine: npt.NDArray[np.float64]
    bm25: npt.NDArray[np.float64]  # scaled to the best BM25 of all candidates
    local: npt.NDArray[np.float64]  # scaled to the head's best
    first: npt.NDArray[np.float64]


def head_features(
    head: Head, profiles: npt.NDArray[np.float64], asked: npt.NDArray[np.float64]
) -> Matrix:
    """One row per head document (see the module's docstring for the columns)."""
    depth = len(head.documents)
    profile = profiles[head.documents]
    held, length = profile[:, :-1], profile[:, -1]
    return np.column_stack(
        [
            head.final,
            (head.cosine - head.cosine.max()) / 0.02,
            head.bm25,
            head.local,
            head.first,
            np.arange(depth) / max(depth, 1),
            length - length.mean(),
            held * asked[None, :],
            held * (1.0 - asked[None, :]),
        ]
    )


@dataclass(frozen=True)
class LearnedRanking:
    adapter: npt.NDArray[np.float32]  # (d, d)
    weights: Matrix  # (FEATURES,)
    pairs: int
    fingerprint: str  # of the training pairs, to tell two rankings apart
    info: dict[str, Any] = field(default_factory=dict)

    def adapt(self, vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        adapted = self.adapter @ vector.astype(np.float32)
        norm = float(np.linalg.norm(adapted))
        return adapted / norm if norm > 0 else vector

    def rerank(self, features: Matrix) -> Matrix:
        scores: Matrix = features @ self.weights
        return scores

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez(
            out,
            format=np.asarray(FORMAT),
            adapter=self.adapter,
            weights=self.weights,
            pairs=np.asarray(self.pairs),
            fingerprint=np.asarray(self.fingerprint),
            aspects=np.asarray(list(ASPECTS)),
        )
        return out.getvalue()

    @classmethod
    def from_artefact(cls, data: bytes, *, sha256: str, dimensions: int) -> LearnedRanking:
        """A stored artefact: its bytes must match the checksum recorded with them."""
        if hashlib.sha256(data).hexdigest() != sha256:
            raise LearningError("the file does not match its sha256")
        return cls.from_bytes(data, dimensions=dimensions)

    @classmethod
    def from_bytes(cls, data: bytes, *, dimensions: int) -> LearnedRanking:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                tag = str(npz["format"])
                adapter, weights = npz["adapter"], npz["weights"]
                pairs, fingerprint = int(npz["pairs"]), str(npz["fingerprint"])
                aspects = [str(a) for a in npz["aspects"]]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise LearningError(f"not a learned ranking file ({exc.__class__.__name__})") from exc
        if tag != FORMAT:
            raise LearningError(f"learned ranking format {tag!r}, expected {FORMAT!r}")
        if adapter.shape != (dimensions, dimensions) or weights.shape != (FEATURES,):
            raise LearningError(
                f"learned ranking for {adapter.shape[0]}-dimension vectors and"
                f" {weights.shape[0]} features; this index has {dimensions} and {FEATURES}"
            )
        if aspects != list(ASPECTS):
            raise LearningError("learned ranking made with other aspects; learn it again")
        return cls(adapter.astype(np.float32), weights.astype(np.float64), pairs, fingerprint)


def fit_adapter(
    questions: Matrix, articles: Matrix, *, tau: float = ADAPTER_TAU, l2: float = ADAPTER_L2
) -> npt.NDArray[np.float32]:
    """W minimising the softmax loss of question i against article row i among the
    distinct articles (rows of `articles` may repeat) plus l2 · ‖W − I‖²."""
    from scipy.optimize import minimize

    distinct, target = np.unique(articles, axis=0, return_inverse=True)
    target = target.ravel()
    n, d = questions.shape
    identity = np.eye(d)
    rows = np.arange(n)

    def loss(flat: Matrix) -> tuple[float, Matrix]:
        w = flat.reshape(d, d)
        logits = (questions @ w.T) @ distinct.T / tau
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        value = -np.log(prob[rows, target] + 1e-12).mean() + l2 * ((w - identity) ** 2).sum()
        prob[rows, target] -= 1.0
        prob /= n * tau
        grad = (prob @ distinct).T @ questions + 2 * l2 * (w - identity)
        return float(value), grad.ravel()

    result = minimize(
        loss,
        identity.ravel(),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": ADAPTER_ITERATIONS},
    )
    return np.asarray(result.x.reshape(d, d), dtype=np.float32)


def fit_reranker(examples: Sequence[tuple[Matrix, int]], *, l2: float = RERANK_L2) -> Matrix:
    """Weights of the listwise softmax over each head (features, index of the right
    document), pulled toward the hybrid's own score."""
    from scipy.optimize import minimize

    base = np.zeros(FEATURES)
    base[0] = BASE_WEIGHT
    if not examples:
        return base

    def loss(w: Matrix) -> tuple[float, Matrix]:
        value, grad = 0.0, np.zeros_like(w)
        for features, right in examples:
            logits = features @ w
            logits -= logits.max()
            prob = np.exp(logits)
            prob /= prob.sum()
            value -= math.log(prob[right] + 1e-12)
            grad += features.T @ prob - features[right]
        drift = w - base
        n = len(examples)
        return value / n + l2 * float(drift @ drift), grad / n + 2 * l2 * drift

    return np.asarray(minimize(loss, base, jac=True, method="L-BFGS-B").x)


def fingerprint(pairs: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for question, key in sorted(pairs):
        digest.update(f"{key}\t{question}\n".encode())
    return digest.hexdigest()[:16]


def learn_ranking(
    index: SearchIndex,
    pairs: Sequence[tuple[str, str]],
    *,
    seed: int = 0,
    store: VectorStore | None = None,
) -> LearnedRanking:
    """A LearnedRanking for `index` (which must have dense vectors) from (question,
    document key) pairs. Pairs whose key is not in the index are left out and counted.
    `store` keeps the questions' vectors (dense.VectorCache) for the next run."""
    if index.dense is None:
        raise LearningError("the index has no dense vectors: a ranking is learned on the hybrid")
    position = {key: i for i, key in enumerate(index.keys)}
    usable = [(q, position[k]) for q, k in pairs if k in position and q and q.strip()]
    if len(usable) < MIN_PAIRS:
        raise LearningError(
            f"{len(usable)} usable question–article pairs (of {len(pairs)}); at least"
            f" {MIN_PAIRS} are needed"
        )
    texts = [q for q, _ in usable]
    documents = np.array([p for _, p in usable])
    vectors = _question_vectors(index, texts, store)
    articles = index.dense.matrix[documents].astype(np.float64)
    adapter = fit_adapter(vectors, articles)

    # Cross-fitting: each fold's heads are ranked with an adapter that never saw it.
    rng = np.random.default_rng(seed)
    folds = np.array_split(rng.permutation(len(usable)), CROSS_FOLDS)
    by_fold: list[list[tuple[Matrix, int]]] = []
    plain: list[float] = []  # reciprocal ranks under the hybrid without a ranking
    for k, fold in enumerate(folds):
        rest = np.concatenate([f for j, f in enumerate(folds) if j != k])
        fold_adapter = fit_adapter(vectors[rest], articles[rest])
        probe = LearnedRanking(fold_adapter, np.zeros(FEATURES), 0, "")
        by_fold.append([])
        for i in fold:
            raw = vectors[i].astype(np.float32)
            plain.append(_reciprocal_rank(index.head_of(texts[i], vector=raw), documents[i]))
            found = index.head_of(texts[i], vector=probe.adapt(raw))
            if found is None:
                continue
            head, features = found
            right = np.flatnonzero(head.documents == documents[i])
            if len(right):
                by_fold[k].append((features, int(right[0])))
    weights = fit_reranker([e for fold in by_fold for e in fold])
    # The same check on the reranker: each fold scored by weights fitted on the others. A
    # question whose article left the head counts 0, as it does for the plain hybrid.
    learned_rr = 0.0
    for k, held_out in enumerate(by_fold):
        fold_weights = fit_reranker([e for j, f in enumerate(by_fold) if j != k for e in f])
        for features, place in held_out:
            scores = features @ fold_weights
            rank = int((scores > scores[place]).sum()) + 1
            learned_rr += 1.0 / rank if rank <= 10 else 0.0
    examples = sum(len(f) for f in by_fold)
    return LearnedRanking(
        adapter,
        weights,
        len(usable),
        fingerprint(pairs),
        {
            "pairs_given": len(pairs),
            "pairs_used": len(usable),
            "in_head": examples,
            # MRR@10 on the pairs themselves, every pair ranked by models that never saw it:
            # what the ranking adds, measured before it serves.
            "cv_mrr_hybrid": round(float(np.mean(plain)), 4),
            "cv_mrr_learned": round(learned_rr / len(usable), 4),
        },
    )


def _reciprocal_rank(found: tuple[Head, Matrix] | None, document: int) -> float:
    """1 / rank of `document` by the hybrid's own score within the head (0 past 10)."""
    if found is None:
        return 0.0
    head = found[0]
    right = np.flatnonzero(head.documents == document)
    if not len(right):
        return 0.0
    rank = int((head.final > head.final[right[0]]).sum()) + 1
    return 1.0 / rank if rank <= 10 else 0.0


def _question_vectors(
    index: SearchIndex, texts: Sequence[str], store: VectorStore | None
) -> Matrix:
    from hongmian.core.search.dense import PrecomputedQueries

    if index.dense is None:
        raise LearningError("the index has no dense vectors")
    encoder = PrecomputedQueries(index.dense.encoder, texts, store=store)
    return np.stack([encoder.query(t) for t in texts]).astype(np.float64)
