"""Links from a figure to the orders behind it: the staff order list (工单查询,
`hotline:search`) with the figure's own filters, so that a reader who clicks "已超时 12" sees
those twelve orders.

The list's filters are the hotline's contract (docs/hotline.md, "工单查询"): every filter the
dashboard uses is named in FILTERS, and `order_list_url` refuses any other, so that a typo
fails in a test instead of silently widening the list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils.http import urlencode

# The order list's GET filters (hotline:search). A value may be a list (repeated parameter).
FILTERS = (
    "status",  # a Status value (repeatable) or a group: open, with_unit, finished
    "category",  # Category pk, its descendants included
    "district",  # 9-digit district code (440106000)
    "unit",  # OrgUnit pk (the lead unit)
    "light",  # the time-limit light: green, yellow, red
    "overdue",  # 1: a running clock is past its due time
    "tag",  # enterprise, emergency
    "from",  # received on or after (YYYY-MM-DD)
    "to",  # received on or before (YYYY-MM-DD), inclusive
    "satisfaction",  # a Satisfaction value (repeatable)
    "sort",
)

Value = str | int | bool | dt.date | Iterable[str]


def order_list_url(**filters: Value | None) -> str:
    """`/hotline/search/?status=open&district=440106000`: the order list narrowed by
    `filters` (FILTERS; `from` is spelled `from_` in Python). None leaves a filter out; a
    list repeats it; dates are written YYYY-MM-DD; True is 1. Parameters keep FILTERS' order,
    so that the same figure always gets the same link."""
    given = {key.rstrip("_"): value for key, value in filters.items()}
    unknown = sorted(set(given) - set(FILTERS))
    if unknown:
        raise TypeError(f"order_list_url: unknown filters {unknown}")
    query: list[tuple[str, str]] = []
    for key in FILTERS:
        value = given.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            query.append((key, "1" if value else "0"))
        elif isinstance(value, str | int | dt.date):
            query.append((key, value.isoformat() if isinstance(value, dt.date) else str(value)))
        else:
            query.extend((key, str(v)) for v in value)
    url = reverse("hotline:search")
    return f"{url}?{urlencode(query)}" if query else url


__all__ = ["FILTERS", "order_list_url"]
