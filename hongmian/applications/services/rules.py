"""Writes of items' instant-approval rules (秒批规则): a department drafts a version, submits
it; a reviewer (not the submitter) publishes it or sends it back. The review workflow is the
catalogue's (core.reviews.version_flow, the same states and database rules); the item's
owning unit edits (catalog.permissions.can_update_item), its reviewers publish
(can_review_item). Every write locks the item, checks, saves and audits in one transaction;
a rule that fails its check is not stored at all (decision 0066)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications import rules as rule_defs
from hongmian.applications import selectors_rules
from hongmian.applications.rule_models import RuleVersion
from hongmian.applications.selectors import ITEM_SETUP
from hongmian.catalog import permissions as catalog_permissions
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.services.items import authorise
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.reviews import PENDING_VERSION_STATES, VersionState, version_flow
from hongmian.core.transitions import assert_transition

RULE_FLOW = version_flow("rule_version")
NOTE_MAX = 1000


def _locked(item: ServiceItem) -> ServiceItem:
    return ServiceItem.objects.select_for_update().get(pk=item.pk)


def _pending(item: ServiceItem) -> RuleVersion | None:
    return (
        RuleVersion.objects.select_for_update()
        .filter(item=item, state__in=sorted(PENDING_VERSION_STATES))
        .first()
    )


def _move(version: RuleVersion, target: str) -> None:
    assert_transition(RULE_FLOW, version.state, target)
    version.state = target


def _next_number(item: ServiceItem) -> int:
    last = RuleVersion.objects.filter(item=item).order_by("-number").first()
    return (last.number if last else 0) + 1


def _audit(actor: Actor, item: ServiceItem, action: str, version: RuleVersion, **more: Any) -> None:
    audit_record(
        actor=actor,
        action=f"rule_version.{action}",
        target=version,
        after={"item": item.code, "number": version.number, "state": version.state, **more},
    )


def rule_draft_save(
    *,
    actor: Actor,
    item: ServiceItem,
    rules: Any,
    effective_from: dt.date | None = None,
) -> RuleVersion:
    """Save `rules` as the item's draft (a new version, or the draft waiting already). The
    rule is checked first (rules.rules_check: 422 with a code and a path per problem); a
    version in review is frozen (409 `rule_version.in_review`)."""
    authorise(
        actor, lambda u: catalog_permissions.can_update_item(u, item), "rule_version.forbidden"
    )
    checked = rule_defs.rules_check(rules, selectors_rules.rule_subject(item))
    with transaction.atomic():
        item = _locked(item)
        version = _pending(item)
        if version is not None and version.state == VersionState.IN_REVIEW:
            raise Conflict(_("规则正在审核中，不能修改"), code="rule_version.in_review")
        if version is None:
            version = RuleVersion(item=item, number=_next_number(item))
        version.rules = checked
        version.effective_from = effective_from
        version.edited_by = actor.user
        version.save()
        _audit(actor, item, "draft", version, effective_from=str(effective_from or ""))
    return version


def rule_submit(*, actor: Actor, item: ServiceItem) -> RuleVersion:
    """Send the draft for review: its content is frozen until reviewed."""
    authorise(
        actor, lambda u: catalog_permissions.can_submit_item(u, item), "rule_version.forbidden"
    )
    with transaction.atomic():
        item = _locked(item)
        version = _pending(item)
        if version is None or version.state != VersionState.DRAFT:
            raise Conflict(_("没有待提交的规则草稿"), code="rule_version.nothing_to_submit")
        _move(version, VersionState.IN_REVIEW)
        version.submitted_by = actor.user
        version.submitted_at = timezone.now()
        version.save()
        _audit(actor, item, "submit", version)
    return version


def _waiting(item: ServiceItem, actor: Actor) -> RuleVersion:
    version = _pending(item)
    if version is None or version.state != VersionState.IN_REVIEW:
        raise Conflict(_("没有待审核的规则"), code="rule_version.nothing_to_review")
    if actor.user is not None and version.submitted_by_id == actor.user.pk:
        raise PermissionDenied(_("不能审核自己提交的规则"), code="rule_version.own_submission")
    return version


def _publish(actor: Actor, item: ServiceItem, version: RuleVersion, note: str) -> None:
    now = timezone.now()
    # The rule in force is read from each process's copy of the item's setup: bumped here,
    # every process uses the new version at its next submission (decision 0087).
    ITEM_SETUP.bump()
    live = (
        RuleVersion.objects.select_for_update()
        .filter(item=item, state=VersionState.PUBLISHED)
        .first()
    )
    if live is not None:
        _move(live, VersionState.SUPERSEDED)
        live.save(update_fields=["state", "updated_at"])
    _move(version, VersionState.PUBLISHED)
    version.reviewed_by = actor.user
    version.reviewed_at = now
    version.review_note = note
    version.published_at = now
    version.save()


def rule_approve(*, actor: Actor, item: ServiceItem, note: str = "") -> RuleVersion:
    """Publish the rule in review: it is in force from its effective date (until then the
    one it replaces stays in force); past applications keep the version they were judged by."""
    authorise(
        actor, lambda u: catalog_permissions.can_review_item(u, item), "rule_version.forbidden"
    )
    note = _note(note, required=False)
    with transaction.atomic():
        item = _locked(item)
        version = _waiting(item, actor)
        _publish(actor, item, version, note)
        _audit(actor, item, "approve", version, note=note)
    return version


def rule_reject(*, actor: Actor, item: ServiceItem, note: str) -> RuleVersion:
    """Send the rule in review back to its department as a draft, with the reason."""
    authorise(
        actor, lambda u: catalog_permissions.can_review_item(u, item), "rule_version.forbidden"
    )
    note = _note(note, required=True)
    with transaction.atomic():
        item = _locked(item)
        version = _waiting(item, actor)
        _move(version, VersionState.DRAFT)
        version.reviewed_by = actor.user
        version.reviewed_at = timezone.now()
        version.review_note = note
        version.save()
        _audit(actor, item, "reject", version, note=note)
    return version


def rule_publish_now(
    *, actor: Actor, item: ServiceItem, rules: Any, effective_from: dt.date | None = None
) -> RuleVersion | None:
    """Serve `rules` at once through the same states (draft → in review → published), for a
    trusted source (the demo seed, the benchmark, a command): None when it is what the item
    already serves. A waiting draft is withdrawn: the trusted source is the authority."""
    if actor.user is not None or actor.via not in ("system", "cli"):
        raise PermissionDenied(_("仅限系统导入"), code="rule_version.forbidden")
    checked = rule_defs.rules_check(rules, selectors_rules.rule_subject(item))
    with transaction.atomic():
        item = _locked(item)
        live = RuleVersion.objects.filter(item=item, state=VersionState.PUBLISHED).first()
        if live is not None and live.rules == checked and live.effective_from == effective_from:
            return None
        pending = _pending(item)
        if pending is not None:
            _move(pending, VersionState.WITHDRAWN)
            pending.save(update_fields=["state", "updated_at"])
        version = RuleVersion(
            item=item, number=_next_number(item), rules=checked, effective_from=effective_from
        )
        version.submitted_at = timezone.now()
        _move(version, VersionState.IN_REVIEW)
        version.save()
        _publish(actor, item, version, "")
        _audit(actor, item, "publish", version)
    return version


def _note(note: str, *, required: bool) -> str:
    text = (note or "").strip()
    if required and not text:
        raise ValidationFailed(
            _("请填写退回原因"), code="rule_version.note_required", fields={"note": [_("必填")]}
        )
    if len(text) > NOTE_MAX:
        raise ValidationFailed(
            _("不能超过 %(n)d 字") % {"n": NOTE_MAX},
            code="rule_version.note_too_long",
            fields={"note": [_("过长")]},
        )
    return text
