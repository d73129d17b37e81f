"""Verifying a certificate: signature (a published key), type, validity dates, revocation —
`certificate_verify(token)` answers valid or the first reason it is not (states.Reason).

It reads no row of the certificate itself: what a third party can check with the JWK Set and
the revocation list is exactly what we check, so the page, the API, the command line and an
offline verifier agree. The revoked ids are cached per process for
HONGMIAN_CERTIFICATES_REVOCATION_SECONDS (a revocation in this process clears the cache at
once; another process sees it within that time)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from hongmian.certificates.states import KEY_PURPOSE, Reason
from hongmian.certificates.type_specs import SPECS
from hongmian.core.jws import TokenRejected
from hongmian.core.keyring import keyring_verify

_lock = threading.Lock()
_revoked: tuple[float, frozenset[str]] | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer: `reason` is Reason.OK exactly when `valid`. `claims` are the signed
    content when the signature checked out (shown by the verification page), else empty."""

    valid: bool
    reason: str
    claims: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": str(self.reason)}


def revocations_changed() -> None:
    """Forget the cached revocation list (after a revocation commits)."""
    global _revoked
    with _lock:
        _revoked = None


def revoked_ids() -> frozenset[str]:
    """The ids of revoked certificates, from the per-process cache."""
    global _revoked
    cached = _revoked
    now = time.monotonic()
    ttl = float(getattr(settings, "HONGMIAN_CERTIFICATES_REVOCATION_SECONDS", 30))
    if cached is not None and now - cached[0] <= ttl:
        return cached[1]
    # Imported here: the models import this module's neighbours, not the other way round.
    from hongmian.certificates.models import Certificate

    ids = frozenset(
        str(value)
        for value in Certificate.objects.filter(revoked_at__isnull=False).values_list(
            "cert_id", flat=True
        )
    )
    with _lock:
        _revoked = (now, ids)
    return ids


def _moment(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def certificate_verify(token: str, *, at: dt.datetime | None = None) -> Verification:
    """Whether `token` is a valid certificate now (or `at`)."""
    try:
        verified = keyring_verify(purpose=KEY_PURPOSE, token=token)
    except TokenRejected as rejected:
        return Verification(False, rejected.reason)
    claims = verified.claims
    jti, nbf, exp = claims.get("jti"), _moment(claims.get("nbf")), claims.get("exp")
    if not isinstance(jti, str) or nbf is None or (exp is not None and _moment(exp) is None):
        return Verification(False, Reason.BAD_FORMAT, claims)
    if claims.get("ctp") not in SPECS:
        return Verification(False, Reason.UNKNOWN_TYPE, claims)
    now = (at or timezone.now()).timestamp()
    if now < nbf:
        return Verification(False, Reason.NOT_YET_VALID, claims)
    if exp is not None and now >= exp:
        return Verification(False, Reason.EXPIRED, claims)
    if jti in revoked_ids():
        return Verification(False, Reason.REVOKED, claims)
    return Verification(True, Reason.OK, claims)
