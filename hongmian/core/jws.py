"""Compact JWS (RFC 7515) ES256 verification for every signed thing of the house: the
keyring's own tokens (e-certificates, cross-city packages), a partner platform's, and a city
code checked offline against a published key set.

One implementation, fast on purpose: public keys are `cryptography` objects parsed once
(`jwk_public_key`, `jwks_public_keys`); a verification is a regular expression, two small
base64/JSON decodes and one ECDSA P-256 verify — no JOSE library object is built per call
(joserfc's per-call objects cost about a third of the time; decisions 0052 and 0062). Only
ES256 is accepted, so a token naming "none" or HS256 never verifies.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ALGORITHM = "ES256"
CURVE = "P-256"
# Stable reasons a token is refused (an app maps them to its own words).
BAD_FORMAT = "bad_format"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
# A compact JWS longer than this is refused before any parsing (a QR code holds < 3 KB).
MAX_TOKEN_CHARS = 16_000

PublicKey = ec.EllipticCurvePublicKey
_COMPACT = re.compile(r"^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$")
_ECDSA = ec.ECDSA(hashes.SHA256())


class TokenRejected(Exception):
    """The token is not a valid signature; `reason` is one of the stable codes above."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Verified:
    """A token whose signature checked out: its protected header and JSON payload."""

    kid: str
    header: dict[str, Any]
    claims: dict[str, Any]


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_object(part: str) -> dict[str, Any] | None:
    try:
        value = json.loads(_b64(part))
    except (ValueError, binascii.Error):
        return None
    return value if isinstance(value, dict) else None


def jwk_public_key(jwk: Any) -> PublicKey | None:
    """An ES256 P-256 public JWK as a key object; None for anything else (a private JWK
    too: a key set must not carry one, and what it would sign is then an unknown key)."""
    if not isinstance(jwk, Mapping) or "d" in jwk:
        return None
    if jwk.get("kty") != "EC" or jwk.get("crv") != CURVE or jwk.get("alg", ALGORITHM) != ALGORITHM:
        return None
    try:
        x, y = (int.from_bytes(_b64(str(jwk[c])), "big") for c in ("x", "y"))
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError, binascii.Error):
        return None


def jwks_public_keys(jwks: Any) -> dict[str, PublicKey]:
    """The ES256 public keys of a JWK Set (RFC 7517 §5) by kid, others skipped; ValueError
    when the document is not a JWK Set at all."""
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise ValueError("not a JWK Set")
    out: dict[str, PublicKey] = {}
    for entry in keys:
        kid = entry.get("kid") if isinstance(entry, Mapping) else None
        key = jwk_public_key(entry)
        if isinstance(kid, str) and kid and key is not None:
            out[kid] = key
    return out


def jws_unverified_header(token: Any, *, max_chars: int = MAX_TOKEN_CHARS) -> dict[str, Any]:
    """The protected header, NOT verified (to find which key to fetch); {} when unreadable."""
    if not isinstance(token, str) or len(token) > max_chars:
        return {}
    return _json_object(token.strip().split(".", 1)[0]) or {}


def jws_verify(
    token: Any,
    key_for: Callable[[str], PublicKey | None],
    *,
    typ: str | None = None,
    max_chars: int = MAX_TOKEN_CHARS,
) -> Verified:
    """`token` verified with the key `key_for(kid)` names; raises TokenRejected(bad_format |
    unknown_key | bad_signature). With `typ`, a header of another type is bad_format before
    any key is looked up. Says nothing about the claims (validity dates, revocation): the
    owning app checks those."""
    if not isinstance(token, str) or len(token) > max_chars:
        raise TokenRejected(BAD_FORMAT)
    match = _COMPACT.match(token.strip())
    if match is None:
        raise TokenRejected(BAD_FORMAT)
    head, body, signature = match.groups()
    header = _json_object(head)
    if header is None or header.get("alg") != ALGORITHM:
        raise TokenRejected(BAD_FORMAT)
    if typ is not None and header.get("typ") != typ:
        raise TokenRejected(BAD_FORMAT)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected(UNKNOWN_KEY)
    key = key_for(kid)
    if key is None:
        raise TokenRejected(UNKNOWN_KEY)
    try:
        raw = _b64(signature)
    except (ValueError, binascii.Error):
        raise TokenRejected(BAD_FORMAT) from None
    if len(raw) != 64:
        raise TokenRejected(BAD_SIGNATURE)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{head}.{body}".encode("ascii"), _ECDSA)
    except InvalidSignature:
        raise TokenRejected(BAD_SIGNATURE) from None
    claims = _json_object(body)
    if claims is None:
        raise TokenRejected(BAD_FORMAT)
    return Verified(kid=kid, header=header, claims=claims)
