"""The service-item catalogue (政务服务事项目录): items with the national standard's elements,
their versions, the materials they ask for, and the life events that bundle them."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hongmian.catalog.states import (
    Audience,
    ItemLevel,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
)
from hongmian.core.models import BaseModel, ReviewedVersion
from hongmian.core.reviews import VersionState, version_constraints
from hongmian.identity.models import OrgUnit
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import UNIT_SCOPED_ROLES, Role

CODE_MAX = 64
NAME_MAX = 200
SLUG_MAX = 64

# 实名认证等级 an item may ask for (identity.assurance.AssuranceLevel: L1 self-registered,
# L2 ID number and phone checked, L3 in person or by face check). Kept as plain numbers here
# so that the catalogue's schema does not depend on the identity module's labels.
REQUIRED_LEVEL_CHOICES = [
    (1, _("L1 注册用户")),
    (2, _("L2 实名核验")),
    (3, _("L3 当面或刷脸核验")),
]


def served_q(*, on: dt.date) -> Q:
    """Items served to everyone on day `on`: published and inside their effective dates."""
    return (
        Q(status=ItemStatus.PUBLISHED)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    )


def _served_to(user: Any, on: dt.date) -> Q:
    return served_q(on=on)


# Who sees drafts, items under review and retired items: the implementing department's staff
# (and those above it), the service-and-data bureau city-wide, the administrators.
_MANAGED = Scope(
    city_wide=frozenset({Role.SYSTEM_ADMIN, Role.CHIEF_DATA_OFFICER}),
    superusers=True,
    unit="department",
    unit_roles=UNIT_SCOPED_ROLES,
)


class CertificateType(BaseModel):
    """电子证照类型 — a kind of e-certificate (居民身份证, 营业执照, 结婚证 …) that can stand in
    for a paper material. Issue 13 issues them; the catalogue only names them."""

    code = models.CharField(_("证照类型代码"), max_length=CODE_MAX, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("电子证照类型")
        verbose_name_plural = _("电子证照类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MainItem(BaseModel):
    """主项 — an item of the basic catalogue that is handled through its sub-items (子项):
    户口登记 through 户口恢复, 户口注销 … A sub-item is a ServiceItem whose `main_item` is set;
    a main item is never applied for itself."""

    name = models.CharField(_("主项名称"), max_length=NAME_MAX)
    # The official code of the main item where the catalogue gives one.
    code = models.CharField(_("主项编码"), max_length=CODE_MAX, blank=True)
    department = models.ForeignKey(
        OrgUnit, verbose_name=_("实施机构"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("主项")
        verbose_name_plural = _("主项")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="catalog_main_item_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceItem(BaseModel):
    """政务服务事项 — one item of the implementation list (实施清单): what a person or an
    enterprise applies for, to which department, on what conditions, with which materials,
    in how many working days.

    The content fields hold what is served: once published, the approved content of the live
    ServiceItemVersion; before that, the draft. An edit of a published item goes to a new
    version and replaces these fields (and the materials) only when approved. The item is
    the version line: its `code` is unique across the catalogue."""

    code = models.CharField(_("事项编码"), max_length=CODE_MAX, unique=True)
    name = models.CharField(_("事项名称"), max_length=NAME_MAX)
    department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("实施机构"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    main_item = models.ForeignKey(
        MainItem,
        verbose_name=_("所属主项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_items",
    )
    item_type = models.CharField(
        _("事项类型"), max_length=16, choices=ItemType.choices, default=ItemType.PUBLIC_SERVICE
    )
    level = models.CharField(
        _("行使层级"), max_length=16, choices=ItemLevel.choices, default=ItemLevel.CITY
    )
    summary = models.TextField(_("事项简介"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    # Working days (core.calendar); None: the law sets no limit / the item is answered at once.
    legal_limit_days = models.PositiveIntegerField(
        _("法定办结时限（工作日）"), null=True, blank=True
    )
    promised_limit_days = models.PositiveIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True
    )
    charges_fee = models.BooleanField(_("是否收费"), default=False)
    fee_note = models.TextField(_("收费标准"), blank=True)
    online_depth = models.PositiveSmallIntegerField(
        _("网办深度"), choices=OnlineDepth.choices, default=OnlineDepth.INFO
    )
    # Channel codes (states.Channel); a free list until the halls arrive (issue 14).
    channels = models.JSONField(_("办理渠道"), default=list, blank=True)
    appointment_required = models.BooleanField(_("需预约"), default=False)
    # 跨域通办: the cities where the item may also be applied for.
    partner_cities = models.JSONField(_("跨域通办城市"), default=list, blank=True)
    code_service = models.BooleanField(_("码上办"), default=False)
    for_persons = models.BooleanField(_("面向自然人"), default=True)
    for_enterprises = models.BooleanField(_("面向法人"), default=False)
    required_level = models.PositiveSmallIntegerField(
        _("所需实名等级"),
        choices=REQUIRED_LEVEL_CHOICES,
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    # Inclusive: the item is served on this day and not after it.
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ItemStatus.choices,
        default=ItemStatus.DRAFT,
        db_index=True,
    )
    # The number of the version being served (0: never published).
    revision = models.PositiveIntegerField(_("现行版本"), default=0)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # Where the item came from ("import:<file>", "demo", "" when written by hand).
    source = models.CharField(_("来源"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scopes: ClassVar[Scopes] = {
        "view": Scope(
            city_wide=_MANAGED.city_wide,
            superusers=True,
            unit="department",
            unit_roles=_MANAGED.unit_roles,
            public=_served_to,
        ),
        "manage": _MANAGED,
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ItemStatus]),
                name="catalog_item_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(item_type__in=[t.value for t in ItemType]),
                name="catalog_item_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(level__in=[lv.value for lv in ItemLevel]),
                name="catalog_item_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(online_depth__gte=1, online_depth__lte=4),
                name="catalog_item_online_depth_valid",
            ),
            models.CheckConstraint(
                condition=Q(required_level__gte=1, required_level__lte=3),
                name="catalog_item_required_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="catalog_item_validity_ordered",
                violation_error_code="service_item.validity_invalid",
                violation_error_message=_("失效日期不能早于生效日期"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "department"], name="catalog_item_served_dept"),
            models.Index(fields=["status", "item_type"], name="catalog_item_served_type"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def audiences(self) -> list[str]:
        return [
            a
            for a, on in (
                (Audience.PERSON, self.for_persons),
                (Audience.ENTERPRISE, self.for_enterprises),
            )
            if on
        ]


class Material(BaseModel):
    """申请材料 — one material an item asks for, as served (the live version's list). Which
    e-certificate types satisfy it lets the portal tell a person what they already hold."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=NAME_MAX)
    form = models.CharField(
        _("材料形式"), max_length=16, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    source = models.CharField(
        _("来源渠道"),
        max_length=16,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    required = models.BooleanField(_("必要"), default=True)
    note = models.TextField(_("填报须知"), blank=True)
    certificate_types = models.ManyToManyField(
        CertificateType, verbose_name=_("可用电子证照"), blank=True, related_name="materials"
    )

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(form__in=[f.value for f in MaterialForm]),
                name="catalog_material_form_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in MaterialSource]),
                name="catalog_material_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceItemVersion(ReviewedVersion):
    """事项版本 — one content of an item: the one waiting for review (at most one per item),
    the one being served, and every one served before it (the history).

    `content` holds every content field of the item and its materials, as
    services.content_of writes it; approval applies it to the item (services.versions)."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(
        _("状态"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    content = models.JSONField(_("内容"), default=dict)
    # The day the content takes effect once approved (None: on approval).
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "-number"]
        constraints = version_constraints(
            parent="item", prefix="catalog", pending_code="service_item_version.pending_exists"
        )

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class LifeEvent(BaseModel):
    """主题服务 / 一件事 — a moment of life (出生, 结婚, 开办餐饮店, 退休 …) and the items it
    takes, in the order a person meets them."""

    slug = models.SlugField(_("标识"), max_length=SLUG_MAX, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    audience = models.CharField(
        _("服务对象"), max_length=16, choices=Audience.choices, default=Audience.PERSON
    )
    description = models.TextField(_("说明"), blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    items = models.ManyToManyField(
        ServiceItem, verbose_name=_("事项"), blank=True, related_name="life_events"
    )

    class Meta:
        verbose_name = _("主题服务")
        verbose_name_plural = _("主题服务")
        ordering = ["position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=[a.value for a in Audience]),
                name="catalog_life_event_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
