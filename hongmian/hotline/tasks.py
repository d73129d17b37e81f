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


@cron("17 * * * *")  # hourly, off the hour: a wave of calls is flagged within the hour
@reliable_task()
def hotspot_scan_job() -> dict[str, int]:
    """Group the last 30 days' orders into hot spots for the board and alert on bursts."""
    # Imported here: the grouping loads scikit-learn, which the other jobs do not need.
    from hongmian.hotline.services.insights import hotspot_scan

    result = hotspot_scan(actor=Actor.system("hotspot-scan"))
    return {"found": result.found, "stored": len(result.stored), "alerts": len(result.alerts)}


@cron("40 2 * * Sun")  # weekly, Sunday 02:40: a week of settled orders, and no one on shift
@reliable_task(max_attempts=1)  # a failed training is reported, not repeated at once
def classifier_retrain_job() -> list[dict[str, object]]:
    """Retrain each target that has an active model built from the platform's own orders,
    and activate the new version when it scores no worse (services.intelligence)."""
    from hongmian.hotline.models import ClassifierModel
    from hongmian.hotline.services.intelligence import PLATFORM_SOURCE, classifier_retrain

    actor = Actor.system("classifier-retrain")
    live = ClassifierModel.objects.filter(is_active=True, source=PLATFORM_SOURCE)
    return [
        classifier_retrain(actor=actor, target=target)
        for target in sorted(set(live.values_list("target", flat=True)))
    ]


@cron("10 3 * * Sun")  # weekly, Sunday 03:10: after the classifiers, and no one on shift
@reliable_task(max_attempts=1)  # a failed learning is reported, not repeated at once
def search_ranking_relearn_job() -> dict[str, object]:
    """Learn knowledge search's ranking from the week's direct answers and activate it,
    unless there are too few or an operator chose another ranking (knowledge_bridge)."""
    from hongmian.hotline import knowledge_bridge

    return knowledge_bridge.search_ranking_relearn(actor=Actor.system("search-ranking-learn"))
