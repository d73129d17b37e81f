"""`hongmian crosscity …` — partner cities and deliveries from the command line.

    hongmian crosscity partner add --code 511600 --name 广安市 --endpoint http://127.0.0.1:8001
                                   [--keys-url URL] [--certificates-keys-url URL]
    hongmian crosscity partner list                  one partner a line
    hongmian crosscity partner refresh --code CODE   fetch its key sets now
    hongmian crosscity rotate-key                    a new cross-city signing key
    hongmian crosscity deliver                       try every undelivered package and status now

The job queue delivers on its own (with retries); `deliver` is for an operator who has just
fixed a partner's address. Errors name their stable code and exit 1 with nothing written.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.core.keyring import signing_key_rotate
from hongmian.crosscity.models import Package, Partner, StatusUpdate
from hongmian.crosscity.services.partners import partner_add, partner_keys_refresh
from hongmian.crosscity.services.sending import package_deliver_once
from hongmian.crosscity.services.status import status_deliver_once
from hongmian.crosscity.services.transport import Unreachable
from hongmian.crosscity.states import KEY_PURPOSE, Delivery, Direction


class Command(BaseCommand):
    help = "跨域通办：登记合作城市、刷新公钥、轮换签名密钥、立即投递"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        partner = sub.add_parser("partner", help="partner cities")
        psub = partner.add_subparsers(dest="partner_action", required=True)
        add = psub.add_parser("add", help="register (or update) a partner city")
        add.add_argument("--code", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--endpoint", required=True, help="the partner's base URL")
        add.add_argument("--keys-url", default="")
        add.add_argument("--certificates-keys-url", default="")
        psub.add_parser("list", help="one partner a line")
        refresh = psub.add_parser("refresh", help="fetch a partner's key sets now")
        refresh.add_argument("--code", required=True)
        sub.add_parser("rotate-key", help="make a new cross-city signing key")
        sub.add_parser("deliver", help="try every undelivered package and status update now")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = Actor.cli(None, label=f"crosscity {action}")
        try:
            if action == "partner":
                self._partner(actor, options)
            elif action == "rotate-key":
                key = signing_key_rotate(actor=actor, purpose=KEY_PURPOSE)
                self.stdout.write(f"新签名密钥 {key.kid}")
            elif action == "deliver":
                self._deliver()
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None

    def _partner(self, actor: Actor, options: dict[str, Any]) -> None:
        what = options["partner_action"]
        if what == "add":
            partner = partner_add(
                actor=actor,
                code=options["code"],
                name=options["name"],
                endpoint=options["endpoint"],
                keys_url=options["keys_url"],
                certificates_keys_url=options["certificates_keys_url"],
            )
            self.stdout.write(f"{partner.code}\t{partner.name}\t{partner.endpoint}")
        elif what == "list":
            for partner in Partner.objects.order_by("code"):
                state = "启用" if partner.active else "停用"
                self.stdout.write(f"{partner.code}\t{partner.name}\t{partner.endpoint}\t{state}")
        else:
            found = Partner.objects.filter(code=options["code"]).first()
            if found is None:
                raise CommandError("crosscity.unknown_partner: 未登记的合作城市")
            found = partner_keys_refresh(found)
            count = len(found.jwks.get("keys", []))
            self.stdout.write(f"{found.code}\t{count} 把公钥")

    def _deliver(self) -> None:
        sent = failed = 0
        queued = Package.objects.filter(direction=Direction.OUT, delivery=Delivery.QUEUED)
        for pk in queued.values_list("pk", flat=True):
            try:
                package_deliver_once(package_pk=pk)
                sent += 1
            except (Unreachable, ApplicationError) as exc:
                self.stderr.write(f"package {pk}: {exc}")
                failed += 1
        pending = StatusUpdate.objects.filter(direction=Direction.OUT, delivered_at__isnull=True)
        for pk in pending.values_list("pk", flat=True):
            try:
                sent += int(status_deliver_once(update_pk=pk))
            except (Unreachable, ApplicationError) as exc:
                self.stderr.write(f"status {pk}: {exc}")
                failed += 1
        self.stdout.write(f"投递 {sent}，失败 {failed}")
