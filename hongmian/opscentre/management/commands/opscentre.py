"""`hongmian opscentre …`: the operations centre's indicators from the command line.

    hongmian opscentre list
    hongmian opscentre evaluate [--code CODE …] [--day YYYY-MM-DD] [--commit]

`evaluate` prints one JSON line per indicator (code, day, value, level, anomaly, mean, sd).
Without --commit it is a dry run: the figures are computed, no reading is saved and no
alert is filed. With --commit each becomes a reading (the screens follow it by push) and an
alarm or anomaly files its task to the owner unit — once per indicator, day and kind.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.opscentre.models import Indicator
from hongmian.opscentre.selectors import indicator_list
from hongmian.opscentre.services.indicators import indicator_compute, indicator_evaluate


class Command(BaseCommand):
    help = "Operations centre: list and evaluate indicators (dry run unless --commit)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the active indicators")
        ev = sub.add_parser("evaluate", help="evaluate indicators for a day")
        ev.add_argument("--code", action="append", default=[], help="only these (repeatable)")
        ev.add_argument("--day", default="", help="YYYY-MM-DD (default: today, Beijing time)")
        ev.add_argument("--commit", action="store_true", help="save readings and file alerts")

    def handle(self, *args: Any, **options: Any) -> None:
        indicators = list(indicator_list())
        if options["action"] == "list":
            for i in indicators:
                self.stdout.write(
                    f"{i.code}\t{i.name}\t{i.owner.name}\t{i.source}\t{i.measure}\tv{i.version}"
                )
            return
        try:
            day = dt.date.fromisoformat(options["day"]) if options["day"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--day: not a date: {options['day']!r}") from None
        wanted = set(options["code"])
        unknown = wanted - {i.code for i in indicators}
        if unknown:
            raise CommandError(f"unknown indicator: {', '.join(sorted(unknown))}")
        chosen = [i for i in indicators if not wanted or i.code in wanted]
        failed = False
        for indicator in chosen:
            try:
                self.stdout.write(
                    json.dumps(self._one(indicator, day, options["commit"]), ensure_ascii=False)
                )
            except ApplicationError as exc:
                failed = True
                self.stdout.write(
                    json.dumps(
                        {"code": indicator.code, "error": exc.code, "message": exc.message},
                        ensure_ascii=False,
                    )
                )
        if failed:
            raise CommandError("some indicators were not evaluated")

    def _one(self, indicator: Indicator, day: dt.date, commit: bool) -> dict[str, Any]:
        if commit:
            r = indicator_evaluate(
                actor=Actor.cli(None, "opscentre"), indicator=indicator, period=day
            )
            value, level, anomaly, mean, sd = r.value, r.level, r.anomaly, r.mean, r.sd
        else:
            c = indicator_compute(indicator, day)
            value, level, anomaly, mean, sd = c.value, c.level, c.anomaly, c.mean, c.sd
        return {
            "code": indicator.code,
            "day": day.isoformat(),
            "value": value,
            "level": level,
            "anomaly": anomaly,
            "mean": mean,
            "sd": sd,
            "committed": commit,
        }
