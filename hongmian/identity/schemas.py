"""API In/Out schemas of the identity app. Each lists its fields: never a whole model."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema


class OrgUnitRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    """The logged-in account as the shell needs it; the only personal datum is the account's
    own mobile, masked."""

    username: str
    display_name: str
    role: str
    role_label: str
    org_unit: OrgUnitRef | None
    elder_mode: bool
    language: str
    mobile_masked: str
    # The 实名认证等级 the account acts with (identity/assurance.py): 1–3.
    assurance_level: int


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    depth: int
    division_code: str
    has_children: bool


# A person's or an enterprise's id in the API: the opaque public id (decision 0074). Any
# short URL-safe text is let through so that a sequential number is simply not found.
PublicId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# The service context a hall or hotline role names when it opens a person (`booking:<id>`).
ServiceContextParam = Annotated[str, Field(min_length=1, max_length=40)]


class PersonOut(Schema):
    """A person as the caller may see them; the fields named in `masked` are masked. `id` is
    the opaque public id."""

    id: str
    name: str
    resident_id: str
    mobile: str
    address: str
    real_name_verified: bool
    # 1 L1 自助注册, 2 L2 身份证号+手机核验, 3 L3 线下或人脸核验 (identity/assurance.py).
    assurance_level: int
    masked: list[str]


class PersonCreateIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    resident_id: str = Field(min_length=1, max_length=32)
    mobile: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=200)


class EnterpriseOut(Schema):
    id: str
    name: str
    credit_code: str
    legal_representative: str
    contact_mobile: str
    address: str
    masked: list[str]


# --- person and enterprise files (decision 0044) -------------------------------------------


class FileRecordIn(Schema):
    """One value a department pushes. Name the subject by exactly one of resident_id (a
    person's field) or credit_code (an enterprise's); `field` is a key of the registry
    (GET /api/identity/files/fields); `as_of` is when the department's record was true."""

    resident_id: str = Field(default="", max_length=32)
    credit_code: str = Field(default="", max_length=32)
    field: str = Field(min_length=1, max_length=64)
    value: Any
    as_of: dt.datetime


class FilePushIn(Schema):
    batch_id: str = Field(min_length=1, max_length=64)
    records: list[FileRecordIn] = Field(min_length=1, max_length=1000)


class FilePushOut(Schema):
    batch_id: str
    records: int
    created: int
    updated: int
    stale: int
    replayed: bool


class FileFieldOut(Schema):
    key: str
    label: str
    subject: str
    group: str
    owner: str
    kind: str
    choices: list[str]
    item_keys: list[str]


class FileEntryOut(Schema):
    key: str
    label: str
    group: str
    value: str
    source: str
    as_of: dt.datetime
    updated_at: dt.datetime
    masked: bool


class AssuranceOut(Schema):
    level: int
    label: str
    method: str
    assured_at: dt.datetime | None


class MyFileOut(Schema):
    assurance: AssuranceOut
    fields: list[FileEntryOut]


class FileUseOut(Schema):
    used_at: dt.datetime
    reader: str
    requester: str
    purpose: str
    fields: list[str]


class FileUsePageIn(Schema):
    """Which page of the use log: bounded, so a wild number is a 422, not a slow query."""

    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class FileUsePageOut(Schema):
    count: int
    page: int
    per_page: int
    num_pages: int
    items: list[FileUseOut]


class ConsentIn(Schema):
    purpose: str = Field(min_length=1, max_length=100)
    requester: str = Field(min_length=1, max_length=200)
    fields: list[str] = Field(min_length=1, max_length=50)
    valid_until: dt.datetime | None = None


class ConsentOut(Schema):
    id: int
    purpose: str
    requester: str
    fields: list[str]
    granted_at: dt.datetime
    valid_until: dt.datetime
    revoked_at: dt.datetime | None
    active: bool


class IdPhoneCheckIn(Schema):
    resident_id: str = Field(min_length=1, max_length=32)
    mobile: str = Field(min_length=1, max_length=32)


class EnterpriseFileOut(Schema):
    id: str
    name: str
    fields: list[FileEntryOut]


class InPersonCheckIn(Schema):
    """A hall window's check: what the ID card reader read from the card's chip."""

    card_reading: str = Field(min_length=1, max_length=32)
    level: int = Field(ge=2, le=3)
