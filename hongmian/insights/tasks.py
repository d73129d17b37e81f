"""Periodic jobs of the insights app. `hongmian crontask` enqueues them; `hongmian db_worker`
runs them: the hourly hot-spot scan, the duplicate-group scan every ten minutes and the
weekly retraining of the classifiers."""

from __future__ import annotations

from crontask import cron

from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task
from hongmian.insights.models import ClassifierModel


@cron("17 * * * *")  # hourly, off the hour: a wave of calls is flagged within the hour
@reliable_task()
def hotspot_scan_job() -> dict[str, int]:
    """Group the last 30 days' orders into hot spots for the board and alert on bursts."""
    # Imported here: the grouping loads scikit-learn, which the other jobs do not need.
    from hongmian.insights.services.hotspots import hotspot_scan

    result = hotspot_scan(actor=Actor.system("hotspot-scan"))
    return {"found": result.found, "stored": len(result.stored), "alerts": len(result.alerts)}


@cron("*/10 * * * *")  # the board's 并单候选 are at most ten minutes old (decision 0049)
@reliable_task()
def duplicate_scan_job() -> dict[str, float]:
    """Score the open orders of the merge window in pairs and store the groups the board
    shows (scoring them on each request took seconds at a million orders)."""
    from hongmian.insights.services.duplicates import duplicate_scan

    scan = duplicate_scan(actor=Actor.system("duplicate-scan"))
    return {"compared": scan.compared, "found": scan.found, "seconds": scan.seconds}


@cron("40 2 * * Sun")  # weekly, Sunday 02:40: a week of settled orders, and no one on shift
@reliable_task(max_attempts=1)  # a failed training is reported, not repeated at once
def classifier_retrain_job() -> list[dict[str, object]]:
    """Retrain each target that has an active model built from the platform's own orders,
    and activate the new version when it scores no worse (services/classifier.py)."""
    from hongmian.insights.services.classifier import PLATFORM_SOURCE, classifier_retrain

    actor = Actor.system("classifier-retrain")
    live = ClassifierModel.objects.filter(is_active=True, source=PLATFORM_SOURCE)
    return [
        classifier_retrain(actor=actor, target=target)
        for target in sorted(set(live.values_list("target", flat=True)))
    ]
