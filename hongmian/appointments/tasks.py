"""Periodic jobs of the appointments app (`hongmian crontask` enqueues, `db_worker` runs)."""

from __future__ import annotations

from crontask import cron

from hongmian.appointments.policy import appointment_policy
from hongmian.appointments.services.booking import bookings_sweep_no_shows, holds_release
from hongmian.appointments.services.reminders import reminders_send
from hongmian.appointments.services.slots import slots_generate
from hongmian.core.actors import Actor
from hongmian.core.jobs import reliable_task


@cron("* * * * *")  # every minute: a hold lasts a few minutes, its seat must come back soon
@reliable_task()
def holds_release_job() -> dict[str, int]:
    return {"released": holds_release(actor=Actor.system("holds-release"))}


@cron("*/10 * * * *")  # reminders go out within ten minutes of their time
@reliable_task()
def reminders_send_job() -> dict[str, int]:
    return {"sent": reminders_send()}


@cron("30 1 * * *")  # nightly: the next days' slots, and the no-shows of the day before
@reliable_task()
def slots_generate_job() -> dict[str, int]:
    actor = Actor.system("slots-generate")
    made = slots_generate(actor=actor, days=appointment_policy().days_ahead)
    return {"slots": made, "no_shows": bookings_sweep_no_shows(actor=actor)}
