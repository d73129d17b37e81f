"""API In/Out schemas of applications. The answers are the applicant's own data: shown to
the applicant and to the reviewing department only (selectors.access_application)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from hongmian.applications.definitions import MAX_FIELDS, MAX_TEXTAREA
from hongmian.applications.services.lifecycle import (
    CORRECTION_MAX,
    MAX_CORRECTIONS,
    REASON_MAX,
)

FieldKey = Annotated[str, Field(max_length=100)]
Answer = Annotated[str, Field(max_length=MAX_TEXTAREA)]


class ApplicationCreateIn(Schema):
    item_code: str = Field(min_length=1, max_length=64)
    answers: dict[FieldKey, Answer] = Field(default_factory=dict, max_length=MAX_FIELDS * 2)


class ApplicationAnswersIn(Schema):
    answers: dict[FieldKey, Answer] = Field(max_length=MAX_FIELDS * 2)


class ApplicationReviewIn(Schema):
    act: str = Field(max_length=20)
    reason: str = Field("", max_length=REASON_MAX)
    note: str = Field("", max_length=REASON_MAX)
    corrections: list[Annotated[str, Field(max_length=CORRECTION_MAX)]] = Field(
        default_factory=list, max_length=MAX_CORRECTIONS
    )


class ApplicationFilterIn(Schema):
    status: str | None = Field(None, max_length=20)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class FormFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[str]
    value: str
    # Where a pre-filled value came from (department, date), and the applicant's statement.
    source: str | None
    source_as_of: dt.datetime | None
    corrected: bool
    file_value: str | None


class MaterialOut(Schema):
    material_id: int
    name: str
    required: bool
    mode: str | None
    file_name: str
    content_type: str
    size: int
    sha256: str
    source_application: str | None
    certificate_ref: str


class ApplicationOut(Schema):
    id: int
    number: str
    item_code: str
    item_name: str
    department: str
    status: str
    status_label: str
    fields: list[FormFieldOut]
    materials: list[MaterialOut]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    due_at: dt.datetime | None
    light: str
    corrections: list[str]
    reason: str


class ApplicationSummaryOut(Schema):
    id: int
    number: str
    item_code: str
    item_name: str
    status: str
    status_label: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    light: str


class ApplicationPageOut(Schema):
    """One page of the caller's applications; `total` counts every match."""

    total: int
    page: int
    per_page: int
    num_pages: int
    items: list[ApplicationSummaryOut]
