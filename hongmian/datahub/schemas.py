"""API In/Out schemas of the data hub's sharing (decision 0081)."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from hongmian.datahub.services.sharing import PAGE_SIZE_MAX


class RowsFilterIn(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(100, ge=1, le=PAGE_SIZE_MAX)


class FieldMaskOut(Schema):
    name: str
    # keep | suppress | month | range | district | pseudonym (GB/T 37964 techniques)
    technique: str


class RowsOut(Schema):
    """One page of a dataset's rows as the caller's grant allows, masked by grade."""

    dataset: str
    count: int  # rows matching the grant's row filter, all pages
    page: int
    size: int
    fields: list[FieldMaskOut]
    quota_left: int | None  # rows left today under the grant's quota; null: no quota
    rows: list[dict[str, Any]]
