"""API In/Out schemas of life-event bundles (一件事一次办, decision 0068)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from hongmian.applications.definitions import MAX_FIELDS
from hongmian.applications.schemas import Answer, FieldKey
from hongmian.applications.services.bundles import MAX_PARTS

ItemCode = FieldKey


class BundleStartIn(Schema):
    life_event: str = Field(min_length=1, max_length=50)
    # The district unit's code where the district items are handled (GET the start page's
    # choices: GET /api/bundles/offers); omitted when every part is a city item.
    place: str | None = Field(None, max_length=64)


class BundleAnswersIn(Schema):
    # Asked once, sent to every part that asks it.
    shared: dict[FieldKey, Answer] = Field(default_factory=dict, max_length=MAX_FIELDS * 2)
    # Item code → that part's own answers.
    parts: dict[ItemCode, dict[FieldKey, Answer]] = Field(
        default_factory=dict, max_length=MAX_PARTS
    )


class BundlePartOut(Schema):
    position: int
    id: int
    number: str
    item_code: str
    item_name: str
    department: str
    status: str
    status_label: str
    reason: str
    result_note: str
    due_at: dt.datetime | None


class BundleOut(Schema):
    id: int
    number: str
    life_event: str
    name: str
    place: str | None
    # Derived from the parts (bundle_states.BundleStatus).
    status: str
    status_label: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdraw_reason: str
    parts: list[BundlePartOut]


class BundleOfferOut(Schema):
    life_event: str
    name: str
    items: list[str]
    # The places (unit code, name) to choose from; empty when none is needed.
    places: list[dict[str, str]]
