"""The promised time limit of an application (承诺办结时限) on the business calendar: one
clock, started at 受理, paused during 补正, stopped at the decision; its arithmetic and
lights are core.deadlines (the hotline's clocks use the same). The sweep urges (催办) a
yellow clock and supervises (督办) a red one, each once, claimed with a conditional UPDATE
as the hotline's sla_sweep does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications.models import Application
from hongmian.applications.services.common import record
from hongmian.applications.states import CLOCK_STATUSES
from hongmian.core import calendar, deadlines
from hongmian.core.actors import Actor

# The share of the allowed time after which the light turns yellow (the hotline's default).
YELLOW_RATIO = Decimal("0.8")


def clock_start(application: Application, at: dt.datetime) -> None:
    """Set the clock of an application accepted at `at` (no clock without a limit)."""
    if application.limit_days is None:
        return
    application.yellow_at, application.due_at = deadlines.deadline_times(
        at, deadlines.WORKING_DAYS, application.limit_days, YELLOW_RATIO
    )
    application.paused_at = application.stopped_at = None


def clock_pause(application: Application, at: dt.datetime) -> None:
    """补正: the time the applicant takes to correct does not count."""
    if application.due_at is not None and application.paused_at is None:
        application.paused_at = at


def clock_resume(application: Application, at: dt.datetime) -> None:
    """The corrections are in: the clock moves on by the working time it was paused."""
    if application.paused_at is None or application.due_at is None:
        return
    paused = calendar.working_time_between(application.paused_at, at)
    application.due_at = calendar.add_working_duration(application.due_at, paused)
    if application.yellow_at is not None:
        application.yellow_at = calendar.add_working_duration(application.yellow_at, paused)
    application.paused_at = None
    # A moved deadline deserves its own reminders.
    if application.yellow_at is not None and application.yellow_at > at:
        application.urged_at = None
    if application.due_at > at:
        application.supervised_at = None


def clock_stop(application: Application, at: dt.datetime) -> None:
    if application.due_at is not None and application.stopped_at is None:
        application.stopped_at = at
        application.paused_at = None


@dataclass(slots=True)
class SweepResult:
    urged: list[int] = field(default_factory=list)
    supervised: list[int] = field(default_factory=list)


def _claim(*, actor: Actor, pk: int, mark: str, now: dt.datetime) -> bool:
    with transaction.atomic():
        claimed = Application.objects.filter(
            **{"pk": pk, f"{mark}__isnull": True, "status__in": CLOCK_STATUSES},
            paused_at__isnull=True,
        ).update(**{mark: now})
        if not claimed:
            return False
        application = Application.objects.get(pk=pk)
        due = timezone.localtime(application.due_at or now)
        if mark == "urged_at":
            kind = "urge"
            note = _("承诺时限将于%(due)s到期，请抓紧办理。") % {"due": f"{due:%Y-%m-%d %H:%M}"}
        else:
            kind = "supervise"
            note = _("承诺时限已于%(due)s到期，现予督办。") % {"due": f"{due:%Y-%m-%d %H:%M}"}
        record(
            actor=actor,
            application=application,
            kind=kind,
            note=note,
            data={"due_at": (application.due_at or now).isoformat()},
        )
    return True


def application_deadlines_sweep(*, actor: Actor, now: dt.datetime | None = None) -> SweepResult:
    """Urge every yellow clock and supervise every red one, once each. Safe to run twice or
    in two processes at once."""
    now = now or timezone.now()
    result = SweepResult()
    running = Application.objects.filter(
        status__in=CLOCK_STATUSES, paused_at__isnull=True, due_at__isnull=False
    )
    to_urge = running.filter(urged_at__isnull=True, yellow_at__lte=now, due_at__gt=now)
    to_supervise = running.filter(supervised_at__isnull=True, due_at__lte=now)
    for mark, rows, done in (
        ("urged_at", to_urge, result.urged),
        ("supervised_at", to_supervise, result.supervised),
    ):
        for pk in rows.order_by("due_at").values_list("pk", flat=True):
            if _claim(actor=actor, pk=pk, mark=mark, now=now):
                done.append(pk)
    return result
