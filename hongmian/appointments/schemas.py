"""API In/Out of the halls and bookings. A booking's Out names its person masked: the
person knows who they are, an agent reads the caller's name on the console."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from hongmian.core.schemas import DbId


class HallFilterIn(Schema):
    district: str | None = Field(None, pattern=r"^\d{9}$")
    level: str | None = None
    item: str | None = Field(None, max_length=64)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class HallOut(Schema):
    id: int
    code: str
    name: str
    level: str
    district: str
    address: str
    phone: str


class HallPageOut(Schema):
    count: int
    page: int
    per_page: int
    items: list[HallOut]


class SlotFilterIn(Schema):
    day: dt.date
    item: str | None = Field(None, max_length=64)


class SlotOut(Schema):
    id: int
    group: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    free: int


class DayOut(Schema):
    day: dt.date
    open: bool
    reason: str
    slots: list[SlotOut]


class BookingCreateIn(Schema):
    slot_id: DbId
    item: str = Field(min_length=1, max_length=64)
    # A hotline agent books for the caller: their mobile or ID number.
    caller_mobile: str = Field("", max_length=11)
    caller_resident_id: str = Field("", max_length=18)


class BookingRescheduleIn(Schema):
    slot_id: DbId


class BookingOut(Schema):
    id: int
    number: str
    status: str
    hall: str
    item_code: str
    item: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    held_until: dt.datetime | None
    person: str
    cancel_reason: str


class BookingPageOut(Schema):
    count: int
    page: int
    per_page: int
    items: list[BookingOut]


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)
