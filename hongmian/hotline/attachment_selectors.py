"""Who reads which attachment (附件). A file is read when the reader may read both its order
and its marking (public / staff / internal, as the timeline: `permissions.
timeline_visibilities`), and the entry it belongs to. Besides, a public file of an order
that is not confidential is public — the Open311 public view and the public report page
show it (decision 0031) — and the caller who proved number and phone on the track page may
read their order's public files for the rest of that browser session.

Missing and not allowed are the same NotFound (STYLE habit 3)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound
from hongmian.core.validators import parse_id
from hongmian.hotline import permissions, selectors
from hongmian.hotline.models import Attachment, TimelineEntry, WorkOrder
from hongmian.hotline.open311.selectors import PUBLIC_ORDERS
from hongmian.hotline.states import Visibility

# The session key under which the track page remembers the orders this browser proved.
TRACKED_SESSION_KEY = "hotline_tracked_orders"
TRACKED_MAX = 20


def attachments_visible_to(user: Any, order: WorkOrder) -> QuerySet[Attachment]:
    """The files of `order` that `user` reads, oldest first (the caller of this function
    has established that `user` may read the order)."""
    shown = sorted(permissions.timeline_visibilities(user, order))
    return Attachment.objects.filter(
        order=order, visibility__in=shown, entry__visibility__in=shown
    ).order_by("created_at", "id")


def public_attachments(order: WorkOrder) -> QuerySet[Attachment]:
    """The files of `order` marked public on a public entry (the track page's)."""
    return Attachment.objects.filter(
        order=order, visibility=Visibility.PUBLIC, entry__visibility=Visibility.PUBLIC
    ).order_by("created_at", "id")


def public_photo(order: WorkOrder) -> Attachment | None:
    """The first public image of an order the public may read: Open311's media_url."""
    if not WorkOrder.objects.filter(PUBLIC_ORDERS, pk=order.pk).exists():
        return None
    return public_attachments(order).filter(content_type__startswith="image/").first()


def attach_to_entries(entries: Iterable[TimelineEntry], rows: Iterable[Attachment]) -> None:
    """Put each entry's files on it as `entry.files` (a list, maybe empty): the timeline
    template shows them beside the entry. One query for the whole timeline."""
    by_entry: dict[int, list[Attachment]] = defaultdict(list)
    for row in rows:
        by_entry[row.entry_id].append(row)
    for entry in entries:
        entry.files = by_entry.get(entry.pk, [])  # type: ignore[attr-defined]


def tracked_orders(session: Any) -> list[int]:
    pks = (parse_id(pk) for pk in session.get(TRACKED_SESSION_KEY, []))
    return [pk for pk in pks if pk is not None]


def remember_tracked(session: Any, order: WorkOrder) -> None:
    """After the track page's proof (number and phone): this browser may read the order's
    public files, even of a confidential order, while its session lasts."""
    pks = [pk for pk in tracked_orders(session) if pk != order.pk]
    session[TRACKED_SESSION_KEY] = [*pks, order.pk][-TRACKED_MAX:]


def access_attachment(
    user: Any,
    key: str,
    *,
    tracked: Collection[int] = (),
    actor: Actor | None = None,
    audit: bool = True,
) -> Attachment:
    """The attachment `key` for `user` (anonymous too), or NotFound. Reading a file that is
    not public is audited as `attachment.read` (on its order), like `work_order.read`; the
    order page's thumbnails pass `audit=False`: the page's own read is audited already."""
    row = (
        Attachment.objects.select_related("order", "entry").filter(key=str(key)[:32]).first()
        if key
        else None
    )
    if row is None:
        raise NotFound(gettext("附件不存在"), code="attachment.not_found")
    public = row.visibility == Visibility.PUBLIC and row.entry.visibility == Visibility.PUBLIC
    if public and (not row.order.confidential or row.order_id in tracked):
        return row
    if not selectors.work_orders_visible_to(user).filter(pk=row.order_id).exists():
        raise NotFound(gettext("附件不存在"), code="attachment.not_found")
    shown = permissions.timeline_visibilities(user, row.order)
    if row.visibility not in shown or row.entry.visibility not in shown:
        raise NotFound(gettext("附件不存在"), code="attachment.not_found")
    if audit and not public:
        with transaction.atomic():
            audit_record(
                actor=actor or Actor(user=user, via="web"),
                action="attachment.read",
                target=row.order,
                after={"attachment": row.key, "name": row.name, "visibility": row.visibility},
            )
    return row


def public_photos_by_order(order_ids: Collection[int]) -> dict[int, Attachment]:
    """The first public image of each of these orders that the public may read (Open311's
    media_url, for a whole list in one query)."""
    rows = (
        Attachment.objects.filter(
            order_id__in=list(order_ids),
            order__in=WorkOrder.objects.filter(PUBLIC_ORDERS),
            visibility=Visibility.PUBLIC,
            entry__visibility=Visibility.PUBLIC,
            content_type__startswith="image/",
        )
        .only("key", "order_id")
        .order_by("order_id", "created_at", "id")
    )
    first: dict[int, Attachment] = {}
    for row in rows:
        first.setdefault(row.order_id, row)
    return first


def media_links_by_order(user: Any, orders: Iterable[WorkOrder]) -> dict[int, str]:
    """The link an Open311 client gave as `media_url` when filing, for the orders whose staff
    entries `user` reads or which `user`'s account filed (one query)."""
    allowed = [
        o.pk
        for o in orders
        if Visibility.STAFF in permissions.timeline_visibilities(user, o)
        or (o.submitted_by_id is not None and o.submitted_by_id == getattr(user, "pk", None))
    ]
    links: dict[int, str] = {}
    entries = TimelineEntry.objects.filter(order_id__in=allowed, kind="media_link").order_by("id")
    for order_id, text in entries.values_list("order_id", "text"):
        links.setdefault(order_id, text)
    return links
