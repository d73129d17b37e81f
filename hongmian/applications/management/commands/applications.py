"""`hongmian applications purge-drafts [--commit]` and `hongmian applications sweep`.

purge-drafts deletes the drafts untouched for HONGMIAN_APPLICATION_DRAFT_DAYS (a dry run
that only counts them unless --commit); sweep urges yellow time limits and supervises red
ones, once each. The scheduler runs both (applications/tasks.py); these are for operators.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hongmian.applications.services.deadlines import application_deadlines_sweep
from hongmian.applications.services.drafts import application_drafts_purge
from hongmian.core.actors import Actor


class Command(BaseCommand):
    help = "Applications (办件): purge stale drafts, sweep the time limits."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge-drafts", help="delete stale drafts (dry run by default)")
        purge.add_argument("--commit", action="store_true", help="delete them")
        sub.add_parser("sweep", help="urge yellow and supervise red time limits")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.cli(None, label="applications")
        if options["action"] == "purge-drafts":
            count = application_drafts_purge(actor=actor, commit=options["commit"])
            verb = "purged" if options["commit"] else "would purge (dry run; --commit to delete)"
            self.stdout.write(f"{verb}: {count} draft(s)")
            return
        result = application_deadlines_sweep(actor=actor)
        self.stdout.write(f"urged: {len(result.urged)}, supervised: {len(result.supervised)}")
