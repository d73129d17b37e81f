"""`hongmian certificates …` — the e-certificates from the command line.

    hongmian certificates types                      one type code a line
    hongmian certificates issue --type TYPE --holder HOLDER --data '{…}' --out FILE
    hongmian certificates verify FILE                prints {"valid":…,"reason":…}
    hongmian certificates revoke --id CERT_ID [--reason cancelled]
    hongmian certificates rotate-key                 a new signing key; the old one verifies on
    hongmian certificates retire-keys                stop publishing keys nothing valid needs

HOLDER is a resident ID number, a unified social credit code or a username. `issue` writes
the signed certificate's compact text (a JWS) to FILE. `verify` exits 0 for a valid
certificate and 1 otherwise, printing the answer either way. Errors name their stable code
and exit 1 with nothing written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.certificates.services import (
    certificate_issue,
    certificate_keys_retire,
    certificate_revoke,
    holder_resolve,
)
from hongmian.certificates.states import KEY_PURPOSE, RevokeReason
from hongmian.certificates.type_specs import SPECS, spec_get
from hongmian.certificates.verification import certificate_verify
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.core.jws import MAX_TOKEN_CHARS
from hongmian.core.keyring import signing_key_rotate


class Command(BaseCommand):
    help = "E-certificates: list types, issue, verify, revoke; rotate and retire signing keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("types", help="the type codes that can be issued, one a line")
        issue = sub.add_parser("issue", help="issue a certificate and write its signed text")
        issue.add_argument("--type", required=True, dest="type_code")
        issue.add_argument(
            "--holder", required=True, help="resident ID number, credit code or username"
        )
        issue.add_argument("--data", required=True, help="the type's fields as a JSON object")
        issue.add_argument("--out", required=True, type=Path)
        verify = sub.add_parser("verify", help="verify a certificate file")
        verify.add_argument("file", type=Path)
        revoke = sub.add_parser("revoke", help="revoke a certificate by its id")
        revoke.add_argument("--id", required=True, dest="cert_id")
        revoke.add_argument("--reason", default=RevokeReason.CANCELLED, choices=RevokeReason.values)
        sub.add_parser("rotate-key", help="make a new signing key")
        sub.add_parser("retire-keys", help="retire keys whose certificates have all expired")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = Actor.cli(None, label=f"certificates {action}")
        try:
            if action == "types":
                for code in SPECS:
                    self.stdout.write(code)
            elif action == "issue":
                self._issue(actor, options)
            elif action == "verify":
                self._verify(options["file"])
            elif action == "revoke":
                cert = certificate_revoke(
                    actor=actor, cert_id=options["cert_id"], reason=options["reason"]
                )
                self.stdout.write(f"已吊销 {cert.cert_id}（{options['reason']}）")
            elif action == "rotate-key":
                key = signing_key_rotate(actor=actor, purpose=KEY_PURPOSE)
                self.stdout.write(f"新签名密钥 {key.kid}")
            elif action == "retire-keys":
                for kid in certificate_keys_retire(actor=actor):
                    self.stdout.write(f"已退役 {kid}")
        except ApplicationError as exc:
            detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(
                f"{exc.code}: {exc.message}" + (f"（{detail}）" if detail else "")
            ) from exc

    def _issue(self, actor: Actor, options: dict[str, Any]) -> None:
        try:
            data = json.loads(options["data"])
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"certificate.data_not_json: --data 不是合法的 JSON（{exc}）"
            ) from exc
        spec_get(options["type_code"])  # an unknown type first, before the holder
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"certificate.out_invalid: 目录不存在：{out.parent}")
        holder = holder_resolve(options["holder"])
        cert = certificate_issue(
            actor=actor, type_code=options["type_code"], holder=holder, data=data
        )
        out.write_text(cert.token + "\n", encoding="ascii")
        self.stderr.write(f"已签发 {cert.cert_id} → {out}")

    def _verify(self, path: Path) -> None:
        try:
            raw = path.read_bytes()[: MAX_TOKEN_CHARS * 2]
        except OSError as exc:
            raise CommandError(
                f"certificate.file_unreadable: 无法读取 {path}（{exc.strerror}）"
            ) from exc
        text = raw.decode("utf-8", errors="replace")
        answer = certificate_verify(text).as_json()
        self.stdout.write(json.dumps(answer, separators=(",", ":")))
        if not answer["valid"]:
            self.stdout.flush()
            sys.exit(1)
