"""The platform's signing keyring: keys per purpose, rotated, published as a JWK Set (RFC 7517),
signing and verifying compact JWS (RFC 7515) with the key id in the protected header.

One keyring for every app that signs (e-certificates now, the city code next): an app names
its purpose and calls

    signing_key_ensure(actor=…, purpose="certificates")      # a key exists that may sign
    token = keyring_sign(purpose="certificates", claims={…}) # ES256, {"alg","kid","typ"}
    verified = keyring_verify(purpose="certificates", token=token)   # or jws.TokenRejected
    keyring_jwks("certificates")                             # {"keys": [public JWKs]}

A key signs from its creation until `not_after_use` (the next rotation, or its use period);
it stays published — and what it signed verifies — until it is retired, which the owning
app does once nothing it signed is still valid (`signing_key_retire`). Private keys are
stored as PKCS#8 PEM encrypted with HONGMIAN_KEYRING_PASSPHRASE (SECRET_KEY by default).

Verification reads the public keys from a per-process cache (HONGMIAN_KEYRING_CACHE_SECONDS);
a token naming a kid the cache lacks reloads it at most once a second, so a key made by
another process is found and a stream of made-up kids cannot turn into a query each.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from joserfc import jws
from joserfc.jwk import ECKey

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound
from hongmian.core.jws import ALGORITHM, CURVE, PublicKey, Verified, jwk_public_key, jws_verify
from hongmian.core.models import SigningKey

# One registry for every signature (joserfc builds one per call otherwise): ES256 only.
_REGISTRY = jws.JWSRegistry(algorithms=[ALGORITHM])
# Least seconds between two reloads of a purpose's keys caused by an unknown kid.
RELOAD_INTERVAL = 1.0


# --- caches -----------------------------------------------------------------------------------

_lock = threading.Lock()
# purpose → (monotonic time loaded, {kid: public key})
_public: dict[str, tuple[float, dict[str, PublicKey]]] = {}
# kid → private key (decrypted once per process)
_private: dict[str, ECKey] = {}


def keyring_cache_clear() -> None:
    """Forget every cached key (after a rotation or retirement; tests)."""
    with _lock:
        _public.clear()
        _private.clear()


def _passphrase() -> bytes:
    secret: str = getattr(settings, "HONGMIAN_KEYRING_PASSPHRASE", "") or settings.SECRET_KEY
    return secret.encode()


def _cache_seconds() -> float:
    return float(getattr(settings, "HONGMIAN_KEYRING_CACHE_SECONDS", 300))


def _load_public(purpose: str) -> dict[str, PublicKey]:
    keys = {
        row.kid: key
        for row in SigningKey.objects.filter(purpose=purpose, retired_at__isnull=True)
        if (key := jwk_public_key(row.public_jwk)) is not None
    }
    with _lock:
        _public[purpose] = (time.monotonic(), keys)
    return keys


def _public_keys(purpose: str, *, want: str | None = None) -> dict[str, PublicKey]:
    cached = _public.get(purpose)
    now = time.monotonic()
    if cached is None or now - cached[0] > _cache_seconds():
        return _load_public(purpose)
    if want is not None and want not in cached[1] and now - cached[0] > RELOAD_INTERVAL:
        return _load_public(purpose)
    return cached[1]


# --- writes -----------------------------------------------------------------------------------


def _use_days() -> int:
    return int(getattr(settings, "HONGMIAN_KEYRING_USE_DAYS", 365))


def signing_key_rotate(*, actor: Actor, purpose: str, use_days: int | None = None) -> SigningKey:
    """Make a new key the signing key of `purpose`; the previous one stops signing now but
    stays published (what it signed still verifies) until it is retired."""
    now = timezone.now()
    kid = f"{purpose}-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}"
    key = ECKey.generate_key(CURVE, parameters={"kid": kid}, private=True)
    public = {**key.as_dict(private=False), "kid": kid, "alg": ALGORITHM, "use": "sig"}
    pem = key.as_pem(private=True, password=_passphrase().decode()).decode()
    with transaction.atomic():
        stopped = list(
            SigningKey.objects.select_for_update()
            .filter(purpose=purpose, retired_at__isnull=True, not_after_use__gt=now)
            .values_list("kid", flat=True)
        )
        SigningKey.objects.filter(kid__in=stopped).update(not_after_use=now, updated_at=now)
        row = SigningKey.objects.create(
            purpose=purpose,
            kid=kid,
            algorithm=ALGORITHM,
            public_jwk=public,
            private_key=pem,
            not_after_use=now + dt.timedelta(days=use_days or _use_days()),
        )
        audit_record(
            actor=actor,
            action="signing_key.rotate",
            target=row,
            after={"purpose": purpose, "kid": kid, "stopped": stopped},
        )
        # Now for this process (its next read sees the new row), and again at commit for
        # whatever it read in between.
        keyring_cache_clear()
        transaction.on_commit(keyring_cache_clear)
    return row


def signing_key_ensure(*, actor: Actor, purpose: str) -> SigningKey:
    """The key that signs for `purpose` now, made (and audited) when there is none."""
    current = _signing_key(purpose)
    return current if current is not None else signing_key_rotate(actor=actor, purpose=purpose)


def signing_key_retire(*, actor: Actor, kid: str) -> SigningKey:
    """Stop publishing `kid`: what it signed no longer verifies. The owning app calls this
    once nothing the key signed is still valid (e.g. every certificate has expired)."""
    with transaction.atomic():
        try:
            row = SigningKey.objects.select_for_update().get(kid=kid)
        except SigningKey.DoesNotExist:
            raise NotFound(gettext("密钥不存在"), code="signing_key.not_found") from None
        now = timezone.now()
        if row.retired_at is not None:
            raise Conflict(gettext("密钥已退役"), code="signing_key.retired")
        if row.not_after_use > now:
            raise Conflict(gettext("密钥仍在签发，请先轮换"), code="signing_key.in_use")
        row.retired_at = now
        row.save(update_fields=["retired_at", "updated_at"])
        audit_record(actor=actor, action="signing_key.retire", target=row, after={"kid": kid})
        # Now for this process (its next read sees the new row), and again at commit for
        # whatever it read in between.
        keyring_cache_clear()
        transaction.on_commit(keyring_cache_clear)
    return row


# --- signing and verifying -------------------------------------------------------------------


def _signing_key(purpose: str) -> SigningKey | None:
    return (
        SigningKey.objects.filter(
            purpose=purpose, retired_at__isnull=True, not_after_use__gt=timezone.now()
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _private_key(row: SigningKey) -> ECKey:
    key = _private.get(row.kid)
    if key is None:
        key = ECKey.import_key(row.private_key, password=_passphrase().decode())
        with _lock:
            _private[row.kid] = key
    return key


def keyring_sign(*, purpose: str, claims: Mapping[str, Any], typ: str = "JWT") -> tuple[str, str]:
    """`claims` signed by the current key of `purpose` as a compact JWS; returns the token and
    the kid. Raises Conflict("keyring.no_key") when the purpose has no key that may sign
    (call signing_key_ensure first)."""
    row = _signing_key(purpose)
    if row is None:
        raise Conflict(gettext("没有可用的签名密钥"), code="keyring.no_key")
    header = {"alg": ALGORITHM, "kid": row.kid, "typ": typ}
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    token = jws.serialize_compact(header, payload.encode(), _private_key(row), registry=_REGISTRY)
    return token, row.kid


def keyring_verify(*, purpose: str, token: str) -> Verified:
    """The header and claims of `token` if a published key of `purpose` signed it; raises
    TokenRejected(bad_format | unknown_key | bad_signature) otherwise (core/jws.py). Says
    nothing about the claims (validity dates, revocation): the owning app checks those."""
    return jws_verify(token, lambda kid: _public_keys(purpose, want=kid).get(kid))


def keyring_jwks(purpose: str) -> dict[str, list[dict[str, Any]]]:
    """The JWK Set (RFC 7517 §5) of `purpose`: every key not retired, newest first — what a
    third party needs, alone, to verify what the platform signed."""
    rows = SigningKey.objects.filter(purpose=purpose, retired_at__isnull=True).order_by(
        "-created_at", "-id"
    )
    return {"keys": [dict(row.public_jwk) for row in rows]}
