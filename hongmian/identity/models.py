"""People, enterprises, staff and the organisation tree."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.identity.assurance import AssuranceLevel, AssuranceMethod
from hongmian.identity.permissions import PERSON_FULL_FIELDS_BY_ROLE
from hongmian.identity.scoping import ITSELF, RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import PUBLIC_ROLES, STAFF_ROLES, UNIT_SCOPED_ROLES, Role, UnitKind


class OrgUnit(BaseModel):
    """组织机构 — a node of the organisation tree: the city, a department, a district,
    a street or town, a community. `path` is a materialised path ("/1/7/42/") so that
    "this unit and all below it" is one indexed prefix query."""

    code = models.CharField(_("机构代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Official division code (GB/T 2260 + township) of the area this unit governs, if any.
    division_code = models.CharField(
        _("行政区划代码"),
        max_length=12,
        blank=True,
        db_index=True,
        validators=[
            RegexValidator(
                r"^\d{6}(\d{3}){0,2}$",
                _("行政区划代码应为6、9或12位数字"),
                code="org_unit.division_code",
            )
        ],
    )
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    # The units whose records a user sees: every unit city-wide, a subtree for unit roles.
    scopes: ClassVar[Scopes] = {"view": Scope(unit=ITSELF)}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        # `createsuperuser` must not leave a superuser with the default citizen role,
        # which would see only its own records everywhere outside the admin.
        extra.setdefault("role", Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """用户 — anyone who logs in: a citizen, an enterprise representative or a member of staff.
    Staff belong to one organisation unit; the role decides what they may see and do."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.CITIZEN)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    elder_mode = models.BooleanField(_("长者模式"), default=False)
    language = models.CharField(
        _("界面语言"),
        max_length=8,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="identity_user_role_valid"
            ),
            # A handler without a unit would see nothing, or — worse — be mistaken for city-wide.
            models.CheckConstraint(
                condition=~Q(role__in=sorted(UNIT_SCOPED_ROLES)) | Q(org_unit__isnull=False),
                name="identity_user_unit_role_has_unit",
                violation_error_code="user.org_unit_required",
                violation_error_message=_("该角色必须指定所属机构"),
            ),
            # The public belong to no unit: a unit would grant them the unit's records.
            models.CheckConstraint(
                condition=~Q(role__in=sorted(PUBLIC_ROLES)) | Q(org_unit__isnull=True),
                name="identity_user_public_role_no_unit",
                violation_error_code="user.org_unit_forbidden",
                violation_error_message=_("市民和企业代表不能属于任何机构"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class Person(BaseModel):
    """自然人 — a real-name resident. ID number, mobile and address are personal data:
    read them through `selectors.access_person`, which masks and audits."""

    user = models.OneToOneField(
        User,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(_("姓名"), max_length=50)
    resident_id = models.CharField(_("身份证号码"), max_length=18, unique=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    # 实名认证等级: raised only by services.person_assurance_raise (audited, upwards only).
    assurance_level = models.PositiveSmallIntegerField(
        _("实名认证等级"), choices=AssuranceLevel.choices, default=AssuranceLevel.L1
    )
    assurance_method = models.CharField(
        _("认证方式"),
        max_length=32,
        choices=AssuranceMethod.choices,
        default=AssuranceMethod.SELF_REGISTERED,
    )
    assured_at = models.DateTimeField(_("认证时间"), null=True, blank=True)

    # Who opens a person's file (docs/decisions/0005): the roles of the masking table open
    # anyone's; everybody else only their own.
    scopes: ClassVar[Scopes] = {
        "view": Scope(city_wide=frozenset(PERSON_FULL_FIELDS_BY_ROLE), owners=("user",))
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")
        constraints = [
            models.CheckConstraint(
                condition=Q(assurance_level__in=AssuranceLevel.values),
                name="identity_person_assurance_level_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def real_name_verified(self) -> bool:
        """实名认证 as the house used it before levels: verified means L2 or above."""
        return self.assurance_level >= AssuranceLevel.L2

    @real_name_verified.setter
    def real_name_verified(self, value: bool) -> None:
        # Lets `Person(real_name_verified=True)` (fixtures, old callers) keep working.
        if value and self.assurance_level < AssuranceLevel.L2:
            self.assurance_level = AssuranceLevel.L2
            self.assurance_method = AssuranceMethod.LEGACY
        elif not value:
            self.assurance_level = AssuranceLevel.L1
            self.assurance_method = AssuranceMethod.SELF_REGISTERED


class Enterprise(BaseModel):
    """法人 / 企业 — an enterprise or organisation identified by its unified social credit code."""

    name = models.CharField(_("名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("联系电话"), max_length=11, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    representatives = models.ManyToManyField(
        User, verbose_name=_("代表人"), blank=True, related_name="enterprises"
    )

    # Staff see every enterprise; a representative the ones it acts for.
    scopes: ClassVar[Scopes] = {"view": Scope(city_wide=STAFF_ROLES, owners=("representatives",))}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name


class StaffProfile(BaseModel):
    """工作人员档案 — the job facts of a member of staff (the unit is on the User)."""

    user = models.OneToOneField(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="staff_profile"
    )
    employee_no = models.CharField(_("工号"), max_length=32, unique=True)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    office_phone = models.CharField(_("办公电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工作人员档案")
        verbose_name_plural = _("工作人员档案")

    def __str__(self) -> str:
        return f"{self.employee_no} {self.user}"


class ApiKey(BaseModel):
    """API 密钥 — lets a program (an Open311 client, a partner platform, a script) act as one
    account. Only a SHA-256 digest of the key is stored: the key itself is shown once, when
    it is issued. `prefix` is the public part of the key, kept in clear to find the row
    without scanning; the digest is then compared in constant time."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16, unique=True)
    digest = models.CharField(_("摘要"), max_length=64)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
