"""Attachments (附件): files added to an order, on their own or with an act.

Every file is checked before anything is written (`core.upload_content.prepare_all`: size,
type from the content, metadata stripped), then the rows, the timeline entry, the audit
entry and the stored files are one unit: if anything fails, the transaction rolls back and
the files this call stored are deleted again (`_stored_files`). A file stored by a call whose
*caller's* transaction later rolls back is an orphan that `attachment_orphans_delete` (the
daily task) removes. The same file on one order is stored once (by its SHA-256).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.upload_content import PreparedFile, prepare_all
from hongmian.hotline import permissions, selectors
from hongmian.hotline.models import Attachment, TimelineEntry, WorkOrder
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.services.lifecycle_common import actor_unit
from hongmian.hotline.services.timeline import timeline_add
from hongmian.hotline.states import Visibility

STORAGE_ALIAS = "attachments"
PREFIX = "hotline"
# Narrowest last: a file is never shown wider than the entry it belongs to.
_WIDTH = {Visibility.PUBLIC: 0, Visibility.STAFF: 1, Visibility.INTERNAL: 2}


def attachment_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def narrower(first: str, second: str) -> str:
    return first if _WIDTH[Visibility(first)] >= _WIDTH[Visibility(second)] else second


@contextmanager
def _stored_files() -> Iterator[list[str]]:
    """Names stored inside the block; deleted again if the block raises (its transaction
    rolls back with it, so no row names them)."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = attachment_storage()
        for name in written:
            storage.delete(name)
        raise


def _check_visibility(visibility: str) -> str:
    if visibility not in Visibility.values:
        raise ValidationFailed(
            gettext("可见范围无效"),
            code="attachment.visibility",
            fields={"visibility": [gettext("可见范围无效")]},
        )
    return visibility


def _store(
    *,
    actor: Actor,
    order: WorkOrder,
    entry: TimelineEntry,
    item: PreparedFile,
    visibility: str,
    written: list[str],
) -> Attachment:
    """One row for one prepared file, its bytes stored unless this order has them already."""
    same_entry = Attachment.objects.filter(entry=entry, sha256=item.sha256).first()
    if same_entry is not None:
        return same_entry
    storage = attachment_storage()
    earlier = Attachment.objects.filter(order=order, sha256=item.sha256).order_by("id").first()
    if earlier is not None and storage.exists(earlier.stored_name):
        stored_name, thumbnail_name = earlier.stored_name, earlier.thumbnail_name
    else:
        base = f"{PREFIX}/{order.pk}/{item.sha256}"
        body: File[Any] = (
            ContentFile(item.content) if item.content is not None else File(item.source)
        )
        stored_name = storage.save(f"{base}{item.extension}", body)
        written.append(stored_name)
        thumbnail_name = ""
        if item.thumbnail is not None:
            thumbnail_name = storage.save(f"{base}.thumb.jpg", ContentFile(item.thumbnail))
            written.append(thumbnail_name)
    return Attachment.objects.create(
        order=order,
        entry=entry,
        visibility=visibility,
        name=item.name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        stored_sha256=item.stored_sha256,
        stored_name=stored_name,
        thumbnail_name=thumbnail_name,
        width=item.width,
        height=item.height,
        uploaded_by=actor.user,
    )


def _attach(
    *,
    actor: Actor,
    order: WorkOrder,
    entry: TimelineEntry,
    prepared: Sequence[PreparedFile],
    visibility: str,
    written: list[str],
) -> list[Attachment]:
    """Inside the act's transaction: the rows, the files and one audit entry."""
    shown = narrower(visibility, entry.visibility)
    rows = [
        _store(actor=actor, order=order, entry=entry, item=item, visibility=shown, written=written)
        for item in prepared
    ]
    audit_record(
        actor=actor,
        action="attachment.add",
        target=order,
        after={
            "entry": entry.pk,
            "visibility": shown,
            "files": [{"name": a.name, "sha256": a.sha256, "size": a.size} for a in rows],
        },
    )
    return rows


def attachments_add(
    *,
    actor: Actor,
    order: WorkOrder | int,
    uploads: Sequence[Any],
    visibility: str,
    text: str = "",
) -> list[Attachment]:
    """添加附件 outside an act: the files on a timeline entry of their own ("attachments"),
    marked `visibility` (which the actor may give: `permissions.attachment_visibilities`).
    Who may: `permissions.can_attach`. An order the actor may not see is NotFound."""
    _check_visibility(visibility)
    user = actor.user
    if user is None:
        raise NotFound(gettext("工单不存在"), code="work_order.not_found")
    # Who may, before the files are read: a refusal costs no decoding. Checked again below
    # on the locked row (the order may have moved on meanwhile).
    _check_may_attach(user, selectors.work_order_get(user, _order_id(order)), visibility)
    prepared = prepare_all(uploads)
    if not prepared:
        raise ValidationFailed(
            gettext("请选择要上传的文件"),
            code="attachment.none",
            fields={"attachments": [gettext("请选择文件")]},
        )
    with _stored_files() as written, transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=_order_id(order))
        _check_may_attach(user, locked, visibility)
        names = "、".join(item.name for item in prepared)
        entry = timeline_add(
            order=locked,
            actor=actor,
            kind="attachments",
            visibility=visibility,
            text=(text.strip() or f"添加附件：{names}")[:2000],
            unit=actor_unit(actor),
        )
        # The order changed: readers holding an older version see that something was added.
        WorkOrder.objects.filter(pk=locked.pk).update(
            version=locked.version + 1, updated_at=timezone.now()
        )
        return _attach(
            actor=actor,
            order=locked,
            entry=entry,
            prepared=prepared,
            visibility=visibility,
            written=written,
        )


def _check_may_attach(user: Any, order: WorkOrder, visibility: str) -> None:
    if not permissions.can_attach(user, order):
        raise PermissionDenied(gettext("无权为该工单添加附件"), code="attachment.not_allowed")
    if visibility not in permissions.attachment_visibilities(user, order):
        raise ValidationFailed(
            gettext("不能以该可见范围添加附件"),
            code="attachment.visibility",
            fields={"visibility": [gettext("不能以该可见范围添加附件")]},
        )


def attachment_add(
    *,
    actor: Actor,
    order: WorkOrder | int,
    upload: Any,
    visibility: str,
    entry: TimelineEntry | None = None,
) -> Attachment:
    """One file: on `entry` (an entry of `order` that the caller's act has just written, in
    the caller's transaction) or, without one, on an entry of its own (`attachments_add`)."""
    if entry is None:
        return attachments_add(actor=actor, order=order, uploads=[upload], visibility=visibility)[0]
    _check_visibility(visibility)
    prepared = prepare_all([upload])
    order_id = order.pk if isinstance(order, WorkOrder) else order
    if entry.order_id != order_id:
        raise ValidationFailed(gettext("轨迹不属于该工单"), code="attachment.entry", fields={})
    with _stored_files() as written, transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=order_id)
        return _attach(
            actor=actor,
            order=locked,
            entry=entry,
            prepared=prepared,
            visibility=visibility,
            written=written,
        )[0]


def _order_id(order: WorkOrder | int) -> int:
    return order.pk if isinstance(order, WorkOrder) else int(order)


def work_order_act_with_attachments[R](
    *,
    actor: Actor,
    act: Callable[..., R],
    entry_kinds: Collection[str],
    uploads: Sequence[Any],
    files_visibility: str | None = None,
    **arguments: Any,
) -> R:
    """An act (`act(actor=actor, **arguments)`, a lifecycle service taking `order`) and its
    files as one transaction: the files are checked first (a bad one refuses the act before
    anything is written), then the act runs, then the files go on the timeline entry it
    wrote (the newest of `entry_kinds`), marked `files_visibility` or the entry's own, never
    wider than the entry. Every door (the order page, the API) calls this same function."""
    prepared = prepare_all(uploads)
    if not prepared:
        return act(actor=actor, **arguments)
    if files_visibility is not None:
        _check_visibility(files_visibility)
    order_id = _order_id(arguments["order"])
    with _stored_files() as written, transaction.atomic():
        since = TimelineEntry.objects.filter(order_id=order_id).aggregate(last=Max("id"))["last"]
        result = act(actor=actor, **arguments)
        # The act holds the order's lock until commit: its entry is the newest of its kinds.
        entry = (
            TimelineEntry.objects.filter(
                order_id=order_id, kind__in=sorted(entry_kinds), pk__gt=since or 0
            )
            .order_by("-id")
            .first()
        )
        if entry is None:  # pragma: no cover - an act that writes no entry of its kinds
            raise RuntimeError(f"the act wrote no {sorted(entry_kinds)} entry")
        locked = WorkOrder.objects.select_for_update().get(pk=order_id)
        _attach(
            actor=actor,
            order=locked,
            entry=entry,
            prepared=prepared,
            visibility=files_visibility or entry.visibility,
            written=written,
        )
    return result


def work_order_intake_with_attachments(
    *,
    actor: Actor,
    request: IntakeRequest,
    uploads: Sequence[Any],
    idempotency_key: str | None = None,
    visibility: str | None = None,
    media_url: str = "",
) -> tuple[WorkOrder, bool]:
    """Intake (`work_order_intake`) and the files that came with it, on the "received"
    entry, in one transaction. A retry under the same idempotency key returns the first
    order and adds nothing (its files came with the first attempt).

    `media_url` (an Open311 client's link to media it hosts) is recorded, staff only, on an
    entry of its own ("media_link"); it is never fetched — the server would otherwise reach
    any address a client names (decision 0031)."""
    prepared = prepare_all(uploads)
    if visibility is not None:
        _check_visibility(visibility)
    media_url = _check_media_url(media_url)
    with _stored_files() as written, transaction.atomic():
        order, created = work_order_intake(
            actor=actor, request=request, idempotency_key=idempotency_key
        )
        if created and media_url:
            timeline_add(
                order=order,
                actor=actor,
                kind="media_link",
                visibility=Visibility.STAFF,
                text=media_url,
                data={"media_url": media_url},
            )
        if created and prepared:
            entry = order.timeline.filter(kind="received").order_by("-id").first()
            if entry is None:  # pragma: no cover - intake always writes it
                raise RuntimeError("intake wrote no received entry")
            _attach(
                actor=actor,
                order=order,
                entry=entry,
                prepared=prepared,
                visibility=visibility or entry.visibility,
                written=written,
            )
    return order, created


MEDIA_URL_MAX = 1000


def _check_media_url(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > MEDIA_URL_MAX or not value.lower().startswith(("http://", "https://")):
        message = gettext("应为以 http:// 或 https:// 开头、不超过 {limit} 个字符的地址").format(
            limit=MEDIA_URL_MAX
        )
        raise ValidationFailed(
            gettext("媒体链接{message}").format(message=message),
            code="attachment.media_url",
            fields={"media_url": [message]},
        )
    return value


def attachment_orphans_delete(*, older_than_hours: float = 24, commit: bool = True) -> list[str]:
    """Files in the storage that no row names (a caller's transaction rolled back after they
    were stored), older than `older_than_hours` so that an upload in flight is never taken.
    Returns the names (deleted unless `commit` is False)."""
    storage = attachment_storage()
    cutoff = timezone.now() - dt.timedelta(hours=older_than_hours)
    try:
        folders, _files = storage.listdir(PREFIX)
    except FileNotFoundError:
        return []
    orphans: list[str] = []
    for folder in folders:
        if not folder.isdigit():
            continue
        _dirs, files = storage.listdir(f"{PREFIX}/{folder}")
        rows = Attachment.objects.filter(order_id=int(folder)).values_list(
            "stored_name", "thumbnail_name"
        )
        known = {name for pair in rows for name in pair if name}
        for file_name in files:
            name = f"{PREFIX}/{folder}/{file_name}"
            if name in known or storage.get_modified_time(name) > cutoff:
                continue
            orphans.append(name)
            if commit:
                storage.delete(name)
    return orphans


__all__ = [
    "attachment_add",
    "attachment_orphans_delete",
    "attachment_storage",
    "attachments_add",
    "work_order_act_with_attachments",
    "work_order_intake_with_attachments",
]
