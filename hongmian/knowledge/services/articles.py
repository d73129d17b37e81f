"""Writes of knowledge articles: the review workflow, versions, and recorded use.

Every service locks the article row, checks the actor and the transition tables of
states.py, saves, and audits in one transaction. Those that change what is served
(approve, retire) also bump the search index's version in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.reviews import PENDING_VERSION_STATES, VersionState
from hongmian.core.transitions import assert_transition
from hongmian.identity.models import OrgUnit, User
from hongmian.knowledge import permissions
from hongmian.knowledge.models import (
    CATEGORY_CODE_MAX,
    EXTERNAL_ID_MAX,
    TITLE_MAX,
    Article,
    ArticleUsage,
    ArticleVersion,
)
from hongmian.knowledge.search.embedded import index_version_bump
from hongmian.knowledge.states import ARTICLE_FLOW, VERSION_FLOW, ArticleStatus, Audience

# Actors without a user that are trusted with every write: jobs, the demo seed, commands.
_TRUSTED_VIAS = frozenset({"system", "cli"})

AUDIT_FIELDS = [
    "title",
    "status",
    "revision",
    "audience",
    "valid_from",
    "valid_until",
    "category_codes",
    "owning_unit",
    "external_id",
]
# The fields a version carries; approval copies them onto the article.
CONTENT_FIELDS = ("title", "body", "category_codes", "audience", "valid_from", "valid_until")


class _Keep(enum.Enum):
    KEEP = "keep"


# "Leave this field as it is" for article_update, where None means "clear the date".
KEEP = _Keep.KEEP


def _authorise(actor: Actor, allowed: Callable[[User], bool], code: str) -> None:
    if actor.user is None:
        if actor.via in _TRUSTED_VIAS:
            return
        raise NotAuthenticated(gettext("需要登录后操作"))
    if not allowed(actor.user):
        raise PermissionDenied(gettext("没有权限执行此操作"), code=code)


def _invalid(message: str, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise _invalid(gettext("请填写标题"), "title", "article.title_required")
    if len(title) > TITLE_MAX:
        raise _invalid(
            gettext("标题不能超过%(TITLE_MAX)s个字") % {"TITLE_MAX": TITLE_MAX},
            "title",
            "article.title_too_long",
        )
    return title


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise _invalid(gettext("请填写正文"), "body", "article.body_required")
    return body


def _clean_categories(codes: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for code in codes:
        code = str(code).strip()
        if not code:
            continue
        if len(code) > CATEGORY_CODE_MAX:
            raise _invalid(
                gettext("分类不能超过%(CATEGORY_CODE_MAX)s个字符")
                % {"CATEGORY_CODE_MAX": CATEGORY_CODE_MAX},
                "category_codes",
                "article.category_too_long",
            )
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _clean_audience(audience: str) -> str:
    try:
        return Audience(audience).value
    except ValueError:
        raise _invalid(
            gettext("未知的公开范围：%(audience)s") % {"audience": audience},
            "audience",
            "article.audience_invalid",
        ) from None


def _clean_validity(valid_from: dt.date | None, valid_until: dt.date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise _invalid(
            gettext("失效日期不能早于生效日期"), "valid_until", "article.validity_invalid"
        )


def _full_clean(instance: Article | ArticleVersion) -> None:
    # Uniqueness is checked by the services themselves, to answer 409 with their own code.
    try:
        instance.full_clean(exclude=["owning_unit", "article"], validate_unique=False)
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(fields.values()))[0]
        raise ValidationFailed(first, code="article.invalid", fields=fields) from None


def _locked(article: Article) -> Article:
    """The article re-read under a row lock: the state we check is the state we change."""
    return Article.objects.select_for_update().select_related("owning_unit").get(pk=article.pk)


def _pending(article: Article) -> ArticleVersion | None:
    return (
        ArticleVersion.objects.select_for_update()
        .filter(article=article, state__in=sorted(PENDING_VERSION_STATES))
        .first()
    )


def _live(article: Article) -> ArticleVersion | None:
    return (
        ArticleVersion.objects.select_for_update()
        .filter(article=article, state=VersionState.PUBLISHED)
        .first()
    )


def _next_number(article: Article) -> int:
    last = ArticleVersion.objects.filter(article=article).order_by("-number").first()
    return (last.number if last else 0) + 1


def _external_id_taken(external_id: str) -> Conflict:
    message = f"外部编号已被使用：{external_id}"
    return Conflict(message, code="article.external_id_taken", fields={"external_id": [message]})


# --- create and edit -----------------------------------------------------------------------


def article_create(
    *,
    actor: Actor,
    owning_unit: OrgUnit,
    title: str,
    body: str,
    category_codes: Iterable[str] = (),
    audience: str = Audience.PUBLIC,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    external_id: str = "",
) -> Article:
    """A new article as a draft (version 1), owned by `owning_unit`. Nothing is served
    until a reviewer approves it."""
    _authorise(actor, lambda u: permissions.can_create_article(u, owning_unit), "article.forbidden")
    external_id = (external_id or "").strip()
    if len(external_id) > EXTERNAL_ID_MAX:
        raise _invalid(
            gettext("外部编号不能超过%(EXTERNAL_ID_MAX)s个字符")
            % {"EXTERNAL_ID_MAX": EXTERNAL_ID_MAX},
            "external_id",
            "article.external_id_invalid",
        )
    _clean_validity(valid_from, valid_until)
    content: dict[str, Any] = {
        "title": _clean_title(title),
        "body": _clean_body(body),
        "category_codes": _clean_categories(category_codes),
        "audience": _clean_audience(audience),
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().filter(pk=owning_unit.pk).first()
        if unit is None or not unit.is_active:
            message = "所选单位不存在或已停用"
            raise Conflict(message, code="article.unit_inactive", fields={"owning_unit": [message]})
        if external_id and Article.objects.filter(external_id=external_id).exists():
            raise _external_id_taken(external_id)
        article = Article(
            owning_unit=unit, external_id=external_id, created_by=actor.user, **content
        )
        _full_clean(article)
        try:
            with transaction.atomic():
                article.save(force_insert=True)
        except IntegrityError:
            raise _external_id_taken(external_id) from None
        version = ArticleVersion(article=article, number=1, edited_by=actor.user, **content)
        _full_clean(version)
        version.save(force_insert=True)
        audit_record(
            actor=actor,
            action="article.create",
            target=article,
            after={**snapshot(article, AUDIT_FIELDS), "version": version.number},
        )
    return article


def article_update(
    *,
    actor: Actor,
    article: Article,
    title: str | _Keep = KEEP,
    body: str | _Keep = KEEP,
    category_codes: Iterable[str] | _Keep = KEEP,
    audience: str | _Keep = KEEP,
    valid_from: dt.date | _Keep | None = KEEP,
    valid_until: dt.date | _Keep | None = KEEP,
) -> ArticleVersion:
    """Edit the article's text. A draft is edited in place; a published article gets a new
    draft version (or its waiting draft is edited), and the served text stays as it is
    until that version is approved. A text under review is frozen: reject it first."""
    with transaction.atomic():
        article = _locked(article)
        _authorise(actor, lambda u: permissions.can_update_article(u, article), "article.forbidden")
        if article.status in (ArticleStatus.IN_REVIEW, ArticleStatus.RETIRED):
            raise Conflict(
                gettext("“%(label)s”状态的知识条目不能修改")
                % {"label": ArticleStatus(article.status).label},
                code="article.not_editable",
                fields={"status": [article.status]},
            )
        version = _pending(article)
        if version is not None and version.state == VersionState.IN_REVIEW:
            raise Conflict(
                gettext("修改稿正在审核中，审核完成前不能修改"),
                code="article.version_in_review",
                fields={"status": [version.state]},
            )
        if version is None:
            # Only a published article can lack a pending version: start one from the
            # served text.
            version = ArticleVersion(
                article=article,
                number=_next_number(article),
                **{f: getattr(article, f) for f in CONTENT_FIELDS},
            )
        before = {f: getattr(version, f) for f in CONTENT_FIELDS}
        if not isinstance(title, _Keep):
            version.title = _clean_title(title)
        if not isinstance(body, _Keep):
            version.body = _clean_body(body)
        if not isinstance(category_codes, _Keep):
            version.category_codes = _clean_categories(category_codes)
        if not isinstance(audience, _Keep):
            version.audience = _clean_audience(audience)
        if not isinstance(valid_from, _Keep):
            version.valid_from = valid_from
        if not isinstance(valid_until, _Keep):
            version.valid_until = valid_until
        _clean_validity(version.valid_from, version.valid_until)
        version.edited_by = actor.user
        _full_clean(version)
        version.save()
        if article.status == ArticleStatus.DRAFT:
            # Never published: the article shows its draft (nothing is served from it).
            for field in CONTENT_FIELDS:
                setattr(article, field, getattr(version, field))
            article.save()
        changed = sorted(f for f in CONTENT_FIELDS if getattr(version, f) != before[f])
        audit_record(
            actor=actor,
            action="article.update",
            target=article,
            after={"version": version.number, "changed": changed},
        )
    return version


# --- review --------------------------------------------------------------------------------


def article_submit(*, actor: Actor, article: Article) -> ArticleVersion:
    """Send the waiting draft to review. For a new article the article goes to review too;
    a published one stays served while its new version is reviewed."""
    with transaction.atomic():
        article = _locked(article)
        _authorise(actor, lambda u: permissions.can_submit_article(u, article), "article.forbidden")
        version = _pending(article)
        if version is None:
            raise Conflict(gettext("没有待提交的修改稿"), code="article.nothing_to_submit")
        assert_transition(VERSION_FLOW, version.state, VersionState.IN_REVIEW)
        if article.status == ArticleStatus.DRAFT:
            assert_transition(ARTICLE_FLOW, article.status, ArticleStatus.IN_REVIEW)
            article.status = ArticleStatus.IN_REVIEW
            article.save(update_fields=["status", "updated_at"])
        elif article.status != ArticleStatus.PUBLISHED:
            assert_transition(ARTICLE_FLOW, article.status, ArticleStatus.IN_REVIEW)
        version.state = VersionState.IN_REVIEW
        version.submitted_by = actor.user
        version.submitted_at = timezone.now()
        version.review_note = ""
        version.save()
        audit_record(
            actor=actor,
            action="article.submit",
            target=article,
            after={"version": version.number, "status": article.status},
        )
    return version


def _check_four_eyes(actor: Actor, version: ArticleVersion) -> None:
    if actor.user is not None and version.submitted_by_id == actor.user.pk:
        raise PermissionDenied(gettext("不能审核自己提交的修改稿"), code="article.self_review")


def _under_review(article: Article) -> ArticleVersion:
    version = _pending(article)
    if version is None or version.state != VersionState.IN_REVIEW:
        raise Conflict(gettext("没有待审核的修改稿"), code="article.nothing_to_review")
    return version


def article_approve(*, actor: Actor, article: Article, note: str = "") -> Article:
    """Publish the version under review: its text replaces the served text, the previous
    published version is kept as superseded, and the search index is told."""
    with transaction.atomic():
        article = _locked(article)
        _authorise(
            actor, lambda u: permissions.can_approve_article(u, article), "article.forbidden"
        )
        version = _under_review(article)
        _check_four_eyes(actor, version)
        assert_transition(VERSION_FLOW, version.state, VersionState.PUBLISHED)
        if article.status != ArticleStatus.PUBLISHED:
            assert_transition(ARTICLE_FLOW, article.status, ArticleStatus.PUBLISHED)
        index_version_bump()
        before = snapshot(article, AUDIT_FIELDS)
        now = timezone.now()
        live = _live(article)
        if live is not None:
            assert_transition(VERSION_FLOW, live.state, VersionState.SUPERSEDED)
            live.state = VersionState.SUPERSEDED
            live.save(update_fields=["state", "updated_at"])
        version.state = VersionState.PUBLISHED
        version.reviewed_by = actor.user
        version.reviewed_at = now
        version.review_note = (note or "").strip()
        version.published_at = now
        version.save()
        for field in CONTENT_FIELDS:
            setattr(article, field, getattr(version, field))
        article.status = ArticleStatus.PUBLISHED
        article.revision = version.number
        article.published_at = now
        article.save()
        audit_record(
            actor=actor,
            action="article.approve",
            target=article,
            before=before,
            after={**snapshot(article, AUDIT_FIELDS), "version": version.number},
        )
    return article


def article_reject(*, actor: Actor, article: Article, note: str) -> ArticleVersion:
    """Send the version under review back to its unit as a draft, with the reason."""
    note = (note or "").strip()
    if not note:
        raise _invalid(gettext("请填写退回理由"), "note", "article.note_required")
    with transaction.atomic():
        article = _locked(article)
        _authorise(actor, lambda u: permissions.can_reject_article(u, article), "article.forbidden")
        version = _under_review(article)
        _check_four_eyes(actor, version)
        assert_transition(VERSION_FLOW, version.state, VersionState.DRAFT)
        if article.status == ArticleStatus.IN_REVIEW:
            assert_transition(ARTICLE_FLOW, article.status, ArticleStatus.DRAFT)
            article.status = ArticleStatus.DRAFT
            article.save(update_fields=["status", "updated_at"])
        version.state = VersionState.DRAFT
        version.reviewed_by = actor.user
        version.reviewed_at = timezone.now()
        version.review_note = note
        version.save()
        audit_record(
            actor=actor,
            action="article.reject",
            target=article,
            after={"version": version.number, "note": note, "status": article.status},
        )
    return version


def article_retire(*, actor: Actor, article: Article, reason: str = "") -> Article:
    """Stop serving the article for good. A version still waiting is withdrawn with it."""
    with transaction.atomic():
        article = _locked(article)
        _authorise(actor, lambda u: permissions.can_retire_article(u, article), "article.forbidden")
        assert_transition(ARTICLE_FLOW, article.status, ArticleStatus.RETIRED)
        was_served = article.status == ArticleStatus.PUBLISHED
        if was_served:
            index_version_bump()
        before = snapshot(article, AUDIT_FIELDS)
        pending = _pending(article)
        if pending is not None:
            assert_transition(VERSION_FLOW, pending.state, VersionState.WITHDRAWN)
            pending.state = VersionState.WITHDRAWN
            pending.save(update_fields=["state", "updated_at"])
        article.status = ArticleStatus.RETIRED
        article.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="article.retire",
            target=article,
            before=before,
            after={"status": article.status, "reason": (reason or "").strip()},
        )
    return article


# --- use -----------------------------------------------------------------------------------


def article_used(*, actor: Actor, article: Article, order_ref: str) -> ArticleUsage:
    """Record that `article` answered work order `order_ref` directly. The row is the
    record (who, when, which version), so no separate audit entry is written."""
    _authorise(actor, permissions.can_record_article_use, "article.forbidden")
    order_ref = (order_ref or "").strip()
    if not order_ref or len(order_ref) > 64:
        raise _invalid(
            gettext("请填写工单编号（不超过64个字符）"), "order_ref", "article.order_ref_invalid"
        )
    fresh = Article.objects.filter(pk=article.pk).only("status", "revision").first()
    if fresh is None or fresh.status != ArticleStatus.PUBLISHED:
        raise Conflict(gettext("只能引用已发布的知识条目"), code="article.not_published")
    return ArticleUsage.objects.create(
        article=fresh, revision=fresh.revision, used_by=actor.user, order_ref=order_ref
    )
