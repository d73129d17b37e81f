"""The city code (红棉码): each person's pseudonymous code id, the revoked signing keys, the
terminals that scan codes and their scan log, status attributes set by authorised
departments, and the anomaly alerts raised from the scan log (docs/decisions/0062)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.citycode.states import (
    DEFAULT_SHARED,
    OPEN_MEMBER_STATUSES,
    REGISTRY_ROLES,
    UNIT_READER_ROLES,
    AlertKind,
    AttributeStatus,
    MemberStatus,
    ScanResult,
    TerminalKind,
)
from hongmian.core.models import BaseModel
from hongmian.identity.models import OrgUnit, Person
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes


def _default_shared() -> list[str]:
    return list(DEFAULT_SHARED)


class CodeHolder(BaseModel):
    """红棉码持有人 — a person's code id: the random, pseudonymous `sub` every code they show
    carries. Never the ID number, name or phone; re-issuing gives a new id and the old one
    resolves to nothing (`unknown_code`). `shared` is the person's consent: what a terminal
    whose scope allows it may learn (states.IdentityField)."""

    person = models.OneToOneField(
        Person, verbose_name=_("自然人"), on_delete=models.CASCADE, related_name="citycode"
    )
    code_id = models.CharField(_("码标识"), max_length=24, unique=True)
    reissued_at = models.DateTimeField(_("重新申领时间"), null=True, blank=True)
    shared = models.JSONField(_("授权终端查看"), default=_default_shared)

    class Meta:
        verbose_name = _("红棉码持有人")
        verbose_name_plural = _("红棉码持有人")

    def __str__(self) -> str:
        return self.code_id


class KeyRevocation(BaseModel):
    """密钥吊销 — a city code signing key that must no longer be trusted: it is retired from
    the keyring (no longer in the JWK Set) and listed as revoked in keys.json, so that an
    offline verifier still holding an older key set refuses what it signed."""

    kid = models.CharField(_("密钥标识"), max_length=64, unique=True)
    reason = models.CharField(_("原因"), max_length=200)
    revoked_at = models.DateTimeField(_("吊销时间"))

    class Meta:
        verbose_name = _("密钥吊销")
        verbose_name_plural = _("密钥吊销")
        ordering = ["-revoked_at", "-id"]

    def __str__(self) -> str:
        return self.kid


class AttributeType(BaseModel):
    """状态属性类型 — a kind of status a department sets on a person's code (an eligibility, the
    elderly-care flag, a health-style status). Only `authorised_units` (and units below
    them) set it."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    # The values a unit may set ("green", "yellow" …); empty means any short text.
    values = models.JSONField(_("可选值"), default=list, blank=True)
    default_days = models.PositiveSmallIntegerField(_("默认有效天数"), default=30)
    authorised_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("授权部门"), related_name="citycode_attribute_types", blank=True
    )

    class Meta:
        verbose_name = _("状态属性类型")
        verbose_name_plural = _("状态属性类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Attribute(BaseModel):
    """状态属性 — one value of a type on a person's code, valid from `valid_from` until
    `valid_until`, set by a unit authorised for the type. Changed only by transitions
    (states.ATTRIBUTE_TRANSITIONS): a new value supersedes the active one, or the unit
    clears it."""

    holder = models.ForeignKey(
        CodeHolder, verbose_name=_("持有人"), on_delete=models.CASCADE, related_name="attributes"
    )
    type = models.ForeignKey(
        AttributeType, verbose_name=_("类型"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.CharField(_("值"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=16, choices=AttributeStatus.choices, default=AttributeStatus.ACTIVE
    )
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("有效期至"))
    set_by_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("设置单位"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("状态属性")
        verbose_name_plural = _("状态属性")
        ordering = ["type__code", "-valid_from", "-id"]
        constraints = [
            # One active value of a type at a time: a second set supersedes the first.
            models.UniqueConstraint(
                fields=["holder", "type"],
                condition=Q(status=AttributeStatus.ACTIVE),
                name="citycode_attribute_one_active",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")),
                name="citycode_attribute_valid_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_id}={self.value}"


class Terminal(BaseModel):
    """核验终端 — a device that scans city codes: a hall's check-in, a metro gate, a bus
    reader. It belongs to an owner unit (which gets its alerts) and calls the API with an API
    key of its own account (`account`, made by `terminal_register`); `identity_fields` and
    `attribute_types` are its scope: what, beyond valid/invalid, it may learn."""

    code = models.SlugField(_("终端编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=TerminalKind.choices)
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    place_name = models.CharField(_("地点"), max_length=100)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    is_enabled = models.BooleanField(_("启用"), default=True)
    identity_fields = models.JSONField(_("可见身份信息"), default=list, blank=True)
    attribute_types = models.ManyToManyField(
        AttributeType, verbose_name=_("可见状态属性"), blank=True, related_name="+"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接入账号"),
        on_delete=models.PROTECT,
        related_name="citycode_terminal",
    )

    # The registry's keepers see every terminal; the owner unit's staff theirs (and below).
    scopes: ClassVar[Scopes] = {
        "view": Scope(city_wide=REGISTRY_ROLES, unit="owner_unit", unit_roles=UNIT_READER_ROLES)
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("核验终端")
        verbose_name_plural = _("核验终端")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="citycode_terminal_coordinates_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Scan(models.Model):
    """核验记录 — one scan by a terminal: when, the answer, and the code id and nonce it
    carried. Never the person's data: who it was is found, when needed, from the code id."""

    terminal = models.ForeignKey(
        Terminal, verbose_name=_("终端"), on_delete=models.PROTECT, related_name="scans"
    )
    scanned_at = models.DateTimeField(_("核验时间"))
    result = models.CharField(_("结果"), max_length=16, choices=ScanResult.choices)
    # Blank when the payload could not be read (malformed, bad signature).
    code_id = models.CharField(_("码标识"), max_length=24, blank=True)
    nonce = models.CharField(_("随机数"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("核验记录")
        verbose_name_plural = _("核验记录")
        ordering = ["-scanned_at", "-id"]
        indexes = [
            # A terminal's log newest first, and its rate over a window (anomalies).
            models.Index(fields=["terminal", "scanned_at", "id"], name="citycode_scan_terminal"),
            # The same code's previous scan (impossible travel).
            models.Index(
                fields=["code_id", "scanned_at"],
                condition=~Q(code_id=""),
                name="citycode_scan_code",
            ),
            # A displayed code already resolved elsewhere (replay).
            models.Index(fields=["nonce"], condition=~Q(nonce=""), name="citycode_scan_nonce"),
        ]

    def __str__(self) -> str:
        return f"{self.terminal_id} {self.scanned_at:%Y-%m-%d %H:%M:%S} {self.result}"


class Alert(BaseModel):
    """核验预警 — an anomaly found in the scan log, sent to the terminal's owner unit as a
    hotline task (channel `system`). `dedupe_key` makes each anomaly raise one task."""

    kind = models.CharField(_("类型"), max_length=24, choices=AlertKind.choices)
    terminal = models.ForeignKey(
        Terminal, verbose_name=_("终端"), on_delete=models.PROTECT, related_name="alerts"
    )
    dedupe_key = models.CharField(_("去重键"), max_length=100, unique=True)
    detail = models.JSONField(_("详情"), default=dict)
    work_order = models.ForeignKey(
        "hotline.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("核验预警")
        verbose_name_plural = _("核验预警")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.terminal_id}"


class CollectiveCode(BaseModel):
    """集体码 — an organisation's code (an enterprise's, or a unit's) that lists its members'
    statuses for its administrator (the enterprise's representatives; the unit's managers)
    and for a terminal that scans it. `attribute_types` are the statuses it asks its
    members to share; each member chooses which of them they do (CollectiveMember)."""

    name = models.CharField(_("名称"), max_length=100)
    enterprise = models.OneToOneField(
        "identity.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="collective_code",
    )
    org_unit = models.OneToOneField(
        OrgUnit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="collective_code",
    )
    # Random, like a person's code id: what the signed collective QR carries as `sub`.
    code_id = models.CharField(_("码标识"), max_length=24, unique=True)
    attribute_types = models.ManyToManyField(
        AttributeType, verbose_name=_("请求查看的状态"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("集体码")
        verbose_name_plural = _("集体码")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, org_unit__isnull=True)
                | Q(enterprise__isnull=True, org_unit__isnull=False),
                name="citycode_collective_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CollectiveMember(BaseModel):
    """A person's membership of a collective code: invited by the administrator, then
    consented (with the types they share) or declined; left at any time. Changed only by
    transitions (states.MEMBER_TRANSITIONS)."""

    collective = models.ForeignKey(
        CollectiveCode, verbose_name=_("集体码"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("成员"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    # What the member consented to show the organisation (a subset of what it asks).
    shared_types = models.ManyToManyField(
        AttributeType, verbose_name=_("同意共享的状态"), blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("邀请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    left_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("集体码成员")
        verbose_name_plural = _("集体码成员")
        ordering = ["collective", "status", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "person"],
                condition=Q(status__in=OPEN_MEMBER_STATUSES),
                name="citycode_member_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.collective_id}:{self.person_id} {self.status}"
