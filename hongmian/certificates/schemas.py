"""API In/Out of the certificates app. A certificate's content leaves only through
CertificateDetailOut, built from access_certificate (scoped, audited)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from hongmian.core.jws import MAX_TOKEN_CHARS
from hongmian.core.schemas import Moment


class JwkOut(Schema):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class JwkSetOut(Schema):
    """A JWK Set (RFC 7517 §5): every public key whose certificates may still be valid."""

    keys: list[JwkOut]


class RevokedOut(Schema):
    jti: uuid.UUID
    revoked_at: dt.datetime
    reason: str


class RevocationListOut(Schema):
    generated_at: dt.datetime
    revoked: list[RevokedOut]


class VerifyIn(Schema):
    # The compact text as scanned from the QR code or read from the file.
    certificate: str = Field(..., max_length=MAX_TOKEN_CHARS + 1000)


class VerifiedSummaryOut(Schema):
    cert_id: str | None = None
    type: str | None = None
    type_name: str | None = None
    issuer: str | None = None
    issuer_name: str | None = None
    issued_at: dt.datetime | None = None
    valid_until: dt.datetime | None = None


class VerifyOut(Schema):
    """`reason` is `ok` exactly when `valid`; else bad_format, unknown_key, bad_signature,
    unknown_type, not_yet_valid, expired or revoked. `certificate` is what the signature
    covers (none for bad_format, unknown_key and bad_signature)."""

    valid: bool
    reason: str
    certificate: VerifiedSummaryOut | None = None


class DataFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[str]


class CertificateTypeOut(Schema):
    code: str
    name: str
    issuer_unit: str
    holder: str
    validity_days: int | None
    fields: list[DataFieldOut]


class CertificateOut(Schema):
    """A certificate in a list: no content."""

    cert_id: uuid.UUID
    type: str
    type_name: str
    issuer_name: str
    issued_at: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    status: str


class CertificatePageOut(Schema):
    total: int
    page: int
    per_page: int
    num_pages: int
    items: list[CertificateOut]


class CertificatePageIn(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class CertificateDetailOut(CertificateOut):
    holder_name: str
    fields: list[list[str]]
    # The signed document, compact JWS (RFC 7515): what the QR code holds.
    token: str


class CertificateIssueIn(Schema):
    type: str = Field(..., max_length=32)
    # A resident ID number, a unified social credit code or a username.
    holder: str = Field(..., max_length=150)
    data: dict[str, Any]
    valid_from: Moment | None = None
    valid_until: Moment | None = None


class CertificateRevokeIn(Schema):
    reason: str = Field(..., max_length=32)
