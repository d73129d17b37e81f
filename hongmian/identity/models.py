"""People, enterprises, staff and the organisation tree."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.identity.assurance import AssuranceLevel, AssuranceMethod
from hongmian.identity.permissions import PERSON_LOOKUP_ROLES
from hongmian.identity.scoping import ITSELF, RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import (
    PUBLIC_ROLES,
    STAFF_ROLES,
    UNIT_SCOPED_ROLES,
    MandateAgent,
    MandateEvidence,
    MandateScope,
    MandateStatus,
    Role,
    UnitKind,
)


def new_public_id() -> str:
    """22 URL-safe characters of randomness (128 bits): the id a person or an enterprise
    is known by outside the database, which says nothing of how many came before it and
    cannot be guessed from a neighbour's (decision 0074)."""
    return secrets.token_urlsafe(16)


PUBLIC_ID_LENGTH = 22


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
    # The API's id for the person; the sequential primary key never leaves the database.
    public_id = models.CharField(
        _("公开标识"),
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
        editable=False,
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

    # Who looks a person up (decisions 0005, 0074): the roles that see every field masked
    # look anyone up; the roles that see some field in full reach a person only in a service
    # context (selectors.access_person checks it); everybody else only their own.
    scopes: ClassVar[Scopes] = {"view": Scope(city_wide=PERSON_LOOKUP_ROLES, owners=("user",))}
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

    # The API's id for the enterprise (as for a person: never the sequential key).
    public_id = models.CharField(
        _("公开标识"),
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
        editable=False,
    )
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


# --- person file and enterprise file (一人一档 / 一企一档), decision 0044 -----------------

# Exactly one subject: a row belongs to a person's file or to an enterprise's, never both.
_ONE_SUBJECT = Q(person__isnull=False, enterprise__isnull=True) | Q(
    person__isnull=True, enterprise__isnull=False
)


class FilePush(BaseModel):
    """档案推送批次 — one batch of field values a department pushed. The batch id is the
    department's own: sending the same batch again is answered from here (idempotent), and
    the digest tells a true retry from a different batch reusing an id."""

    source = models.ForeignKey(
        OrgUnit, verbose_name=_("来源部门"), on_delete=models.PROTECT, related_name="+"
    )
    batch_id = models.CharField(_("批次号"), max_length=64)
    digest = models.CharField(_("内容摘要"), max_length=64)
    pushed_by = models.ForeignKey(
        User,
        verbose_name=_("推送账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    record_count = models.PositiveIntegerField(_("记录数"))
    created_count = models.PositiveIntegerField(_("新增数"))
    updated_count = models.PositiveIntegerField(_("更新数"))
    # Records older than the value already held (by as_of) are kept out, not applied.
    stale_count = models.PositiveIntegerField(_("过期数"))

    class Meta:
        verbose_name = _("档案推送批次")
        verbose_name_plural = _("档案推送批次")
        constraints = [
            models.UniqueConstraint(fields=["source", "batch_id"], name="identity_filepush_batch")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.batch_id}"


class FileValue(BaseModel):
    """档案字段值 — one field of a person's or an enterprise's file, as its department
    supplied it: the value, the department (source) and the date the department's record
    is as of. The fields themselves are declared in identity/file_fields.py."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("自然人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="file_values",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="file_values",
    )
    field_key = models.CharField(_("字段"), max_length=64)
    value = models.JSONField(_("值"))
    source = models.ForeignKey(
        OrgUnit, verbose_name=_("来源部门"), on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateTimeField(_("数据日期"))
    push = models.ForeignKey(
        FilePush,
        verbose_name=_("推送批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("档案字段值")
        verbose_name_plural = _("档案字段值")
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="identity_filevalue_one_subject"),
            models.UniqueConstraint(
                fields=["person", "field_key"],
                condition=Q(person__isnull=False),
                name="identity_filevalue_person_field",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "field_key"],
                condition=Q(enterprise__isnull=False),
                name="identity_filevalue_enterprise_field",
            ),
        ]

    def __str__(self) -> str:
        return self.field_key


class Consent(BaseModel):
    """授权 — the owner's consent that one use (a service, a purpose) may read some fields of
    their file until a date. Revoking sets revoked_at and takes effect at once: every read
    checks it (selectors.person_file_read)."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("自然人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("授权人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A stable key the reading service passes ("application.prefill"), and who asked.
    purpose = models.CharField(_("用途"), max_length=100)
    requester = models.CharField(_("使用方"), max_length=200)
    fields = models.JSONField(_("授权字段"))
    granted_at = models.DateTimeField(_("授权时间"))
    valid_until = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="identity_consent_one_subject"),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("granted_at")),
                name="identity_consent_valid_after_granted",
            ),
        ]
        indexes = [models.Index(fields=["person", "purpose"], name="identity_consent_purpose")]

    def __str__(self) -> str:
        return f"{self.requester}: {self.purpose}"


class FileUse(models.Model):
    """档案使用记录 — who read which fields of a file, when and for what (PIPL's right to
    know). Written with every read through the access functions; the owner sees them all."""

    used_at = models.DateTimeField(_("使用时间"), auto_now_add=True, db_index=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("自然人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="file_uses",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="file_uses",
    )
    fields = models.JSONField(_("使用字段"))
    purpose = models.CharField(_("用途"), max_length=100)
    requester = models.CharField(_("使用方"), max_length=200)
    # Consents are revoked, never deleted; a use goes only with its person (or enterprise).
    consent = models.ForeignKey(
        Consent, verbose_name=_("授权"), on_delete=models.CASCADE, related_name="uses"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("使用账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the owner is shown: the reader's unit (or "系统"), never a staff member's name.
    reader_label = models.CharField(_("使用者"), max_length=150)
    # The authorisation an agent read under (帮办代办): the owner sees who acted for them.
    mandate = models.ForeignKey(
        "Mandate",
        verbose_name=_("委托授权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="file_uses",
    )

    class Meta:
        verbose_name = _("档案使用记录")
        verbose_name_plural = _("档案使用记录")
        ordering = ["-used_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="identity_fileuse_one_subject")
        ]

    def __str__(self) -> str:
        return f"{self.requester} {self.used_at:%Y-%m-%d}"


class Mandate(BaseModel):
    """委托授权 — a person lets an agent act for them (帮办代办): a relative (another
    registered person) or the staff of a service hall. It says what for (items, the items of
    a life event, or applications generally; whether the agent may read the person's file),
    from when to when, and on what evidence (an uploaded 授权委托书, or the person present at a
    hall with the ID card read by named staff). Revocable by the person at any time; every
    status change is a transition (states.MANDATE_FLOW). Decision 0072."""

    principal = models.ForeignKey(
        Person, verbose_name=_("委托人"), on_delete=models.PROTECT, related_name="mandates"
    )
    agent_kind = models.CharField(_("受托方式"), max_length=16, choices=MandateAgent.choices)
    # A relative: their account (they act signed in as themselves).
    agent = models.ForeignKey(
        User,
        verbose_name=_("受托人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mandates_received",
    )
    # A hall: the unit that runs it (its hall staff act) and the hall itself, by code/name.
    agent_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("受托大厅单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hall_code = models.CharField(_("大厅编码"), max_length=32, blank=True)
    hall_name = models.CharField(_("大厅"), max_length=100, blank=True)
    scope = models.CharField(_("授权范围"), max_length=16, choices=MandateScope.choices)
    # The catalogue item codes covered (ITEMS and LIFE_EVENT; empty for APPLICATIONS).
    item_codes = models.JSONField(_("授权事项"), default=list, blank=True)
    life_event = models.CharField(_("一件事"), max_length=100, blank=True)
    read_file = models.BooleanField(_("可读取本人档案"), default=False)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("有效期至"))
    evidence = models.CharField(_("授权依据"), max_length=16, choices=MandateEvidence.choices)
    # The uploaded letter (core.upload_content: sniffed type, size, SHA-256).
    document_name = models.CharField(_("委托书文件名"), max_length=200, blank=True)
    document_storage = models.CharField(max_length=300, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    # The in-person check: who read the ID card (the hall is hall_code/hall_name).
    checked_by = models.ForeignKey(
        User,
        verbose_name=_("核验人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("委托授权")
        verbose_name_plural = _("委托授权")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MandateStatus]),
                name="identity_mandate_status_valid",
            ),
            # A relative has an account; a hall has its unit: never neither, never both.
            models.CheckConstraint(
                condition=Q(
                    agent_kind=MandateAgent.RELATIVE,
                    agent__isnull=False,
                    agent_unit__isnull=True,
                )
                | Q(agent_kind=MandateAgent.HALL, agent__isnull=True, agent_unit__isnull=False),
                name="identity_mandate_one_agent",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")),
                name="identity_mandate_valid_after_from",
            ),
            # Evidence is never missing: a letter's digest, or the staff who checked.
            models.CheckConstraint(
                condition=Q(evidence=MandateEvidence.DOCUMENT, document_sha256__regex=r"^.{64}$")
                | Q(
                    evidence__in=[MandateEvidence.IN_PERSON, MandateEvidence.CITYCODE_SCAN],
                    checked_by__isnull=False,
                ),
                name="identity_mandate_has_evidence",
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "status"], name="identity_mandate_agent"),
            models.Index(fields=["agent_unit", "status"], name="identity_mandate_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.principal_id} → {self.agent_id or self.hall_code}"
