"""`hongmian geo parse "TEXT"` and `hongmian geo load`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.geo.address import parse_address, validate_address_text
from hongmian.geo.services import divisions_load


class Command(BaseCommand):
    help = "Guangzhou divisions and addresses: parse an address, or load the divisions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{parse,load}")
        parse = sub.add_parser("parse", help="print the district and street of an address as JSON")
        parse.add_argument("text", help="the address, in Chinese (traditional is fine)")
        sub.add_parser("load", help="load the divisions from the project's data file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "parse":
                result = parse_address(validate_address_text(options["text"]))
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            else:
                changed = divisions_load(actor=Actor.cli(None, label="geo load"))
                self.stdout.write(f"行政区划已载入：{changed} 条新增或更新")
        except ApplicationError as exc:
            # The same message the API gives; CommandError exits 1 without a traceback.
            raise CommandError(exc.message) from None
