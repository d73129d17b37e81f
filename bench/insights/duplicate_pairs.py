"""Duplicate detection (并单): the labelled pair set and its evaluation.

    .venv/bin/python bench/insights/duplicate_pairs.py sample      # print pairs to label
    .venv/bin/python bench/insights/duplicate_pairs.py evaluate    # precision / recall

The set is made from real messages (shared data: hotline-messages/hotspot_messages_4326.csv,
a message board where many people wrote about the same few problems) and stored in the
project as message IDs and labels only (hongmian/insights/tests/data/duplicate_pairs.csv);
the texts stay in the shared folder.

How the pairs were drawn (`sample`, seed 12345, reproducible): only pairs written within
14 days of each other (an open order's merge window), stratified by a measure that is NOT
the one being evaluated — the Jaccard overlap of the jieba words of the two titles — so
that the set holds enough likely duplicates without being chosen by the scorer itself:

    high   title-word Jaccard >= 0.3                        130 pairs
    mid    0.15 <= Jaccard < 0.3                             90 pairs
    rare   Jaccard < 0.15 but sharing a title word used by
           at most 20 titles (a place or a case name)        70 pairs
    random any two messages within 14 days                   40 pairs

No message is used in more than two pairs (the few biggest problems would fill the set
otherwise). Each pair was then read (titles and the start of the texts, as `sample`
prints them) and labelled by hand: 1 = the same concrete problem at the same place — one
handling would answer both, so a supervisor would merge them; 0 = anything else,
including the same kind of problem elsewhere and another problem at the same place.

`evaluate` scores every labelled pair with the production scorer
(hongmian.insights.analysis.duplicates.score_pair, TF-IDF fitted on the whole file as the
pool, place = the masked district named in the text, A3区 …) and reports precision and
recall at the production threshold, on all pairs and per half (the threshold and weights
were chosen on the "tune" half — pairs whose smaller ID is even — and checked on the other).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "hongmian" / "insights" / "tests" / "data" / "duplicate_pairs.csv"
SEED = 12345
WINDOW_SECONDS = 14 * 86400
STRATA = {"high": 130, "mid": 90, "rare": 70, "random": 40}
MAX_USES = 2


def _setup() -> Path:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings

    from hongmian.insights.analysis.real_data import MESSAGES

    logging.getLogger("jieba").setLevel(logging.WARNING)
    return Path(settings.HONGMIAN_SHARED_DATA) / MESSAGES


def sample(path: Path) -> None:
    from hongmian.insights.analysis.tables import read_table
    from hongmian.insights.analysis.textsim import words

    table = read_table(path)
    ids, titles = table.texts("留言编号"), table.texts("留言主题")
    contents, times = table.texts("留言详情"), table.times("留言时间")
    title_words = [set(words(t)) for t in titles]
    df = Counter(w for ws in title_words for w in ws)
    by_time = sorted(range(len(ids)), key=lambda i: (times[i], ids[i]))
    strata: dict[str, list[tuple[int, int]]] = {k: [] for k in STRATA}
    near: list[tuple[int, int]] = []
    for pos, i in enumerate(by_time):
        for j in by_time[pos + 1 :]:
            if (times[j] - times[i]).total_seconds() > WINDOW_SECONDS:
                break
            near.append((i, j))
            shared = title_words[i] & title_words[j]
            if not shared:
                continue
            jaccard = len(shared) / len(title_words[i] | title_words[j])
            if jaccard >= 0.3:
                strata["high"].append((i, j))
            elif jaccard >= 0.15:
                strata["mid"].append((i, j))
            elif any(df[w] <= 20 for w in shared):
                strata["rare"].append((i, j))
    strata["random"] = near
    rng = random.Random(SEED)  # noqa: S311 — drawing a sample, not a secret
    uses: Counter[int] = Counter()
    chosen: set[tuple[int, int]] = set()
    print("stratum,id_a,id_b,days | title a || title b")
    for name, size in STRATA.items():
        pool = strata[name][:]
        rng.shuffle(pool)
        taken = 0
        for i, j in pool:
            if taken == size:
                break
            if uses[i] >= MAX_USES or uses[j] >= MAX_USES or (i, j) in chosen:
                continue
            uses[i] += 1
            uses[j] += 1
            chosen.add((i, j))
            taken += 1
            a, b = sorted((i, j), key=lambda k: int(ids[k]))
            days = abs((times[j] - times[i]).total_seconds()) / 86400
            print(f"{name},{ids[a]},{ids[b]},{days:.1f} | {titles[a]} || {titles[b]}")
            print(f"    a: {contents[a][:90]}")
            print(f"    b: {contents[b][:90]}")


def evaluate(path: Path) -> int:
    from hongmian.insights.analysis.real_data import duplicate_pairs_report

    if not path.is_file():
        print(f"skipped — {path} is absent (set HONGMIAN_SHARED_DATA)")
        return 0
    print(duplicate_pairs_report(path, LABELS).text())
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["sample", "evaluate"])
    args = parser.parse_args()
    path = _setup()
    if args.what == "sample":
        if not path.is_file():
            print(f"{path} is absent (set HONGMIAN_SHARED_DATA)")
            return 1
        sample(path)
        return 0
    return evaluate(path)


if __name__ == "__main__":
    sys.exit(main())
