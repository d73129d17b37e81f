"""API In/Out schemas of the knowledge app."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from hongmian.core.schemas import DbId
from hongmian.knowledge.states import Audience


class SearchHitOut(Schema):
    article_id: int
    title: str
    snippet: str
    score: float
    owning_unit: str
    audience: str
    category_codes: list[str]


class UnitRef(Schema):
    id: int
    name: str


class ArticleOut(Schema):
    """The article as served; its writers and reviewers also get `pending` (the version
    waiting to replace it) through ArticleDetailOut."""

    id: int
    title: str
    body: str
    category_codes: list[str]
    owning_unit: UnitRef
    audience: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    status: str
    revision: int
    published_at: dt.datetime | None
    external_id: str


class VersionOut(Schema):
    number: int
    state: str
    title: str
    body: str
    category_codes: list[str]
    audience: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_note: str
    published_at: dt.datetime | None


class ArticleDetailOut(ArticleOut):
    # Empty for readers; every version, newest first, for the article's writers and
    # reviewers.
    versions: list[VersionOut]


class ArticleCreateIn(Schema):
    owning_unit_id: DbId
    title: str = Field(max_length=200)
    body: str
    category_codes: list[str] = []
    audience: Audience = Audience.PUBLIC
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    external_id: str = Field(default="", max_length=64)


class ArticleUpdateIn(Schema):
    """Only the fields sent are changed; send null for a date to clear it."""

    title: str | None = Field(default=None, max_length=200)
    body: str | None = None
    category_codes: list[str] | None = None
    audience: Audience | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class ArticleReviewIn(Schema):
    note: str = ""


class ArticleRetireIn(Schema):
    reason: str = ""


class ArticleUsedIn(Schema):
    order_ref: str = Field(min_length=1, max_length=64)


class ArticleUsageOut(Schema):
    id: int
    article_id: int
    revision: int
    order_ref: str
    used_at: dt.datetime
