"""Offline verification of a city code: a pure function of the payload, the published key set
and the time — `citycode_verify(payload, keys, at)` answers (valid, reason) with the stable
reasons of states.Reason. A terminal without a network does exactly this with the JWK Set it
last fetched from /api/citycode/keys.json; the server's scan API does the same with its own.

Speed (bench/citycode/run.py, docs/decisions/0062): the key set is parsed ONCE into
`cryptography` public-key objects (`KeySet.from_jwks`); the signature is checked by the
house's one JWS verifier (core/jws.py), with no JOSE library object built per call.

The payload is a compact JWS (RFC 7515), ES256, header {"alg","kid","typ":"hm-cc"}, claims:

    sub  the person's code id (random, re-issuable; never the ID number, name or phone)
    iat  issued at, seconds since the epoch
    exp  expires at (iat + HONGMIAN_CITYCODE_TTL_SECONDS, 60 by default)
    jti  a random nonce: this one displayed code

Registered JWT claim names (RFC 7519), three letters each: short for the QR code, and what any
JWT library already checks (exp, iat)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hongmian.citycode.states import TOKEN_TYPE, Reason
from hongmian.core.jws import (
    BAD_SIGNATURE,
    UNKNOWN_KEY,
    PublicKey,
    TokenRejected,
    jwk_public_key,
    jws_unverified_header,
    jws_verify,
)

# A payload longer than this is not a city code (the QR code holds ~300 characters): refused
# before any decoding.
MAX_PAYLOAD_CHARS = 1_024
# A terminal's clock may run a little ahead of the platform's: a code issued "in the future"
# by up to this many seconds is still valid. Expiry has no such grace: 60 s is the promise.
CLOCK_SKEW_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer: `reason` is Reason.OK exactly when `valid`. `claims` are the signed content
    once the signature checked out (empty otherwise)."""

    valid: bool
    reason: str
    claims: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": str(self.reason)}


@dataclass(frozen=True, slots=True)
class KeySet:
    """A published key set, parsed: kid → public key, and the revoked kids."""

    keys: Mapping[str, PublicKey]
    revoked: frozenset[str] = frozenset()

    @classmethod
    def from_jwks(cls, document: Mapping[str, Any]) -> KeySet:
        """Parse keys.json (a JWK Set with a `revoked` list). Keys that are not ES256 P-256
        public keys are skipped: what they signed answers `unknown_key`."""
        keys: dict[str, PublicKey] = {}
        for jwk in document.get("keys") or ():
            key = jwk_public_key(jwk)
            if key is not None and isinstance(jwk.get("kid"), str):
                keys[jwk["kid"]] = key
        revoked = frozenset(
            str(row["kid"])
            for row in document.get("revoked") or ()
            if isinstance(row, Mapping) and isinstance(row.get("kid"), str)
        )
        return cls(keys={k: v for k, v in keys.items() if k not in revoked}, revoked=revoked)


def _seconds(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def payload_kid(payload: Any) -> str | None:
    """The kid a payload's header names (unverified), to find a key this process lacks."""
    kid = jws_unverified_header(payload, max_chars=MAX_PAYLOAD_CHARS).get("kid")
    return kid if isinstance(kid, str) else None


def payload_typ(payload: Any) -> str | None:
    """The JWS type a payload's header names (unverified): which verification applies (a
    person's code, or a collective code); the signature check then holds it to that type."""
    typ = jws_unverified_header(payload, max_chars=MAX_PAYLOAD_CHARS).get("typ")
    return typ if isinstance(typ, str) else None


def citycode_verify(
    payload: Any, keys: KeySet, at: dt.datetime | float, typ: str = TOKEN_TYPE
) -> Verification:
    """Whether `payload` is a valid city code at `at` (an aware datetime or a POSIX time),
    with `keys` alone. Never raises for any input: every refusal is a reason. `typ`: a
    person's code (hm-cc) unless a collective code (hm-cc-group) is what is checked."""
    try:
        verified = jws_verify(payload, keys.keys.get, typ=typ, max_chars=MAX_PAYLOAD_CHARS)
    except TokenRejected as rejected:
        if rejected.reason == UNKNOWN_KEY:
            revoked = payload_kid(payload) in keys.revoked
            return Verification(False, Reason.REVOKED_KEY if revoked else Reason.UNKNOWN_KEY)
        if rejected.reason == BAD_SIGNATURE:
            return Verification(False, Reason.BAD_SIGNATURE)
        return Verification(False, Reason.MALFORMED)
    claims = verified.claims
    iat, exp = _seconds(claims.get("iat")), _seconds(claims.get("exp"))
    sub, jti = claims.get("sub"), claims.get("jti")
    if iat is None or exp is None or not isinstance(sub, str) or not isinstance(jti, str):
        return Verification(False, Reason.MALFORMED, claims)
    now = at.timestamp() if isinstance(at, dt.datetime) else float(at)
    if now + CLOCK_SKEW_SECONDS < iat:
        return Verification(False, Reason.NOT_YET_VALID, claims)
    if now >= exp:
        return Verification(False, Reason.EXPIRED, claims)
    return Verification(True, Reason.OK, claims)
