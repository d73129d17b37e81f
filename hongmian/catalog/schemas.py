"""API In/Out schemas of the catalogue."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from hongmian.core.schemas import DbId


class UnitRef(Schema):
    id: int
    name: str


class LifeEventRef(Schema):
    slug: str
    name: str


class CertificateTypeOut(Schema):
    code: str
    name: str


class MaterialOut(Schema):
    name: str
    form: str
    source: str
    copies: int
    required: bool
    note: str
    certificate_types: list[CertificateTypeOut]


class ServiceItemOut(Schema):
    """An item in a list: what a citizen needs to pick it."""

    code: str
    name: str
    department: UnitRef
    main_item: str | None
    item_type: str
    item_type_label: str
    level: str
    online_depth: int
    legal_limit_days: int | None
    promised_limit_days: int | None
    charges_fee: bool
    appointment_required: bool
    code_service: bool
    audiences: list[str]
    required_level: int


class AvailabilityOut(Schema):
    allowed: bool
    code: str
    reason: str
    user_level: int
    required_level: int


class ServiceItemDetailOut(ServiceItemOut):
    """One item with every element of the standard; `deadline_if_applied_today` is counted
    in working days of the business calendar; `availability` answers for the caller."""

    summary: str
    conditions: str
    fee_note: str
    channels: list[str]
    partner_cities: list[str]
    materials: list[MaterialOut]
    life_events: list[LifeEventRef]
    status: str
    revision: int
    valid_from: dt.date | None
    valid_until: dt.date | None
    published_at: dt.datetime | None
    deadline_if_applied_today: dt.date | None
    availability: AvailabilityOut


class ServiceItemPageOut(Schema):
    """One page of items; `total` counts every match."""

    total: int
    page: int
    per_page: int
    num_pages: int
    items: list[ServiceItemOut]


class ItemFilterIn(Schema):
    department_id: DbId | None = None
    item_type: str | None = None
    level: str | None = None
    life_event: str | None = None
    audience: str | None = None
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class LifeEventOut(Schema):
    slug: str
    name: str
    audience: str
    description: str
    served_items: int


class MaterialIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    form: str = "original"
    source: str = "applicant"
    copies: int = Field(1, ge=1, le=99)
    required: bool = True
    note: str = ""
    certificate_codes: list[str] = []


class ItemContentIn(Schema):
    """The versioned elements of an item; on update only the fields sent change."""

    name: str | None = Field(default=None, max_length=200)
    item_type: str | None = None
    level: str | None = None
    summary: str | None = None
    conditions: str | None = None
    legal_limit_days: int | None = Field(default=None, ge=0, le=3650)
    promised_limit_days: int | None = Field(default=None, ge=0, le=3650)
    charges_fee: bool | None = None
    fee_note: str | None = None
    online_depth: int | None = Field(default=None, ge=1, le=4)
    channels: list[str] | None = None
    appointment_required: bool | None = None
    partner_cities: list[str] | None = None
    code_service: bool | None = None
    for_persons: bool | None = None
    for_enterprises: bool | None = None
    required_level: int | None = Field(default=None, ge=1, le=3)
    materials: list[MaterialIn] | None = None
    effective_from: dt.date | None = None


class ItemCreateIn(ItemContentIn):
    department_id: DbId
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class ItemReviewIn(Schema):
    note: str = ""


class ItemRetireIn(Schema):
    reason: str = ""
