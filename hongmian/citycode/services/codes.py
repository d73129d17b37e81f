"""A person's city code: the pseudonymous code id (made on first use, re-issued on request),
what the person lets terminals see, and issuing the short-lived signed payload.

Issuing is not audited: a person's page asks for a fresh code every minute, and what it
signs names nothing but the code id; the code id's creation and re-issue are audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.citycode.models import CodeHolder
from hongmian.citycode.states import KEY_PURPOSE, TOKEN_TYPE, IdentityField
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.keyring import keyring_sign, signing_key_ensure
from hongmian.identity.models import Person

# 96 random bits, 16 characters: unguessable, and short in the QR code.
CODE_ID_BYTES = 12
# 72 random bits, 12 characters: one displayed code.
NONCE_BYTES = 9


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A signed payload and when it stops being valid."""

    payload: str
    issued_at: dt.datetime
    expires_at: dt.datetime


def _own(actor: Actor, person: Person) -> None:
    # The person alone (or the platform: the command line, the demo) acts on their code.
    if actor.user is not None and person.user_id != actor.user.pk:
        raise PermissionDenied(gettext("只能操作本人的红棉码"), code="citycode.not_yours")


def citycode_holder_ensure(*, actor: Actor, person: Person) -> CodeHolder:
    """The person's code id, made (and audited) on first use."""
    _own(actor, person)
    return holder_of(actor=actor, person=person)


def holder_of(*, actor: Actor, person: Person) -> CodeHolder:
    """The person's code id, made on first use, for a service that has already checked who
    acts (an authorised unit setting an attribute on a person who never opened the code)."""
    holder = CodeHolder.objects.filter(person=person).first()
    if holder is not None:
        return holder
    try:
        with transaction.atomic():
            holder = CodeHolder.objects.create(
                person=person, code_id=secrets.token_urlsafe(CODE_ID_BYTES)
            )
            audit_record(actor=actor, action="citycode.holder_create", target=holder)
    except IntegrityError:
        # Two first visits at once: the other one made it.
        return CodeHolder.objects.get(person=person)
    return holder


def citycode_reissue(*, actor: Actor, person: Person) -> CodeHolder:
    """申请新码: a new code id; every code shown with the old one resolves to nothing from
    now on (a lost phone, a code id the person no longer wants linked to past scans)."""
    holder = citycode_holder_ensure(actor=actor, person=person)
    with transaction.atomic():
        locked = CodeHolder.objects.select_for_update().get(pk=holder.pk)
        old = locked.code_id
        locked.code_id = secrets.token_urlsafe(CODE_ID_BYTES)
        locked.reissued_at = timezone.now()
        locked.save(update_fields=["code_id", "reissued_at", "updated_at"])
        # The old id is not audited: the audit must not link the two pseudonyms.
        audit_record(
            actor=actor, action="citycode.reissue", target=locked, before={"had": bool(old)}
        )
    return locked


def citycode_share_set(*, actor: Actor, person: Person, fields: Sequence[str]) -> CodeHolder:
    """The person's consent: which of states.IdentityField a terminal whose scope allows it
    may learn when it scans their code. An empty list: valid/invalid only."""
    chosen = sorted(set(fields))
    unknown = [f for f in chosen if f not in IdentityField.values]
    if unknown:
        message = gettext("未知的授权项：%(fields)s") % {"fields": "、".join(unknown)}
        raise ValidationFailed(message, code="citycode.share_unknown", fields={"shared": [message]})
    holder = citycode_holder_ensure(actor=actor, person=person)
    with transaction.atomic():
        locked = CodeHolder.objects.select_for_update().get(pk=holder.pk)
        before = list(locked.shared)
        locked.shared = chosen
        locked.save(update_fields=["shared", "updated_at"])
        audit_record(
            actor=actor,
            action="citycode.share_set",
            target=locked,
            before={"shared": before},
            after={"shared": chosen},
        )
    return locked


def ttl_seconds() -> int:
    return int(getattr(settings, "HONGMIAN_CITYCODE_TTL_SECONDS", 60))


def citycode_issue(*, holder: CodeHolder, at: dt.datetime | None = None) -> IssuedCode:
    """The payload to show now: a compact JWS signed by the city code's current key, valid
    for HONGMIAN_CITYCODE_TTL_SECONDS (claims in verification.py's docstring)."""
    now = at or timezone.now()
    iat = int(now.timestamp())
    exp = iat + ttl_seconds()
    claims = {
        "sub": holder.code_id,
        "iat": iat,
        "exp": exp,
        "jti": secrets.token_urlsafe(NONCE_BYTES),
    }
    try:
        payload, _kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims, typ=TOKEN_TYPE)
    except Conflict:
        # No key signs yet (a fresh installation): the platform makes one, audited.
        signing_key_ensure(actor=Actor.system("citycode"), purpose=KEY_PURPOSE)
        payload, _kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims, typ=TOKEN_TYPE)
    return IssuedCode(
        payload=payload,
        issued_at=dt.datetime.fromtimestamp(iat, tz=dt.UTC),
        expires_at=dt.datetime.fromtimestamp(exp, tz=dt.UTC),
    )
