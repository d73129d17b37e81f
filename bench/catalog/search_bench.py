"""Catalogue search: quality on the project's everyday queries over the real 1,135-item file
against the jieba + BM25 baseline, and latency at 3,200 items.

    nice .venv/bin/python bench/catalog/search_bench.py [--items 3200] [--rounds 3]

Quality: the items of shared data's catalog/guangan_service_items_1135.csv (as the importer
reads them), the queries of hongmian/catalog/tests/data/everyday_queries.jsonl; MRR@10,
recall@1, the share of answerable queries answered as sure and of unanswerable ones
answered "not sure", on the dev half (tuned on) and the test half (never tuned on), for
the baseline and for the search, at the search's threshold. Then the same queries over
--items items: the real ones plus generated neighbours (each a real item's name with
another step — 新办, 变更, 注销, 延续, 补办 … — under another department), which only add
distractors.

Latency at --items items: the real ones plus the catalogue demo's generator
(catalog.demo.generate_rows, Guangzhou's items at city, district and street level) to fill
up — a realistic mix of names, which is what the postings' sizes depend on. Every query
searched --rounds times after a warm-up (the
engine's path of `hongmian catalog search` and the API: expansion, BM25, the variant
discount, evidence, the true count); p50, p95, p99 per query, in ms of wall clock and of
the thread's CPU, with the load average. Exits 1 when the p95 exceeds 30 ms.
The engine runs without a database; the API adds one indexed query (the served check).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
P95_BUDGET_MS = 30.0
FILE = Path("catalog") / "guangan_service_items_1135.csv"
STEPS = ["新办", "变更", "注销", "延续", "补办", "换发", "备案", "信息查询"]
SUFFIX = re.compile(r"（[^（）]*）$|\([^()]*\)$")


def generated(documents: list, total: int, seed: int = 12) -> list:  # type: ignore[type-arg]
    """`documents` plus neighbours up to `total` items."""
    from dataclasses import replace

    rng = random.Random(seed)  # noqa: S311  # a reproducible benchmark, not a secret
    departments = sorted({d.department for d in documents})
    out = list(documents)
    while len(out) < total:
        source = rng.choice(documents)
        stem = SUFFIX.sub("", source.name)
        out.append(
            replace(
                source,
                code=f"GEN-{len(out):05d}",
                name=f"{stem}（{rng.choice(STEPS)}）",
                department=rng.choice(departments),
            )
        )
    return out


def demo_filled(documents: list, total: int) -> list:  # type: ignore[type-arg]
    """`documents` plus the catalogue demo generator's rows up to `total` items."""
    from hongmian.catalog.demo import generate_rows
    from hongmian.catalog.search.engine import ItemDocument
    from hongmian.catalog.states import ItemType

    labels = dict(ItemType.choices)
    filler = [
        ItemDocument(
            code=row["code"],
            name=row["name"],
            department=row["department"],
            main_item=row["main_item"],
            item_type=str(labels.get(row["item_type"], "")),
        )
        for row in generate_rows(max(0, total - len(documents)))
    ]
    return [*documents, *filler]


def quality(documents: list, label: str) -> None:  # type: ignore[type-arg]
    from hongmian.catalog.search import evaluation
    from hongmian.catalog.search.engine import CatalogSearch

    queries = evaluation.load_queries()
    ours = CatalogSearch.build(documents)
    plain = evaluation.baseline(documents)
    print(f"quality, {label} ({len(documents)} items, threshold {ours.threshold}):")
    for split in ("dev", "test"):
        half = [q for q in queries if q.split == split]
        for name, search in (("jieba+BM25 baseline", plain), ("catalogue search", ours)):
            report = evaluation.report(
                evaluation.answer_all(search, half), half, threshold=ours.threshold
            )
            print(f"  {split:4}  {name:20}  {report.line()}")


def latency(documents: list, rounds: int) -> float:  # type: ignore[type-arg]
    from hongmian.catalog.search import evaluation
    from hongmian.catalog.search.engine import CatalogSearch

    started = time.perf_counter()
    search = CatalogSearch.build(documents)
    build_s = time.perf_counter() - started
    queries = [q.query for q in evaluation.load_queries()]
    for q in queries[:50]:  # warm-up: jieba, pinyin caches
        search.search(q)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for q in queries:
            w0, c0 = time.perf_counter(), time.thread_time()
            search.search(q, limit=10)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)

    def pct(values: list[float], p: int) -> float:
        return statistics.quantiles(values, n=100)[p - 1]

    print(
        f"latency at {len(documents)} items (index built in {build_s:.1f} s), "
        f"{len(wall)} searches, load average {os.getloadavg()[0]:.1f}:"
    )
    print(
        f"  wall ms  p50 {pct(wall, 50):.1f}  p95 {pct(wall, 95):.1f}  p99 {pct(wall, 99):.1f}"
        f"   thread CPU ms  p50 {pct(cpu, 50):.1f}  p95 {pct(cpu, 95):.1f}"
    )
    return pct(wall, 95)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=3200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings

    from hongmian.catalog.search.evaluation import load_items_csv

    logging.getLogger("jieba").setLevel(logging.WARNING)
    path = Path(settings.HONGMIAN_SHARED_DATA) / FILE
    if not path.is_file():
        print(f"skipped — {path} is absent (set HONGMIAN_SHARED_DATA)")
        return 0
    real = load_items_csv(path)
    quality(real, "the real file")
    quality(generated(real, args.items), f"with generated neighbours to {args.items}")
    p95 = latency(demo_filled(real, args.items), args.rounds)
    print(f"p95 {p95:.1f} ms against a budget of {P95_BUDGET_MS:.0f} ms")
    return 1 if p95 > P95_BUDGET_MS else 0


if __name__ == "__main__":
    sys.exit(main())
