"""The indicators' schedule: every five minutes, the indicators whose refresh is due
(Indicator.refresh_minutes, next_run_at) are evaluated; each new reading reaches the big
screens by their push stream, and an alarm or anomaly files its task."""

from __future__ import annotations

from crontask import cron

from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task
from hongmian.opscentre.services.indicators import indicators_evaluate_due


@cron("*/5 * * * *")  # the finest refresh an indicator is given in practice
@reliable_task()
def indicators_due() -> int:
    return len(indicators_evaluate_due(actor=Actor.system("opscentre-schedule")))
