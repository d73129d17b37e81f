"""Jobs used by test_jobs.py (tasks must live at an importable module path)."""

import datetime as dt
import time
from pathlib import Path

from django.db import transaction

from hongmian.core.jobs import reliable_task
from hongmian.core.models import CalendarOverride, JobRun


@reliable_task(max_attempts=2)
def flaky(fail_until_attempt: int) -> str:
    # Fails while fewer than `fail_until_attempt` earlier attempts are on record.
    if JobRun.objects.filter(job__endswith=".flaky").count() < fail_until_attempt:
        raise RuntimeError("downstream system unavailable")
    return "done"


@reliable_task(max_attempts=3)
def effect_once(day: str, marker: str) -> str:
    # The effect (a calendar override for `day`) is written in one transaction; the first
    # attempt then touches `marker` and waits inside that transaction to be killed (the
    # fault drill). get_or_create: a rerun after a commit would not write it twice either.
    with transaction.atomic():
        CalendarOverride.objects.get_or_create(
            date=dt.date.fromisoformat(day),
            defaults={"kind": CalendarOverride.Kind.HOLIDAY, "name": "演练"},
        )
        flag = Path(marker)
        if not flag.exists():
            flag.touch()
            time.sleep(120)
    return day
