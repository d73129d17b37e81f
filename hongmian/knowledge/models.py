"""The knowledge base: articles, their versions, the record of their use, and the search
rankings learned from that use."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel, ReviewedVersion
from hongmian.core.reviews import VersionState, version_constraints
from hongmian.identity.models import OrgUnit
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import Role
from hongmian.knowledge.permissions import (
    AUTHOR_ROLES,
    CITY_REVIEWER_ROLES,
    UNIT_REVIEWER_ROLES,
    audience_of,
)
from hongmian.knowledge.states import AUDIENCE_READS, ArticleStatus, Audience

TITLE_MAX = 200
EXTERNAL_ID_MAX = 64
CATEGORY_CODE_MAX = 64


def _check_category_codes(codes: object) -> None:
    if not isinstance(codes, list) or not all(
        isinstance(c, str) and c.strip() and len(c) <= CATEGORY_CODE_MAX for c in codes
    ):
        raise ValidationError(
            {"category_codes": _("分类应为不超过64个字符的文字列表")},
            code="article.category_codes_invalid",
        )


def _check_validity(valid_from: object, valid_until: object) -> None:
    if valid_from and valid_until and valid_until < valid_from:  # type: ignore[operator]
        raise ValidationError(
            {"valid_until": _("失效日期不能早于生效日期")}, code="article.validity_invalid"
        )


def served_q(audience: str, *, on: dt.date) -> Q:
    """Articles served to `audience` on day `on`."""
    return (
        Q(status=ArticleStatus.PUBLISHED, audience__in=sorted(AUDIENCE_READS[audience]))
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    )


def _served_to(user: Any, on: dt.date) -> Q:
    return served_q(audience_of(user), on=on)


# Whose drafts, versions and retired articles a user sees: its writers' and reviewers'
# (permissions.can_see_unpublished, for one article in hand).
_MANAGED = Scope(
    city_wide=CITY_REVIEWER_ROLES | {Role.SYSTEM_ADMIN},
    superusers=True,
    unit="owning_unit",
    unit_roles=AUTHOR_ROLES | UNIT_REVIEWER_ROLES,
)


class Article(BaseModel):
    """知识条目 — one authoritative answer that agents read out and citizens look up
    (社保卡补办, 停水查询 …), kept up to date by the unit that owns it.

    The content fields hold the text that is served: once published, the approved text of
    the live version; before that, the draft. Edits of a published article go to a new
    ArticleVersion and replace these fields only when approved (services.article_approve).
    An article is served when it is published, inside its validity dates, and its audience
    allows the reader."""

    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    body = models.TextField(_("正文"))
    # Free tags for now; the hotline's category codes can be used as tags as they are.
    category_codes = models.JSONField(_("分类"), default=list, blank=True)
    owning_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("维护单位"),
        on_delete=models.PROTECT,
        related_name="knowledge_articles",
    )
    audience = models.CharField(
        _("公开范围"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    # Inclusive: the article is served on this day and not after it.
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ArticleStatus.choices,
        default=ArticleStatus.DRAFT,
        db_index=True,
    )
    # The key of the row in the spreadsheet it was imported from (idempotent re-imports).
    external_id = models.CharField(_("外部编号"), max_length=EXTERNAL_ID_MAX, blank=True)
    # The number of the version being served (0: never published).
    revision = models.PositiveIntegerField(_("现行版本"), default=0)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scopes: ClassVar[Scopes] = {
        # Readers see the articles served to them (anonymous visitors too); writers and
        # reviewers also see the rest of their units' articles.
        "view": replace(_MANAGED, public=_served_to),
        "manage": _MANAGED,
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ArticleStatus]),
                name="knowledge_article_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=[a.value for a in Audience]),
                name="knowledge_article_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="knowledge_article_validity_ordered",
                violation_error_code="article.validity_invalid",
                violation_error_message=_("失效日期不能早于生效日期"),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="knowledge_article_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["status", "audience"], name="knowledge_article_served")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _check_category_codes(self.category_codes)
        _check_validity(self.valid_from, self.valid_until)


class ArticleVersion(ReviewedVersion):
    """知识条目版本 — one text of an article: the one waiting for review (at most one per
    article), the one being served, and every one served before it (the history)."""

    article = models.ForeignKey(
        Article, verbose_name=_("知识条目"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(
        _("状态"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    body = models.TextField(_("正文"))
    category_codes = models.JSONField(_("分类"), default=list, blank=True)
    audience = models.CharField(
        _("公开范围"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("知识条目版本")
        verbose_name_plural = _("知识条目版本")
        ordering = ["article", "-number"]
        constraints = version_constraints(
            parent="article", prefix="knowledge", pending_code="article_version.pending_exists"
        )

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def clean(self) -> None:
        _check_category_codes(self.category_codes)
        _check_validity(self.valid_from, self.valid_until)


class ArticleUsage(models.Model):
    """知识引用记录 — an agent answered a request directly from this article (直接答复).
    One row per use; the direct-answer rate and each article's usefulness are counted
    from these."""

    article = models.ForeignKey(
        Article, verbose_name=_("知识条目"), on_delete=models.PROTECT, related_name="usages"
    )
    # The version the agent read, so a metric can tell old text from new.
    revision = models.PositiveIntegerField(_("版本号"))
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("使用人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The work order it answered (its number); text, so that no hotline table is needed.
    order_ref = models.CharField(_("工单编号"), max_length=64)
    used_at = models.DateTimeField(_("使用时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("知识引用记录")
        verbose_name_plural = _("知识引用记录")
        ordering = ["-used_at", "-id"]
        indexes = [models.Index(fields=["article", "used_at"], name="knowledge_usage_article")]

    def __str__(self) -> str:
        return f"{self.order_ref} ← {self.article_id}"


class ArticleEmbedding(models.Model):
    """知识条目向量 — the dense vector of an article's served text (search/dense.py), kept
    so that rebuilding the search index embeds only the articles whose text changed.

    `text_key` is the hash of the model and of the text that was embedded: a row whose key
    differs from the hash of the article's current text is stale and is replaced at the
    next build. Written by the search backend, never by hand."""

    article = models.OneToOneField(
        Article,
        verbose_name=_("知识条目"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="embedding",
    )
    text_key = models.CharField(_("文本摘要"), max_length=64)
    # float32, little-endian, search.dense.DIMENSIONS values.
    vector = models.BinaryField(_("向量"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("知识条目向量")
        verbose_name_plural = _("知识条目向量")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.text_key[:12]}"


class SearchRanking(BaseModel):
    """检索排序模型 — one learned ranking of knowledge search (search/learned.py), learned
    from question → article pairs: the hotline's direct answers, or a file of questions.

    The artefact (learned.py's .npz) is kept in the database so that every process reads
    the same bytes; `artefact_sha256` is checked on every load, so a damaged copy is
    refused (and search goes on without it) rather than half-read. At most one version is
    active; none active means the plain hybrid ranking. Written by services.ranking only."""

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    artefact = models.BinaryField(_("模型文件"))
    artefact_sha256 = models.CharField(_("模型文件校验值"), max_length=64)
    # "usage" (the hotline's direct answers) or the name of the pairs file.
    source = models.CharField(_("来源"), max_length=300, blank=True)
    pairs = models.PositiveIntegerField(_("样本数"), default=0)
    # learned.fingerprint of the pairs: two versions with the same one saw the same pairs.
    fingerprint = models.CharField(_("训练数据指纹"), max_length=64)
    # learned.py's counts, and the index it was learned on (articles, dimensions).
    info = models.JSONField(_("训练信息"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("检索排序模型")
        verbose_name_plural = _("检索排序模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="knowledge_one_active_ranking",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"
