"""Periodic jobs of the telephony app (`hongmian crontask` enqueues, `hongmian db_worker` runs)."""

from __future__ import annotations

from crontask import cron

from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task
from hongmian.telephony.services import calls_sweep_unfinished


@cron("*/10 * * * *")  # every ten minutes: a lost `missed` event costs the caller ≤ 40 min
@reliable_task()
def calls_sweep_job() -> dict[str, int]:
    """Calls that rang and went silent become missed calls with a callback task."""
    swept = calls_sweep_unfinished(actor=Actor.system("calls-sweep"))
    return {"swept": len(swept)}
