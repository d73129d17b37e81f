"""Address parser: precision, recall and speed on the labelled set.

    .venv/bin/python bench/geo_parse/run.py [--repeat N]

Precision: of the codes the parser answers, how many are the labelled ones (the target is
1.0: never a wrong guess). Recall: of the labelled codes, how many it answers. Speed: every
address parsed N times after a warm-up; the index is built once before timing starts.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES_CSV = ROOT / "hongmian" / "geo" / "tests" / "addresses.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed passes over the set")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from hongmian.geo.address import parse_address
    from hongmian.geo.lexicon import lexicon

    with CASES_CSV.open(encoding="utf-8", newline="") as fh:
        cases = list(csv.DictReader(fh))

    started = time.perf_counter()
    lexicon()
    build_ms = (time.perf_counter() - started) * 1000

    print(f"addresses: {len(cases)}  (index built in {build_ms:.0f} ms)")
    wrong_total = 0
    for level, key in (("district", "district_code"), ("street", "street_code")):
        known = answered = correct = wrong = 0
        for case in cases:
            place = getattr(parse_address(case["text"]), level)
            got, expected = (place.code if place else ""), case[key]
            known += bool(expected)
            if got:
                answered += 1
                correct += got == expected
                wrong += got != expected
        wrong_total += wrong
        precision = correct / answered if answered else 1.0
        recall = correct / known if known else 1.0
        print(
            f"{level:8}  precision {precision:.3f} ({correct}/{answered})  "
            f"recall {recall:.3f} ({correct}/{known})  wrong guesses {wrong}"
        )
    print(f"wrong guesses in all: {wrong_total}")

    texts = [c["text"] for c in cases]
    for text in texts:  # warm-up
        parse_address(text)
    samples: list[float] = []
    clock = time.perf_counter_ns
    total_started = clock()
    for _ in range(args.repeat):
        for text in texts:
            t0 = clock()
            parse_address(text)
            samples.append((clock() - t0) / 1000)
    total_s = (clock() - total_started) / 1e9
    cuts = statistics.quantiles(samples, n=100)
    print(
        f"speed     {len(samples) / total_s:,.0f} addresses/s over {len(samples):,} parses  "
        f"p50 {statistics.median(samples):.1f} µs  p99 {cuts[98]:.1f} µs"
    )
    return 1 if wrong_total else 0


if __name__ == "__main__":
    sys.exit(main())
