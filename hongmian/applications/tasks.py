"""Periodic jobs of applications: the time limits' sweep (催办 / 督办), the purge of
drafts left too long, and the expiry of assisted-service mandates (decision 0072). All are
safe to run twice (the sweep claims each act with one conditional UPDATE; the purge and the
expiry act on what is stale when they run)."""

from __future__ import annotations

from crontask import cron

from hongmian.applications.services.deadlines import application_deadlines_sweep
from hongmian.applications.services.drafts import application_drafts_purge
from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task
from hongmian.identity.services.mandates import mandates_expire


@cron("*/15 * * * *")  # every quarter hour: limits are in working days
@reliable_task()
def application_deadlines_job() -> dict[str, int]:
    result = application_deadlines_sweep(actor=Actor.system("application-sweep"))
    return {"urged": len(result.urged), "supervised": len(result.supervised)}


@cron("50 3 * * *")  # daily, 03:50, after the hotline's nightly jobs
@reliable_task()
def application_drafts_purge_job() -> dict[str, int]:
    purged = application_drafts_purge(actor=Actor.system("draft-purge"), commit=True)
    return {"purged": purged}


@cron("5 * * * *")  # hourly: a mandate past its end is refused at use already; this keeps
# its status (and the person's page) true
@reliable_task()
def mandates_expire_job() -> dict[str, int]:
    return {"expired": mandates_expire(actor=Actor.system("mandate-expiry"))}
