"""`hongmian citycode …` — the city code (红棉码) from the command line.

    hongmian citycode issue --username U             prints U's current payload (valid 60 s)
    hongmian citycode verify PAYLOAD [--at ISO-TIME] [--keys FILE]
                                                     prints {"valid":…,"reason":…}
    hongmian citycode rotate-key                     a new signing key; the old one verifies
                                                     for the overlap
    hongmian citycode retire-keys                    retire replaced keys past the overlap
    hongmian citycode revoke-key KID --reason TEXT   stop trusting a key at once

`verify` is the offline verifier: the published key set (keys.json, read from this
platform's database, or the file given with --keys, exactly as a terminal fetched it) and
the time alone. It exits 0 for a valid code and 1 otherwise, printing the answer either way.
Errors name their stable code and exit 1 with nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hongmian.citycode.selectors import citycode_jwks
from hongmian.citycode.services.codes import citycode_holder_ensure, citycode_issue
from hongmian.citycode.services.keys import (
    citycode_key_revoke,
    citycode_key_rotate,
    citycode_keys_retire,
)
from hongmian.citycode.verification import KeySet, citycode_verify
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.identity.models import Person


class Command(BaseCommand):
    help = "City code: issue a person's current code, verify a code offline, manage the keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="print a person's current code payload")
        issue.add_argument("--username", required=True)
        verify = sub.add_parser("verify", help="verify a code with the published keys alone")
        verify.add_argument("payload")
        verify.add_argument("--at", help="ISO 8601 time to verify at (default: now)")
        verify.add_argument("--keys", type=Path, help="a keys.json file (default: this platform's)")
        sub.add_parser("rotate-key", help="make a new signing key")
        sub.add_parser("retire-keys", help="retire replaced keys past the overlap")
        revoke = sub.add_parser("revoke-key", help="revoke a signing key at once")
        revoke.add_argument("kid")
        revoke.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = Actor.cli(None, label=f"citycode {action}")
        try:
            if action == "issue":
                self._issue(actor, options["username"])
            elif action == "verify":
                self._verify(options["payload"], options["at"], options["keys"])
            elif action == "rotate-key":
                self.stdout.write(f"新签名密钥 {citycode_key_rotate(actor=actor).kid}")
            elif action == "retire-keys":
                for kid in citycode_keys_retire(actor=actor):
                    self.stdout.write(f"已退役 {kid}")
            elif action == "revoke-key":
                row = citycode_key_revoke(actor=actor, kid=options["kid"], reason=options["reason"])
                self.stdout.write(f"已吊销 {row.kid}")
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def _issue(self, actor: Actor, username: str) -> None:
        person = Person.objects.filter(user__username=username).first()
        if person is None:
            raise CommandError(f"person.not_found: 账号 {username} 没有关联的实名人员")
        holder = citycode_holder_ensure(actor=actor, person=person)
        self.stdout.write(citycode_issue(holder=holder).payload)

    def _verify(self, payload: str, at: str | None, keys_file: Path | None) -> None:
        moment = timezone.now()
        if at:
            try:
                moment = dt.datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"citycode.at_invalid: --at 不是 ISO 8601 时间：{at}") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        if keys_file is not None:
            try:
                document = json.loads(keys_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(
                    f"citycode.keys_unreadable: 无法读取密钥集 {keys_file}（{exc}）"
                ) from exc
            if not isinstance(document, dict):
                raise CommandError(f"citycode.keys_unreadable: {keys_file} 不是 JWK Set")
        else:
            document = citycode_jwks()
        answer = citycode_verify(payload, KeySet.from_jwks(document), moment).as_json()
        self.stdout.write(json.dumps(answer, separators=(",", ":")))
        if not answer["valid"]:
            self.stdout.flush()
            sys.exit(1)
