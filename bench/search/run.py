"""Knowledge search: quality on the real FAQ against the plain baseline, and speed at 50,000
articles.

    .venv/bin/python bench/search/run.py [--articles 50000] [--queries 1000]

Quality: the Taipei FAQ of shared data (settings.HONGMIAN_SHARED_DATA / qa/), answers
indexed as bodies only, every question searched; MRR@10, recall@1 and recall@10 for the
plain jieba + BM25 baseline and for each step added on top of it, on all questions and on
the held-out half (parameters were tuned on the other half). Skipped when the data is
absent.

Speed: an index of N synthetic articles (sentences of the FAQ answers and of the demo
articles, shuffled into new articles by a seeded generator), then the FAQ questions (or
the demo titles) searched one by one with the audience and validity filters on; p50, p95
and p99 per query, after a warm-up. Exits 1 when p95 exceeds 20 ms.
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
    from hongmian.knowledge.search import RankingParams
    from hongmian.knowledge.search.analysis import AnalyzerOptions

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
    # (label, analyser, ranking, True: the default / "unit": with the unit's name)
    return [
        ("plain baseline: jieba words of the raw text, BM25", plain, plain_params, False),
        ("+ normalised (t2s), search-mode words, stopwords", words, untuned, False),
        ("+ character bigrams", bigrams, untuned, False),
        ("+ synonyms", synonyms, untuned, False),
        ("+ pinyin bigrams (typos)", full, untuned, False),
        ("+ BM25 k1/b tuned on the tune half", full, RankingParams(rerank_depth=0), False),
        ("+ local-idf rerank of the top 10 = DEFAULT", full, RankingParams(), True),
        ("default + owning unit's name indexed", full, RankingParams(), "unit"),
    ]  # fmt: skip


def quality(data_dir: Path) -> None:
    from hongmian.knowledge.search import SearchIndex
    from hongmian.knowledge.search.evaluation import FAQ_FILE, evaluate, load_faq

    if not (data_dir / FAQ_FILE).is_file():
        print(f"quality: skipped — {data_dir / FAQ_FILE} is absent (set HONGMIAN_SHARED_DATA)")
        return
    plain_set, unit_set = load_faq(data_dir), load_faq(data_dir, with_unit=True)
    held = plain_set.half("held-out")
    print(f"quality: {len(plain_set.documents)} FAQ answers indexed, every question searched")
    print(f"{'':52}{'all questions':<46}held-out half")
    for label, options, params, flag in _variants():
        qa = unit_set if flag == "unit" else plain_set
        index = SearchIndex.build(qa.documents, options=options, params=params)
        everything, held_out = evaluate(index, qa.questions), evaluate(index, held)
        marker = " *" if flag is True else ""
        print(f"  {label:<50}{everything.line():<46}{held_out.line()}{marker}")


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
    from hongmian.knowledge.search import IndexDocument

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


def speed(data_dir: Path, articles: int, queries: int) -> float:
    from hongmian.knowledge.demo import ARTICLES
    from hongmian.knowledge.search import SearchIndex
    from hongmian.knowledge.search.evaluation import FAQ_FILE, load_faq

    docs = synthetic_documents(articles, _sentences(data_dir))
    started = time.perf_counter()
    index = SearchIndex.build(docs)
    build_s = time.perf_counter() - started
    stats = index.stats()
    print(
        f"speed: {stats['documents']:,} synthetic articles indexed in {build_s:.1f} s  "
        f"({stats['terms']:,} terms, {stats['postings']:,} postings, {stats['megabytes']} MB)"
    )
    if (data_dir / FAQ_FILE).is_file():
        texts = [q.text for q in load_faq(data_dir).questions]
        source = "FAQ questions"
    else:
        texts = [a[4] for a in ARTICLES]
        source = "demo titles"
    texts = (texts * (queries // len(texts) + 1))[:queries]
    today = dt.date(2026, 6, 1)
    for text in texts[:50]:  # warm-up
        index.search(text, limit=10, audience="public", today=today)
    samples: list[float] = []
    clock = time.perf_counter_ns
    for text in texts:
        t0 = clock()
        index.search(text, limit=10, audience="public", today=today)
        samples.append((clock() - t0) / 1e6)
    cuts = statistics.quantiles(samples, n=100)
    p95 = cuts[94]
    print(
        f"       {len(samples):,} {source} searched one by one (limit 10, public, valid today): "
        f"p50 {statistics.median(samples):.1f} ms  p95 {p95:.1f} ms  p99 {cuts[98]:.1f} ms"
        f"  (budget: p95 ≤ {P95_BUDGET_MS:.0f} ms)"
    )
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000, help="synthetic articles")
    parser.add_argument("--queries", type=int, default=1000, help="timed searches")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()

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
        return 1 if speed(data_dir, args.articles, args.queries) > P95_BUDGET_MS else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
