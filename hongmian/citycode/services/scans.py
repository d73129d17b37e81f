"""The online resolve (扫码核验): a registered, enabled terminal sends a scanned payload; the
platform verifies it as an offline verifier would, checks what only it knows (the code id is
current, the displayed code was not already used at another terminal), writes one scan-log
row and answers ONLY what the terminal's scope and the person's consent both allow — a hall
sees the name, a bus gate only valid/invalid. Every answer that names the person is audited
on the person with its context (terminal, place, fields)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.citycode.models import CodeHolder, CollectiveCode, Scan, Terminal
from hongmian.citycode.selectors import active_attributes, citycode_key_set
from hongmian.citycode.selectors_collective import CollectiveAnswer, collective_resolve
from hongmian.citycode.services.anomalies import scan_anomalies_check
from hongmian.citycode.services.hall import CheckIn, desk_url, scan_check_in
from hongmian.citycode.states import (
    GROUP_TOKEN_TYPE,
    TOKEN_TYPE,
    IdentityField,
    Reason,
    ScanResult,
    TerminalKind,
)
from hongmian.citycode.verification import (
    Verification,
    citycode_verify,
    payload_kid,
    payload_typ,
)
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import PermissionDenied
from hongmian.core.masking import mask_resident_id

# The longest code id and nonce a scan row keeps (ours are 16 and 12 characters).
_ID_MAX = 24


@dataclass(frozen=True, slots=True)
class ShownAttribute:
    code: str
    name: str
    value: str
    valid_until: dt.datetime


@dataclass(frozen=True, slots=True)
class ScanAnswer:
    """What the terminal is told. The identity fields are None unless scope AND consent
    allow them."""

    valid: bool
    reason: str
    scanned_at: dt.datetime
    scan_id: int
    name: str | None = None
    masked_id: str | None = None
    attributes: list[ShownAttribute] = field(default_factory=list)
    # A hall terminal's valid scan: the check-in's answer and the 码上办 desk's page.
    checkin: CheckIn | None = None
    desk_url: str | None = None
    # A collective code's scan: the members' statuses within their consent.
    collective: CollectiveAnswer | None = None


def terminal_of(actor: Actor) -> Terminal:
    """The terminal whose account acts; a coded 403 for an account that is not a terminal
    (`terminal.unknown`) or a disabled one (`terminal.disabled`, audited)."""
    user = actor.user
    terminal = (
        Terminal.objects.select_related("owner_unit").filter(account_id=user.pk).first()
        if user is not None
        else None
    )
    if terminal is None:
        raise PermissionDenied(gettext("未登记的核验终端"), code="terminal.unknown")
    if not terminal.is_enabled:
        with transaction.atomic():
            audit_record(
                actor=actor, action="terminal.refused", target=terminal, after={"why": "disabled"}
            )
        raise PermissionDenied(gettext("核验终端已停用"), code="terminal.disabled")
    return terminal


def _verify(payload: Any, at: dt.datetime, typ: str) -> Verification:
    answer = citycode_verify(payload, citycode_key_set(), at, typ)
    if answer.reason == Reason.UNKNOWN_KEY:
        # Perhaps a key newer than this process's copy: reload (at most once a second).
        kid = payload_kid(payload)
        answer = citycode_verify(payload, citycode_key_set(want=kid), at, typ)
    return answer


def _short(value: Any) -> str:
    return value if isinstance(value, str) and len(value) <= _ID_MAX else ""


def scan_resolve(*, actor: Actor, payload: Any) -> ScanAnswer:
    """Resolve a scanned payload for the terminal whose account acts."""
    terminal = terminal_of(actor)
    now = timezone.now()
    group = payload_typ(payload) == GROUP_TOKEN_TYPE
    answer = _verify(payload, now, GROUP_TOKEN_TYPE if group else TOKEN_TYPE)
    code_id, nonce = _short(answer.claims.get("sub")), _short(answer.claims.get("jti"))
    result = str(answer.reason)
    holder: CodeHolder | None = None
    collective: CollectiveCode | None = None
    if answer.valid:
        if group:
            collective = CollectiveCode.objects.filter(code_id=code_id).first()
        else:
            holder = CodeHolder.objects.select_related("person").filter(code_id=code_id).first()
        if holder is None and collective is None:
            result = ScanResult.UNKNOWN_CODE
        elif Scan.objects.filter(nonce=nonce).exclude(terminal=terminal).exists():
            result = ScanResult.REPLAYED
    valid = result == ScanResult.OK
    with transaction.atomic():
        scan = Scan.objects.create(
            terminal=terminal, scanned_at=now, result=result, code_id=code_id, nonce=nonce
        )
        shown: dict[str, Any] = {}
        if valid and holder is not None:
            shown = _disclose(actor, terminal, holder, scan)
        elif valid and collective is not None:
            shown = {
                "collective": collective_resolve(
                    actor=actor, terminal=terminal, collective=collective, scan_id=scan.pk
                )
            }
    scan_anomalies_check(scan=scan, terminal=terminal)
    if valid and holder is not None and terminal.kind == TerminalKind.HALL:
        # At the hall the scan is the person's arrival: check them in, open the desk.
        shown["checkin"] = scan_check_in(
            actor=actor, terminal=terminal, person=holder.person, at=now
        )
        shown["desk_url"] = desk_url(scan.pk)
    return ScanAnswer(valid=valid, reason=result, scanned_at=now, scan_id=scan.pk, **shown)


def _disclose(actor: Actor, terminal: Terminal, holder: CodeHolder, scan: Scan) -> dict[str, Any]:
    allowed = set(terminal.identity_fields) & set(holder.shared)
    shown: dict[str, Any] = {}
    person = holder.person
    if IdentityField.NAME in allowed:
        shown["name"] = person.name
    if IdentityField.MASKED_ID in allowed:
        shown["masked_id"] = mask_resident_id(person.resident_id)
    if IdentityField.ATTRIBUTES in allowed:
        type_ids = list(terminal.attribute_types.values_list("pk", flat=True))
        shown["attributes"] = [
            ShownAttribute(
                code=a.type.code, name=a.type.name, value=a.value, valid_until=a.valid_until
            )
            for a in active_attributes(holder.pk, type_ids)
        ]
    if shown:
        audit_record(
            actor=actor,
            action="citycode.resolve",
            target=person,
            after={
                "terminal": terminal.code,
                "place": terminal.place_name,
                "unit": terminal.owner_unit_id,
                "scan": scan.pk,
                "fields": sorted(shown),
            },
        )
    return shown
