"""并单候选 on the platform's orders, between the algorithm (analysis/duplicates.py, which
knows nothing of the database) and the screens: `duplicate_candidates(order)` for the order
page, `draft_duplicate_candidates(...)` for the console before 受理 (both scored on
request: one order against a pool), and the board's groups, which score every pair of the
pool and so are computed by the periodic job (decision 0049): `duplicate_groups(now)` finds
them, `duplicate_scan(*, actor)` stores them, `duplicate_groups_stored(limit=…)` reads the
latest scan's groups whose orders are still open, and `duplicate_groups_forget(*, actor,
order_ids)` drops the groups of orders just merged. The centre merges with the hotline's
`lifecycle_closing.work_order_merge`, which calls the last one through its insights_hook.

The caller's phone is read only to say "同一诉求人"; it is never stored here."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied
from hongmian.geo.address import parse_address
from hongmian.geo.selectors import gazetteer
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import RequestType, Status
from hongmian.insights import permissions
from hongmian.insights.analysis import duplicates
from hongmian.insights.analysis.textsim import order_text
from hongmian.insights.models import DuplicateScan, DuplicateScanGroup, DuplicateScanMember

# Orders that may still be merged (the same statuses the merge service takes).
MERGEABLE = (Status.RECEIVED, Status.DISPATCHED, Status.ACKNOWLEDGED)
# The newest this many orders of the window are compared; older ones are rarely merged.
POOL_LIMIT = 500
# Recent orders whose texts only teach TF-IDF which words are common (textsim.tfidf).
BACKGROUND_LIMIT = 300
_LIST_RELATED = ("category", "lead_unit")
# The advisory lock that keeps two scans from replacing each other's snapshot half-way
# ("DUPSCAN!" in ASCII).
SCAN_LOCK_KEY = 0x44555053434E4E21


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
    # The analysis's own reasons (their templates and values), which a scan stores.
    found_reasons: tuple[str, ...] = ()


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


def duplicate_groups(now: dt.datetime, *, limit: int | None = 50) -> list[DuplicateGroup]:
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
                match.reasons if match else (),
            )
            for item, match in group
        ]
        master = rows[0].order
        code = master.street_code or master.district_code
        out.append(DuplicateGroup(rows, names.get(code, "") if code else ""))
    return out


# --- the board's groups, computed by the periodic job ----------------------------------------


def _stored_reasons(reasons: Iterable[str]) -> list[dict[str, Any]]:
    """The analysis's reasons as their templates and values (said at read time, in the
    reader's language); a plain string as its text."""
    return [
        {"template": r.template, "params": r.params}
        if isinstance(r, duplicates.Reason)
        else {"text": str(r)}
        for r in reasons
    ]


def _said(stored: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(
        gettext(r["template"]).format(**r.get("params", {})) if "template" in r else r["text"]
        for r in stored
    )


def duplicate_scan(*, actor: Actor, now: dt.datetime | None = None) -> DuplicateScan:
    """并单候选扫描: score the open orders of the merge window (`duplicate_groups`, every
    group) and store them as the one snapshot the board reads, replacing the previous one in
    the same transaction (a reader sees the old groups or the new, never half). A scan that
    finds nothing is stored too. Like the hot-spot snapshot it is not audited: it is the
    system's suggestion, and the merges made from it are. Only the system may run it."""
    if not permissions.can_scan_duplicates(actor):
        raise PermissionDenied(
            gettext("疑似重复扫描由系统任务执行"), code="duplicate.scan_forbidden"
        )
    now = now or timezone.now()
    started = time.perf_counter()
    found = duplicate_groups(now, limit=None)
    compared = _compared(now)
    seconds = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        _one_scan_at_a_time()
        # Members and groups go with their scan (CASCADE).
        DuplicateScan.objects.all().delete()
        scan = DuplicateScan.objects.create(
            scanned_at=now, compared=compared, found=len(found), seconds=seconds
        )
        groups = DuplicateScanGroup.objects.bulk_create(
            [
                DuplicateScanGroup(scan=scan, rank=rank, area=group.area[:100])
                for rank, group in enumerate(found, start=1)
            ]
        )
        DuplicateScanMember.objects.bulk_create(
            [
                DuplicateScanMember(
                    group=stored,
                    order=row.order,
                    position=position,
                    score=row.score,
                    reasons=_stored_reasons(row.found_reasons),
                )
                for stored, group in zip(groups, found, strict=True)
                for position, row in enumerate(group.rows)
            ]
        )
    return scan


def _compared(now: dt.datetime) -> int:
    since = now - dt.timedelta(days=duplicates.WINDOW_DAYS)
    pool = WorkOrder.objects.filter(status__in=MERGEABLE, created_at__gte=since)
    return min(pool.count(), POOL_LIMIT)


def _one_scan_at_a_time() -> None:
    """Two schedulers may start the job together: the second waits here until the first
    has committed, then replaces its snapshot whole. SQLite has one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])


@dataclass(frozen=True, slots=True)
class StoredGroups:
    """The board's 并单候选 as the latest scan left them: `count` groups still to act on
    (their master and at least one more order still open and unmerged), the first of them
    in `groups`; `scanned_at` None when no scan has run yet (a fresh database)."""

    scanned_at: dt.datetime | None
    count: int = 0
    groups: list[DuplicateGroup] = field(default_factory=list)

    def __len__(self) -> int:
        return self.count


def duplicate_groups_stored(*, limit: int) -> StoredGroups:
    """The latest scan's groups, the largest first, with what happened since taken out: an
    order merged, closed or otherwise out of MERGEABLE since the scan is not offered, and a
    group whose master is gone or that has no other open order left is not counted. Two
    queries, whatever the number of orders."""
    scan = DuplicateScan.objects.order_by("-scanned_at", "-id").first()
    if scan is None:
        return StoredGroups(None)
    members = (
        DuplicateScanMember.objects.filter(group__scan=scan, order__status__in=MERGEABLE)
        .select_related("group", *(f"order__{r}" for r in _LIST_RELATED))
        .order_by("group__rank", "position")
    )
    by_group: dict[int, list[DuplicateScanMember]] = {}
    for member in members:
        by_group.setdefault(member.group_id, []).append(member)
    live = [
        rows
        for rows in by_group.values()
        # The others were scored against the master; without it they are not a group.
        if rows[0].position == 0 and len(rows) >= 2
    ]
    # Largest first as the scan ranked them, but by what is left of each.
    live.sort(key=lambda rows: (-len(rows), rows[0].group.rank))
    groups = [
        DuplicateGroup(
            [
                DuplicateRow(m.order, m.score, _said(m.reasons) if m.score is not None else ())
                for m in rows
            ],
            rows[0].group.area,
        )
        for rows in live[:limit]
    ]
    return StoredGroups(scan.scanned_at, len(live), groups)


def duplicate_groups_forget(*, actor: Actor, order_ids: Iterable[int]) -> int:
    """A merge of these orders: the stored groups that hold any of them are deleted at once
    (the merge decided them; the next scan finds what is still alike). Called by the
    hotline's merge service inside its transaction, which audits the merge. Returns how many
    groups went."""
    ids = list(order_ids)
    held = DuplicateScanGroup.objects.filter(members__order_id__in=ids).values_list("pk", flat=True)
    _total, by_model = DuplicateScanGroup.objects.filter(pk__in=list(held)).delete()
    return int(by_model.get(DuplicateScanGroup._meta.label, 0))
