"""Reply quality check: agreement with the silver labels of real replies.

    .venv/bin/python bench/insights/reply_quality.py

Data (shared data, hotline-messages/): replies_2816.csv (a public message board's requests
and the government's replies), replies_interpretability_labels_2816.csv (a team's 0/1: does
the reply explain itself) and replies_quality_labels_100.csv (0/1 completeness and
interpretability for 100 of them). Both label sets are silver: another team's judgement.

For each label the report gives accuracy, Cohen's kappa, and precision / recall of our flag
as a detector of the label's "0" (a bad reply) — on all rows and on each half by ID parity
(the thresholds in reply_quality.py were set on the even IDs). Skipped when the data is
absent.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings

    from hongmian.insights.analysis.real_data import REPLIES, reply_report

    logging.getLogger("jieba").setLevel(logging.WARNING)
    data_dir = Path(settings.HONGMIAN_SHARED_DATA)
    if not (data_dir / REPLIES).is_file():
        print(f"skipped — {data_dir / REPLIES} is absent (set HONGMIAN_SHARED_DATA)")
        return 0
    started = time.perf_counter()
    report = reply_report(data_dir)
    print(report.text())
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
