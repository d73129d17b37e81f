"""Writes of service items: creation, edits as versions, and the review workflow.

The same machinery as the knowledge base's articles (core.transitions tables in states.py):
every service locks the item row, checks the actor and the transition tables, saves, and
audits in one transaction. A published item keeps being served while an edit of it waits
for review; approval replaces the served content with the version's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.catalog import permissions
from hongmian.catalog.models import CODE_MAX, MainItem, ServiceItem, ServiceItemVersion
from hongmian.catalog.services.content import (
    ItemContent,
    certificate_types_check,
    content_apply,
    content_clean,
    content_from_json,
    content_to_json,
)
from hongmian.catalog.states import ITEM_FLOW, VERSION_FLOW, ItemStatus
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.core.reviews import PENDING_VERSION_STATES, VersionState
from hongmian.core.transitions import assert_transition
from hongmian.identity.models import OrgUnit, User

# Actors without a user that are trusted with every write: jobs, the demo seed, commands.
_TRUSTED_VIAS = frozenset({"system", "cli"})

AUDIT_FIELDS = [
    "code",
    "name",
    "status",
    "revision",
    "department",
    "main_item",
    "item_type",
    "level",
    "legal_limit_days",
    "promised_limit_days",
    "online_depth",
    "required_level",
    "valid_from",
    "valid_until",
]


def authorise(actor: Actor, allowed: Callable[[User], bool], code: str) -> None:
    if actor.user is None:
        if actor.via in _TRUSTED_VIAS:
            return
        raise NotAuthenticated(gettext("需要登录后操作"))
    if not allowed(actor.user):
        raise PermissionDenied(gettext("没有权限执行此操作"), code=code)


def clean_code(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(
            gettext("请填写事项编码"),
            code="service_item.code_required",
            fields={"code": ["请填写事项编码"]},
        )
    if len(code) > CODE_MAX or any(c.isspace() for c in code):
        message = f"事项编码应为不含空格、不超过{CODE_MAX}个字符的编码：{code}"
        raise ValidationFailed(
            message, code="service_item.code_invalid", fields={"code": [message]}
        )
    return code


def _locked(item: ServiceItem) -> ServiceItem:
    """The item re-read under a row lock: the state we check is the state we change."""
    return ServiceItem.objects.select_for_update().select_related("department").get(pk=item.pk)


def _pending(item: ServiceItem) -> ServiceItemVersion | None:
    return (
        ServiceItemVersion.objects.select_for_update()
        .filter(item=item, state__in=sorted(PENDING_VERSION_STATES))
        .first()
    )


def _live(item: ServiceItem) -> ServiceItemVersion | None:
    return (
        ServiceItemVersion.objects.select_for_update()
        .filter(item=item, state=VersionState.PUBLISHED)
        .first()
    )


def _next_number(item: ServiceItem) -> int:
    last = ServiceItemVersion.objects.filter(item=item).order_by("-number").first()
    return (last.number if last else 0) + 1


def _move_version(version: ServiceItemVersion, target: str) -> None:
    assert_transition(VERSION_FLOW, version.state, target)
    version.state = target


def _move_item(item: ServiceItem, target: str) -> None:
    assert_transition(ITEM_FLOW, item.status, target)
    item.status = target


# --- create and edit -----------------------------------------------------------------------


def catalog_item_create(
    *,
    actor: Actor,
    department: OrgUnit,
    code: str,
    content: ItemContent,
    main_item: MainItem | None = None,
    effective_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    source: str = "",
) -> ServiceItem:
    """A new item as a draft (version 1), implemented by `department`. Nothing is served
    until a reviewer approves it (catalog_item_approve)."""
    authorise(actor, lambda u: permissions.can_create_item(u, department), "service_item.forbidden")
    code = clean_code(code)
    content = content_clean(content)
    if effective_from and valid_until and valid_until < effective_from:
        raise ValidationFailed(
            gettext("失效日期不能早于生效日期"),
            code="service_item.validity_invalid",
            fields={"valid_until": ["失效日期不能早于生效日期"]},
        )
    with transaction.atomic():
        if ServiceItem.objects.filter(code=code).exists():
            message = f"事项编码已被使用：{code}"
            raise Conflict(message, code="service_item.code_taken", fields={"code": [message]})
        certificate_types_check(content)
        item = ServiceItem(
            code=code,
            department=department,
            main_item=main_item,
            valid_from=effective_from,
            valid_until=valid_until,
            source=source[:200],
            created_by=actor.user,
        )
        try:
            # A savepoint: a concurrent create of the same code fails here, not as a 500.
            with transaction.atomic():
                content_apply(item, content)
        except IntegrityError:
            message = f"事项编码已被使用：{code}"
            raise Conflict(
                message, code="service_item.code_taken", fields={"code": [message]}
            ) from None
        ServiceItemVersion.objects.create(
            item=item,
            number=1,
            content=content_to_json(content),
            effective_from=effective_from,
            edited_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="service_item.create",
            target=item,
            after=snapshot(item, AUDIT_FIELDS),
        )
    return item


def catalog_item_update(
    *,
    actor: Actor,
    item: ServiceItem,
    content: ItemContent,
    effective_from: dt.date | None = None,
) -> ServiceItemVersion:
    """Edit `item`: the waiting draft is rewritten, or — for an item already published — a
    new draft version is started; the served content does not change until approval. A
    draft item (never published) shows its draft at once. A version under review is frozen:
    reject it first."""
    authorise(actor, lambda u: permissions.can_update_item(u, item), "service_item.forbidden")
    content = content_clean(content)
    with transaction.atomic():
        item = _locked(item)
        if item.status == ItemStatus.RETIRED:
            raise Conflict(gettext("事项已停用，不能修改"), code="service_item.retired")
        certificate_types_check(content)
        version = _pending(item)
        if version is not None and version.state == VersionState.IN_REVIEW:
            raise Conflict(
                gettext("该事项有版本正在审核，审核完成后再修改"), code="service_item.in_review"
            )
        if version is None:
            version = ServiceItemVersion(item=item, number=_next_number(item))
        version.content = content_to_json(content)
        version.effective_from = effective_from
        version.edited_by = actor.user
        version.save()
        if item.status == ItemStatus.DRAFT:
            item.valid_from = effective_from
            content_apply(item, content)
        audit_record(
            actor=actor,
            action="service_item.update",
            target=item,
            after={"version": version.number, "name": content.name},
        )
    return version


# --- the review workflow -------------------------------------------------------------------


def catalog_item_submit(*, actor: Actor, item: ServiceItem) -> ServiceItemVersion:
    """Send the waiting draft for review."""
    authorise(actor, lambda u: permissions.can_submit_item(u, item), "service_item.forbidden")
    with transaction.atomic():
        item = _locked(item)
        version = _pending(item)
        if version is None:
            raise Conflict(gettext("没有待提交的版本"), code="service_item.no_draft")
        _move_version(version, VersionState.IN_REVIEW)
        version.submitted_by = actor.user
        version.submitted_at = timezone.now()
        version.save()
        before = item.status
        if item.status == ItemStatus.DRAFT:
            _move_item(item, ItemStatus.IN_REVIEW)
            item.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="service_item.submit",
            target=item,
            before={"status": before},
            after={"status": item.status, "version": version.number},
        )
    return version


def _waiting(item: ServiceItem) -> ServiceItemVersion:
    version = _pending(item)
    if version is None or version.state != VersionState.IN_REVIEW:
        raise Conflict(gettext("没有待审核的版本"), code="service_item.nothing_to_review")
    return version


def _four_eyes(actor: Actor, version: ServiceItemVersion) -> None:
    if actor.user is not None and version.submitted_by_id == actor.user.pk:
        raise PermissionDenied(
            gettext("不能审核自己提交的版本"), code="service_item.own_submission"
        )


def catalog_item_approve(*, actor: Actor, item: ServiceItem, note: str = "") -> ServiceItem:
    """Publish the version under review: it becomes the served content, the one served
    before it is superseded, and its effective date becomes the item's."""
    authorise(actor, lambda u: permissions.can_review_item(u, item), "service_item.forbidden")
    with transaction.atomic():
        item = _locked(item)
        version = _waiting(item)
        _four_eyes(actor, version)
        before = snapshot(item, AUDIT_FIELDS)
        _publish(actor, item, version, note=note)
        audit_record(
            actor=actor,
            action="service_item.approve",
            target=item,
            before=before,
            after=snapshot(item, AUDIT_FIELDS),
        )
    return item


def _publish(actor: Actor, item: ServiceItem, version: ServiceItemVersion, *, note: str) -> None:
    """Serve `version` (IN_REVIEW). The caller holds the item's lock and audits."""
    now = timezone.now()
    live = _live(item)
    if live is not None:
        _move_version(live, VersionState.SUPERSEDED)
        live.save(update_fields=["state", "updated_at"])
    _move_version(version, VersionState.PUBLISHED)
    version.reviewed_by = actor.user
    version.reviewed_at = now
    version.review_note = note.strip()
    version.published_at = now
    version.save()
    if item.status == ItemStatus.IN_REVIEW:
        _move_item(item, ItemStatus.PUBLISHED)
    item.revision = version.number
    item.published_at = now
    if version.effective_from is not None or live is None:
        item.valid_from = version.effective_from
    content_apply(item, content_from_json(version.content))


def catalog_item_reject(*, actor: Actor, item: ServiceItem, note: str) -> ServiceItemVersion:
    """Send the version under review back to its department, with the reason."""
    authorise(actor, lambda u: permissions.can_review_item(u, item), "service_item.forbidden")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            gettext("请填写退回原因"),
            code="service_item.note_required",
            fields={"note": ["请填写退回原因"]},
        )
    with transaction.atomic():
        item = _locked(item)
        version = _waiting(item)
        _four_eyes(actor, version)
        _move_version(version, VersionState.DRAFT)
        version.reviewed_by = actor.user
        version.reviewed_at = timezone.now()
        version.review_note = note
        version.save()
        before = item.status
        if item.status == ItemStatus.IN_REVIEW:
            _move_item(item, ItemStatus.DRAFT)
            item.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="service_item.reject",
            target=item,
            before={"status": before},
            after={"status": item.status, "version": version.number, "note": note},
        )
    return version


def catalog_item_retire(*, actor: Actor, item: ServiceItem, reason: str = "") -> ServiceItem:
    """Withdraw `item` from the catalogue for good; a waiting version is withdrawn with it."""
    authorise(actor, lambda u: permissions.can_retire_item(u, item), "service_item.forbidden")
    with transaction.atomic():
        item = _locked(item)
        before = item.status
        _move_item(item, ItemStatus.RETIRED)
        item.save(update_fields=["status", "updated_at"])
        version = _pending(item)
        if version is not None:
            _move_version(version, VersionState.WITHDRAWN)
            version.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor,
            action="service_item.retire",
            target=item,
            before={"status": before},
            after={"status": item.status, "reason": reason.strip()},
        )
    return item


def catalog_item_publish_now(
    *, actor: Actor, item: ServiceItem, content: ItemContent, effective_from: dt.date | None = None
) -> ServiceItemVersion | None:
    """Serve `content` at once, through the same transitions (draft → in review →
    published), for a trusted source: a catalogue imported by its keeper, the demo seed.
    Nothing happens (None) when `content` is what the item already serves. The caller
    holds a transaction and audits the import."""
    if actor.user is not None and not permissions.can_import_items(actor.user):
        raise PermissionDenied(gettext("没有权限导入事项目录"), code="service_item.forbidden")
    content = content_clean(content)
    data = content_to_json(content)
    live = ServiceItemVersion.objects.filter(item=item, state=VersionState.PUBLISHED).first()
    if live is not None and live.content == data and item.status == ItemStatus.PUBLISHED:
        return None
    pending = _pending(item)
    if pending is not None:
        # The import is the authority: a waiting edit is withdrawn, not silently merged.
        _move_version(pending, VersionState.WITHDRAWN)
        pending.save(update_fields=["state", "updated_at"])
    version = ServiceItemVersion(
        item=item,
        number=_next_number(item),
        content=data,
        effective_from=effective_from,
        edited_by=actor.user,
        submitted_by=actor.user,
        submitted_at=timezone.now(),
    )
    _move_version(version, VersionState.IN_REVIEW)
    version.save()
    if item.status == ItemStatus.DRAFT:
        _move_item(item, ItemStatus.IN_REVIEW)
    elif item.status == ItemStatus.RETIRED:
        raise Conflict(
            gettext("事项已停用：%(code)s") % {"code": item.code}, code="service_item.retired"
        )
    _publish(actor, item, version, note="")
    return version
