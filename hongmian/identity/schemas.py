"""API In/Out schemas of the identity app. Each lists its fields: never a whole model."""

from __future__ import annotations

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


class PersonOut(Schema):
    """A person as the caller may see them; the fields named in `masked` are masked."""

    id: int
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
    id: int
    name: str
    credit_code: str
    legal_representative: str
    contact_mobile: str
    address: str
    masked: list[str]
