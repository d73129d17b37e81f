"""Offline verification of a city code: a pure function of the payload, the published key set
and the time — `citycode_verify(payload, keys, at)` answers (valid, reason) with the stable
reasons of states.Reason. A terminal without a network does exactly this with the JWK Set it
last fetched from /api/citycode/keys.json; the server's scan API does the same with its own.

Speed (bench/citycode/run.py, docs/decisions/0062): the key set is parsed ONCE into
`cryptography` public-key objects (`KeySet.from_jwks`); a verification then is a regular
expression, two small base64/JSON decodes and one ECDSA P-256 verify, with no JOSE library
object built per call.

The payload is a compact JWS (RFC 7515), ES256, header {"alg","kid","typ":"hm-cc"}, claims:

    sub  the person's code id (random, re-issuable; never the ID number, name or phone)
    iat  issued at, seconds since the epoch
    exp  expires at (iat + HONGMIAN_CITYCODE_TTL_SECONDS, 60 by default)
    jti  a random nonce: this one displayed code

Registered JWT claim names (RFC 7519), three letters each: short for the QR code, and what any
JWT library already checks (exp, iat)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from hongmian.citycode.states import TOKEN_TYPE, Reason

# A city code is a few hundred characters; anything much longer is not one (and is refused
# before any decoding).
MAX_PAYLOAD_CHARS = 1_024
# A terminal's clock may run a little ahead of the platform's: a code issued "in the future"
# by up to this many seconds is still valid. Expiry has no such grace: 60 s is the promise.
CLOCK_SKEW_SECONDS = 5
_COMPACT = re.compile(r"^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$")
_ECDSA = ec.ECDSA(hashes.SHA256())


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

    keys: Mapping[str, ec.EllipticCurvePublicKey]
    revoked: frozenset[str] = frozenset()

    @classmethod
    def from_jwks(cls, document: Mapping[str, Any]) -> KeySet:
        """Parse keys.json (a JWK Set with a `revoked` list). Keys that are not ES256 P-256
        public keys are skipped: what they signed answers `unknown_key`."""
        keys: dict[str, ec.EllipticCurvePublicKey] = {}
        for jwk in document.get("keys") or ():
            key = _public_key(jwk)
            if key is not None:
                keys[str(jwk["kid"])] = key
        revoked = frozenset(
            str(row["kid"])
            for row in document.get("revoked") or ()
            if isinstance(row, Mapping) and isinstance(row.get("kid"), str)
        )
        return cls(keys={k: v for k, v in keys.items() if k not in revoked}, revoked=revoked)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _public_key(jwk: Any) -> ec.EllipticCurvePublicKey | None:
    if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kid"), str):
        return None
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or jwk.get("alg", "ES256") != "ES256":
        return None
    try:
        x, y = (int.from_bytes(_b64(str(jwk[c])), "big") for c in ("x", "y"))
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError, binascii.Error):
        return None


def _seconds(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _json_object(part: str) -> dict[str, Any] | None:
    try:
        value = json.loads(_b64(part))
    except (ValueError, binascii.Error):
        return None
    return value if isinstance(value, dict) else None


def _header(payload: Any) -> dict[str, Any] | None:
    head = (
        payload.split(".", 1)[0]
        if isinstance(payload, str) and len(payload) <= MAX_PAYLOAD_CHARS
        else ""
    )
    return _json_object(head) if head else None


def payload_kid(payload: Any) -> str | None:
    """The kid a payload's header names (unverified), to find a key this process lacks."""
    header = _header(payload)
    kid = header.get("kid") if header else None
    return kid if isinstance(kid, str) else None


def payload_typ(payload: Any) -> str | None:
    """The JWS type a payload's header names (unverified): which verification applies (a
    person's code, or a collective code); the signature check then holds it to that type."""
    header = _header(payload)
    typ = header.get("typ") if header else None
    return typ if isinstance(typ, str) else None


def citycode_verify(
    payload: Any, keys: KeySet, at: dt.datetime | float, typ: str = TOKEN_TYPE
) -> Verification:
    """Whether `payload` is a valid city code at `at` (an aware datetime or a POSIX time),
    with `keys` alone. Never raises for any input: every refusal is a reason. `typ`: a
    person's code (hm-cc) unless a collective code (hm-cc-group) is what is checked."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_CHARS:
        return Verification(False, Reason.MALFORMED)
    match = _COMPACT.match(payload.strip())
    if match is None:
        return Verification(False, Reason.MALFORMED)
    head, body, signature = match.groups()
    header = _json_object(head)
    if header is None or header.get("alg") != "ES256" or header.get("typ") != typ:
        return Verification(False, Reason.MALFORMED)
    kid = header.get("kid")
    if not isinstance(kid, str):
        return Verification(False, Reason.MALFORMED)
    if kid in keys.revoked:
        return Verification(False, Reason.REVOKED_KEY)
    key = keys.keys.get(kid)
    if key is None:
        return Verification(False, Reason.UNKNOWN_KEY)
    try:
        raw = _b64(signature)
    except (ValueError, binascii.Error):
        return Verification(False, Reason.MALFORMED)
    if len(raw) != 64:
        return Verification(False, Reason.BAD_SIGNATURE)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{head}.{body}".encode("ascii"), _ECDSA)
    except InvalidSignature:
        return Verification(False, Reason.BAD_SIGNATURE)
    claims = _json_object(body)
    if claims is None:
        return Verification(False, Reason.MALFORMED)
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
