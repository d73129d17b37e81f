"""`hongmian catalog <action> …`: the catalogue's commands. Each action lives in its own
module beside this one (search: management/search_cli.py) and adds its subparser here.

    hongmian catalog search --queries q.jsonl --top 10 --output results.jsonl
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.catalog.management import search_cli
from hongmian.core.errors import ApplicationError


class Command(BaseCommand):
    help = "服务事项目录：检索（search）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{search}")
        search_cli.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "search":
                search_cli.run(options, self.stdout)
        except ApplicationError as exc:
            # CommandError exits 1 without a traceback; the code is the API's.
            raise CommandError(f"[{exc.code}] {exc.message}") from None
