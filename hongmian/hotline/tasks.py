"""Periodic jobs of the 12345 hotline. `hongmian crontask` enqueues them; `hongmian db_worker`
runs them. The sweep is safe when two schedulers enqueue it at once (decision 0002): each
urge and each supervision is claimed by one conditional UPDATE (decision 0008)."""

from __future__ import annotations

from crontask import cron

from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task
from hongmian.hotline.services.sla import sla_sweep


@cron("*/5 * * * *")  # every five minutes: a 2-hour emergency limit is then urged in time
@reliable_task()
def sla_sweep_job() -> dict[str, int | None]:
    """Urge yellow clocks and supervise red ones; recompute deadlines after a calendar change."""
    result = sla_sweep(actor=Actor.system("sla-sweep"))
    return {
        "urged": len(result.urged),
        "supervised": len(result.supervised),
        "recomputed": result.recomputed,
    }
