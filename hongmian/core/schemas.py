"""API schemas of the kernel shared by every app."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext
from ninja import Schema
from pydantic import AfterValidator, Field

from hongmian.core.validators import DB_ID_MAX


class ErrorOut(Schema):
    """The body of every API error (core.api_errors): a stable `code` a client can rely on,
    a message for people, and what is wrong where (`fields`, empty when no field is at fault;
    `__all__` for the request as a whole)."""

    code: str
    message: str
    fields: dict[str, list[str]]


def _storable(value: dt.datetime) -> dt.datetime:
    """An aware moment in UTC; a naive one unchanged (whoever reads it decides its zone, the
    site's by default). Refused (422) when no database can hold it: PostgreSQL takes no
    offset past ±15:59 and neither database a moment outside years 1–9999 in UTC — both
    were a 500 at the query."""
    try:
        if timezone.is_naive(value):
            timezone.make_aware(value).astimezone(dt.UTC)
            return value
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError(gettext("超出可表示的时间范围")) from None


# A date and time an operation takes in: every app's In schemas use it for datetimes.
Moment = Annotated[dt.datetime, AfterValidator(_storable)]


# The id of a row, as an operation takes it in (path, query or body): 1 to the largest value
# of the bigint id column. Unbounded, an id past it was a 500 at the query (SQLite's
# OverflowError); bounded, it is a 422 naming the field, before any query runs.
DbId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
