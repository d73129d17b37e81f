"""API In/Out of the city code app. A scan's answer carries only what the terminal's scope and
the person's consent allow; lists carry no personal data."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from hongmian.citycode.verification import MAX_PAYLOAD_CHARS
from hongmian.core.schemas import DbId, Moment


class JwkOut(Schema):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class RevokedKeyOut(Schema):
    kid: str
    revoked_at: dt.datetime


class CityCodeKeySetOut(Schema):
    """A JWK Set (RFC 7517 §5) of the keys whose codes may still be valid, and the revoked
    kids, which a verifier refuses even when an older set it holds still lists them."""

    keys: list[JwkOut]
    revoked: list[RevokedKeyOut]


class MyCodeOut(Schema):
    """The code to show now. `payload` is what the QR code holds (a compact JWS)."""

    payload: str
    issued_at: dt.datetime
    expires_at: dt.datetime


class ScanIn(Schema):
    # The text the terminal read from the QR code, as read.
    payload: str = Field(..., max_length=MAX_PAYLOAD_CHARS + 100)


class ShownAttributeOut(Schema):
    code: str
    name: str
    value: str
    valid_until: dt.datetime


class CheckInOut(Schema):
    """A hall terminal's check-in (签到): `code` is checkin.ok (with the ticket number),
    checkin.already (the ticket of today's earlier check-in), checkin.no_booking (a walk-in
    ticket at the desk), or the queue's refusal (appointment.checkin_too_early …)."""

    code: str
    message: str
    ticket: str | None = None


class MemberStatusOut(Schema):
    member_id: int
    name: str | None = None
    valid: bool
    attributes: dict[str, str]


class CollectiveOut(Schema):
    """A collective code's members: true counts; at most 100 listed, each within consent."""

    name: str
    total: int
    valid: int
    invalid: int
    members: list[MemberStatusOut]


class ScanOut(Schema):
    """`reason` is `ok` exactly when `valid`; else malformed, bad_signature, unknown_key,
    revoked_key, expired, not_yet_valid, unknown_code or replayed. `name`, `masked_id` and
    `attributes` appear only when the terminal's scope and the person's consent allow.
    A hall terminal's valid scan also checks the person in (`checkin`) and links the
    staff's 码上办 desk (`desk_url`); a collective code's scan answers `collective`."""

    valid: bool
    reason: str
    scan_id: int
    scanned_at: dt.datetime
    name: str | None = None
    masked_id: str | None = None
    attributes: list[ShownAttributeOut] = []
    checkin: CheckInOut | None = None
    desk_url: str | None = None
    collective: CollectiveOut | None = None


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class TerminalOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    owner_unit: str
    place_name: str
    latitude: float
    longitude: float
    is_enabled: bool
    identity_fields: list[str]


class TerminalPageOut(Schema):
    total: int
    page: int
    per_page: int
    num_pages: int
    items: list[TerminalOut]


class ScanRowOut(Schema):
    id: int
    scanned_at: dt.datetime
    result: str
    code_id: str


class ScanPageOut(Schema):
    total: int
    page: int
    per_page: int
    num_pages: int
    items: list[ScanRowOut]


class AttributeSetIn(Schema):
    resident_id: str = Field(..., min_length=15, max_length=18)
    type: str = Field(..., min_length=1, max_length=40)
    value: str = Field(..., min_length=1, max_length=40)
    valid_until: Moment | None = None


class AttributeOut(Schema):
    id: DbId
    type: str
    type_name: str
    value: str
    status: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    set_by_unit: str


class CollectiveRowOut(Schema):
    id: int
    name: str
    owner: str


class CollectivePageOut(Schema):
    total: int
    page: int
    per_page: int
    num_pages: int
    items: list[CollectiveRowOut]


class MembersIn(PageIn):
    # invited, active, declined or left; empty for all.
    status: str = Field("", max_length=16)


class MemberRowOut(Schema):
    """A member as the organisation sees them: the ID number masked; `attributes` only the
    types they consented to share (none unless active)."""

    id: int
    name: str
    masked_id: str
    status: str
    valid: bool
    attributes: dict[str, str]


class MemberPageOut(Schema):
    total: int
    page: int
    per_page: int
    num_pages: int
    counts: dict[str, int]
    items: list[MemberRowOut]
