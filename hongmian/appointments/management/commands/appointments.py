"""`hongmian appointments slots|close|reminders|release-holds`: the halls' scheduled work
by hand, through the same services as the jobs.

    hongmian appointments slots [--days 7] [--hall CODE]
    hongmian appointments close --hall CODE --from 2026-09-01 --to 2026-09-02 --reason 台风停工
    hongmian appointments reminders
    hongmian appointments release-holds
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.appointments.models import Hall
from hongmian.appointments.policy import appointment_policy
from hongmian.appointments.services.booking import holds_release
from hongmian.appointments.services.halls import hall_closure_create
from hongmian.appointments.services.reminders import reminders_send
from hongmian.appointments.services.slots import slots_generate
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Halls and bookings: generate slots, close a hall, send reminders, release holds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        slots = sub.add_parser("slots", help="make the slots of the next days")
        slots.add_argument("--days", type=int, default=None)
        slots.add_argument("--hall", default="")
        close = sub.add_parser("close", help="close a hall for dates (cancels their bookings)")
        close.add_argument("--hall", required=True)
        close.add_argument("--from", dest="start", required=True)
        close.add_argument("--to", dest="end", required=True)
        close.add_argument("--reason", required=True)
        sub.add_parser("reminders", help="log the reminder SMS that are due")
        sub.add_parser("release-holds", help="expire holds that ran out")

    def _hall(self, code: str) -> Hall:
        hall = Hall.objects.filter(code=code).first()
        if hall is None:
            raise CommandError(f"no hall with code {code}")
        return hall

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.cli(None, "appointments")
        action = options["action"]
        if action == "slots":
            days = options["days"] or appointment_policy().days_ahead
            if not 1 <= days <= 90:
                raise CommandError("--days must be between 1 and 90")
            halls = [self._hall(options["hall"])] if options["hall"] else None
            self.stdout.write(f"slots made: {slots_generate(actor=actor, days=days, halls=halls)}")
        elif action == "close":
            try:
                _closure, cancelled = hall_closure_create(
                    actor=actor,
                    hall=self._hall(options["hall"]),
                    start=_date(options["start"]),
                    end=_date(options["end"]),
                    reason=options["reason"],
                )
            except ApplicationError as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from None
            self.stdout.write(f"closed; bookings cancelled: {cancelled}")
        elif action == "reminders":
            self.stdout.write(f"reminders logged: {reminders_send()}")
        else:
            self.stdout.write(f"holds released: {holds_release(actor=actor)}")
