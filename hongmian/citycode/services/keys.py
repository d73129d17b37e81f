"""The city code's signing keys: rotated often (HONGMIAN_CITYCODE_KEY_DAYS), a replaced key kept
published for a short overlap (HONGMIAN_CITYCODE_KEY_OVERLAP_SECONDS: its last codes' 60 s and
the key set's cache) and then retired, and a compromised key revoked: retired at once and
listed in keys.json's `revoked`, so that an offline verifier with an older set refuses it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.citycode.models import KeyRevocation
from hongmian.citycode.selectors import key_set_forget
from hongmian.citycode.states import KEY_PURPOSE
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, ValidationFailed
from hongmian.core.keyring import signing_key_retire, signing_key_rotate
from hongmian.core.models import SigningKey


def _forget_at_commit() -> None:
    key_set_forget()
    transaction.on_commit(key_set_forget)


def citycode_key_rotate(*, actor: Actor) -> SigningKey:
    """A new signing key; the previous one stops signing now and verifies until retired."""
    with transaction.atomic():
        days = int(getattr(settings, "HONGMIAN_CITYCODE_KEY_DAYS", 30))
        row = signing_key_rotate(actor=actor, purpose=KEY_PURPOSE, use_days=days)
        _forget_at_commit()
    return row


def citycode_keys_retire(*, actor: Actor, now: dt.datetime | None = None) -> list[str]:
    """Retire every replaced key past the overlap: nothing it signed is valid any more, and
    every verifier has had time to fetch the new key. Returns the retired kids."""
    now = now or timezone.now()
    overlap = dt.timedelta(
        seconds=int(getattr(settings, "HONGMIAN_CITYCODE_KEY_OVERLAP_SECONDS", 900))
    )
    kids = list(
        SigningKey.objects.filter(
            purpose=KEY_PURPOSE, retired_at__isnull=True, not_after_use__lte=now - overlap
        ).values_list("kid", flat=True)
    )
    with transaction.atomic():
        for kid in kids:
            signing_key_retire(actor=actor, kid=kid)
        _forget_at_commit()
    return kids


def citycode_key_revoke(*, actor: Actor, kid: str, reason: str) -> KeyRevocation:
    """Stop trusting `kid` at once (a leaked private key): a new key signs from now, the
    revoked one leaves the key set and is listed as revoked. Codes it signed are refused
    everywhere with `revoked_key`."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        message = gettext("请填写吊销原因（200 字以内）")
        raise ValidationFailed(message, code="citycode.key_reason", fields={"reason": [message]})
    with transaction.atomic():
        row = SigningKey.objects.select_for_update().filter(kid=kid, purpose=KEY_PURPOSE).first()
        if row is None:
            raise NotFound(gettext("密钥不存在"), code="signing_key.not_found")
        if KeyRevocation.objects.filter(kid=kid).exists():
            raise Conflict(gettext("该密钥已吊销"), code="citycode.key_revoked")
        if row.not_after_use > timezone.now():
            # It signs now: a fresh key takes over first, so codes keep coming.
            citycode_key_rotate(actor=actor)
        if row.retired_at is None:
            signing_key_retire(actor=actor, kid=kid)
        revocation = KeyRevocation.objects.create(kid=kid, reason=reason, revoked_at=timezone.now())
        audit_record(
            actor=actor,
            action="citycode.key_revoke",
            target=revocation,
            after={"kid": kid, "reason": reason},
        )
        _forget_at_commit()
    return revocation
