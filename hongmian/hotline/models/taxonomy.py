"""What a request is about and who handles it: the category tree, the dispatch catalogue
and the SLA rules. Administrators edit all three; every edit is audited."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.states import CatalogueStatus, ClockUnit, Priority, RequestType


class Category(BaseModel):
    """诉求分类 — a node of the three-level taxonomy (一级/二级/三级). The code doubles as the
    Open311 service_code."""

    code = models.CharField(_("分类代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("说明"), blank=True)
    # Words that suggest this category; a hint for agents and the first classifier.
    keywords = models.CharField(_("关键词"), max_length=500, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="hotline_category_level_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="hotline_category_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DispatchCatalogue(BaseModel):
    """派单目录版本 — one version of the dispatch catalogue. Exactly one is active; a new
    version is drafted, reviewed and activated as a whole, so dispatch never sees half an edit."""

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CatalogueStatus.choices, default=CatalogueStatus.DRAFT
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=CatalogueStatus.ACTIVE),
                name="hotline_one_active_catalogue",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"


class DispatchRule(BaseModel):
    """派单规则 — category × area → lead unit (+ co-handlers). The most specific rule wins:
    a level-3 category over its parents, a street over its district over the whole city."""

    catalogue = models.ForeignKey(
        DispatchCatalogue,
        verbose_name=_("目录版本"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="dispatch_rules"
    )
    # 9-digit division code of a district or street; blank means the whole city.
    area_code = models.CharField(_("区域代码"), max_length=9, blank=True)
    lead_unit = models.ForeignKey(
        "identity.OrgUnit", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        "identity.OrgUnit", verbose_name=_("协办单位"), blank=True, related_name="+"
    )
    # When the lead unit is a district government: the order goes on to the street office of
    # the order's street (二次派单) automatically if one is known.
    dispatch_to_street = models.BooleanField(_("自动下派到街镇"), default=False)
    basis = models.CharField(_("职责依据"), max_length=300, blank=True)  # 三定 / 权责清单

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "category", "area_code"], name="hotline_rule_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.area_code or '全市'} → {self.lead_unit}"


class SlaRule(BaseModel):
    """时限规则 — how long each clock of an order may run. Blank criteria match anything; the
    rule matching the most criteria wins (emergency tag, then priority, category, type)."""

    name = models.CharField(_("名称"), max_length=100)
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    request_type = models.CharField(
        _("诉求类型"), max_length=16, choices=RequestType.choices, blank=True
    )
    priority = models.CharField(_("优先级"), max_length=16, choices=Priority.choices, blank=True)
    # Applies only to orders tagged as coming from an emergency zone (三区-style tag).
    emergency_zone = models.BooleanField(_("应急区域"), default=False)
    unit = models.CharField(_("计时方式"), max_length=16, choices=ClockUnit.choices)
    acknowledge_limit = models.DecimalField(_("签收时限"), max_digits=6, decimal_places=2)
    first_response_limit = models.DecimalField(_("首次响应时限"), max_digits=6, decimal_places=2)
    resolution_limit = models.DecimalField(_("办结时限"), max_digits=6, decimal_places=2)
    # Share of the allowed time after which the light turns yellow.
    yellow_ratio = models.DecimalField(_("预警比例"), max_digits=3, decimal_places=2, default=0.8)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_ratio__gt=0, yellow_ratio__lt=1), name="hotline_sla_yellow_ratio"
            ),
            models.CheckConstraint(
                condition=Q(
                    acknowledge_limit__gt=0, first_response_limit__gt=0, resolution_limit__gt=0
                ),
                name="hotline_sla_limits_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name
