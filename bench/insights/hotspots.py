"""Hot spots on real messages: the top groups of the public message board's file, the day
each would first have been alerted, and how long the grouping takes.

    .venv/bin/python bench/insights/hotspots.py [--top 5]

Data: shared data, hotline-messages/hotspot_messages_4326.csv (4,326 messages with likes and
dislikes; two time formats). The same call as

    hongmian hotspots --input …/hotspot_messages_4326.csv --text-column 留言详情 \\
        --title-column 留言主题 --time-column 留言时间 --id-column 留言编号 \\
        --caller-column 留言用户 --likes-column 点赞数 --dislikes-column 反对数 --top 5

As a check that the groups are whole, it also counts how many of the messages that name the
board's best-known problems (by a keyword rule written for this check only) fall in one
group, and how pure that group is. Skipped when the data is absent.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Keyword rules for the check only (never used by the grouping).
KNOWN = {
    "丽发新城 mixing plant": lambda s: "搅拌" in s and "丽发" in s,
    "伊景园滨河苑 parking sale": lambda s: ("伊景园" in s or "滨河苑" in s) and "车位" in s,
    "58车贷 case": lambda s: "58车" in s,
    "魅力之城 street-front fumes": lambda s: "魅力之城" in s and "油烟" in s,
    "绿地海外滩 rail noise": lambda s: "海外滩" in s and "高铁" in s,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings

    from hongmian.insights.analysis import hotspots
    from hongmian.insights.analysis.real_data import MESSAGES
    from hongmian.insights.analysis.tables import read_table

    logging.getLogger("jieba").setLevel(logging.WARNING)
    path = Path(settings.HONGMIAN_SHARED_DATA) / MESSAGES
    if not path.is_file():
        print(f"skipped — {path} is absent (set HONGMIAN_SHARED_DATA)")
        return 0
    table = read_table(path)
    titles, texts = table.texts("留言主题"), table.texts("留言详情")
    messages = [
        hotspots.Message(
            key=key,
            title=title,
            content=text,
            at=at,
            district=hotspots.place_in_text(title, text),
            caller=user,
            likes=likes,
            dislikes=dislikes,
        )
        for key, title, text, at, user, likes, dislikes in zip(
            table.texts("留言编号"),
            titles,
            texts,
            table.times("留言时间"),
            table.texts("留言用户"),
            table.numbers("点赞数"),
            table.numbers("反对数"),
            strict=True,
        )
    ]
    started = time.perf_counter()
    groups = hotspots.find_hotspots(messages)
    elapsed = time.perf_counter() - started
    print(f"{len(messages)} messages → {len(groups)} groups in {elapsed:.1f} s")
    for rank, g in enumerate(groups[: args.top], 1):
        first_alert = g.bursts[0].day.isoformat() if g.bursts else "—"
        print(
            f"{rank}. heat {g.heat:.1f} · {g.reports} messages, {g.callers} users, "
            f"{g.likes:.0f} likes · {g.start:%Y-%m-%d} – {g.end:%Y-%m-%d} · "
            f"place {g.place or '—'} · first burst {first_alert}\n"
            f"   {g.description}"
        )
    where = {k: i for i, g in enumerate(groups) for k in g.keys}
    print("known problems (check):")
    for name, rule in KNOWN.items():
        members = [m.key for m in messages if rule(m.title + m.content)]
        found = Counter(where[k] for k in members if k in where)
        if not found:
            print(f"  {name}: {len(members)} messages, no group")
            continue
        index, inside = found.most_common(1)[0]
        print(
            f"  {name}: {inside} of {len(members)} in group #{index + 1} "
            f"({groups[index].reports} messages)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
