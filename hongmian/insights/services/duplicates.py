"""并单候选 on the platform's orders, between the algorithm (analysis/duplicates.py, which
knows nothing of the database) and the screens: `duplicate_candidates(order)` for the order
page, `draft_duplicate_candidates(...)` for the console before 受理, `duplicate_groups(now)`
for the board. Reads only; the centre merges with the
hotline's `lifecycle_closing.work_order_merge`.

The caller's phone is read only to say "同一诉求人"; it is never stored here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext

from hongmian.geo.address import parse_address
from hongmian.geo.selectors import gazetteer
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import RequestType, Status
from hongmian.insights.analysis import duplicates
from hongmian.insights.analysis.textsim import order_text

# Orders that may still be merged (the same statuses the merge service takes).
MERGEABLE = (Status.RECEIVED, Status.DISPATCHED, Status.ACKNOWLEDGED)
# The newest this many orders of the window are compared; older ones are rarely merged.
POOL_LIMIT = 500
# Recent orders whose texts only teach TF-IDF which words are common (textsim.tfidf).
BACKGROUND_LIMIT = 300
_LIST_RELATED = ("category", "lead_unit")


def say(reasons: Iterable[str]) -> tuple[str, ...]:
    """The analysis's reasons in the active language (its `Reason`s carry their template)."""
    return tuple(
        gettext(r.template).format(**r.params) if isinstance(r, duplicates.Reason) else r
        for r in reasons
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open order that may report the same problem (并单候选)."""

    order: WorkOrder
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DuplicateRow:
    order: WorkOrder
    # None for the suggested master (the oldest order of the group).
    score: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    rows: list[DuplicateRow]
    area: str

    @property
    def orders(self) -> list[WorkOrder]:
        return [r.order for r in self.rows]


def _item(order: WorkOrder, names: dict[str, str]) -> duplicates.Item:
    return duplicates.Item(
        key=order.pk,
        text=order_text(order.title, order.content),
        at=order.created_at,
        district=order.district_code,
        street=order.street_code,
        latitude=float(order.latitude) if order.latitude is not None else None,
        longitude=float(order.longitude) if order.longitude is not None else None,
        address=duplicates.address_core(order.address, names.values()),
        numbers=duplicates.identifiers(order.title, order.address),
        caller=order.caller_phone,
        per_caller=order.request_type == RequestType.INQUIRY,
    )


def _place_names() -> dict[str, str]:
    return {code: entry.name for code, entry in gazetteer().by_code.items()}


def _background(exclude: Iterable[int] = ()) -> list[str]:
    rows = (
        WorkOrder.objects.exclude(pk__in=list(exclude))
        .order_by("-created_at", "-id")
        .values_list("title", "content")[:BACKGROUND_LIMIT]
    )
    return [order_text(title, content) for title, content in rows]


def duplicate_candidates(order: WorkOrder, *, limit: int = 5) -> list[Candidate]:
    """Open orders within the merge window that may report what `order` reports, best first
    (analysis/duplicates.py). Callers show them to the centre, who merges with
    `lifecycle_closing.work_order_merge`. Two queries."""
    window = dt.timedelta(days=duplicates.WINDOW_DAYS)
    pool = WorkOrder.objects.filter(
        status__in=MERGEABLE,
        created_at__gte=order.created_at - window,
        created_at__lte=order.created_at + window,
    ).exclude(pk=order.pk)
    if order.district_code and order.latitude is None:
        # Another known district cannot score (duplicates.place_affinity): not worth reading.
        pool = pool.filter(district_code__in=(order.district_code, ""))
    orders = list(pool.select_related(*_LIST_RELATED).order_by("-created_at", "-id")[:POOL_LIMIT])
    if not orders:
        return []
    by_pk = {o.pk: o for o in orders}
    names = _place_names()
    matches = duplicates.candidates(
        _item(order, names),
        [_item(o, names) for o in orders],
        limit=limit,
        names=names,
        background=_background(exclude=[order.pk, *by_pk]),
    )
    return [Candidate(by_pk[int(m.key)], m.score, say(m.reasons)) for m in matches]


def draft_duplicate_candidates(
    *,
    title: str,
    content: str,
    address: str = "",
    caller_phone: str = "",
    request_type: str = "",
    at: dt.datetime,
    limit: int = 5,
) -> list[Candidate]:
    """并单候选 for a request still being typed (the console, before 受理): the same scoring
    as `duplicate_candidates`, for an unsaved order made of what is typed so far, taken at
    `at`. The address is read as the intake would read it (district and street)."""
    parsed = parse_address(address) if address.strip() else None
    draft = WorkOrder(
        title=title.strip(),
        content=content.strip(),
        address=address.strip(),
        caller_phone=caller_phone.strip(),
        request_type=request_type,
        created_at=at,
        district_code=parsed.district.code if parsed and parsed.district else "",
        street_code=parsed.street.code if parsed and parsed.street else "",
    )
    return duplicate_candidates(draft, limit=limit)


def duplicate_groups(now: dt.datetime, *, limit: int = 50) -> list[DuplicateGroup]:
    """并单候选 for the board: open orders of the last merge window joined by duplicate
    pairs, the largest groups first, the oldest order of each first (the suggested master).
    Two queries."""
    since = now - dt.timedelta(days=duplicates.WINDOW_DAYS)
    orders = list(
        WorkOrder.objects.filter(status__in=MERGEABLE, created_at__gte=since)
        .select_related(*_LIST_RELATED)
        .order_by("-created_at", "-id")[:POOL_LIMIT]
    )
    if len(orders) < 2:
        return []
    by_pk = {o.pk: o for o in orders}
    names = _place_names()
    found = duplicates.groups(
        [_item(o, names) for o in orders],
        names=names,
        background=_background(exclude=list(by_pk)),
    )
    out = []
    for group in found[:limit]:
        rows = [
            DuplicateRow(
                by_pk[int(item.key)],
                match.score if match else None,
                say(match.reasons) if match else (),
            )
            for item, match in group
        ]
        master = rows[0].order
        code = master.street_code or master.district_code
        out.append(DuplicateGroup(rows, names.get(code, "") if code else ""))
    return out
