"""Periodic jobs of the 12345 hotline. `hongmian crontask` enqueues them; `hongmian db_worker`
runs them. The sweep is safe when two schedulers enqueue it at once (decision 0002): each
urge and each supervision is claimed by one conditional UPDATE (decision 0008). The
hot-spot scan and the classifiers' retraining are the insights app's (insights/tasks.py)."""

from __future__ import annotations

from crontask import cron

from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task
from hongmian.hotline.services.attachments import attachment_orphans_delete
from hongmian.hotline.services.sla_sweep import sla_sweep


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


@cron("10 3 * * Sun")  # weekly, Sunday 03:10: after the classifiers (insights), no one on shift
@reliable_task(max_attempts=1)  # a failed learning is reported, not repeated at once
def search_ranking_relearn_job() -> dict[str, object]:
    """Learn knowledge search's ranking from the week's direct answers and activate it,
    unless there are too few or an operator chose another ranking (knowledge_bridge)."""
    from hongmian.hotline import knowledge_bridge

    return knowledge_bridge.search_ranking_relearn(actor=Actor.system("search-ranking-learn"))


@cron("40 3 * * *")  # daily, 03:40: no upload in flight is a day old
@reliable_task()
def attachment_orphans_job() -> dict[str, int]:
    """Delete stored files that no attachment names (a caller's transaction rolled back
    after they were stored), once they are a day old."""
    return {"deleted": len(attachment_orphans_delete(older_than_hours=24))}
