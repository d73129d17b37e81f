"""The data resource catalogue (政务数据资源目录): datasets, their fields with classification
and grade, their schema versions and lineage; the sources that feed them and every
ingestion run with its quality figures."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.datahub.states import (
    CallOutcome,
    Frequency,
    Grade,
    OpenType,
    RequestStatus,
    RunOutcome,
    SharingType,
    SourceKind,
)
from hongmian.identity.models import OrgUnit
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import CITY_WIDE_ROLES, UNIT_SCOPED_ROLES, Role

CODE_MAX = 64

# Every staff member reads the catalogue (GB/T 21063: a catalogue lists every resource, even
# one that is not shared, so that departments know it exists); the public reads the DCAT
# export only. The provider's data stewards and the chief data officer edit.
_CATALOGUE = Scope(
    city_wide=CITY_WIDE_ROLES | UNIT_SCOPED_ROLES,
    superusers=True,
    unit="provider",
    unit_roles=UNIT_SCOPED_ROLES,
)
_STEWARDS = Scope(
    city_wide=frozenset({Role.CHIEF_DATA_OFFICER, Role.SYSTEM_ADMIN}),
    superusers=True,
    unit="provider",
    unit_roles=frozenset({Role.DATA_STEWARD, Role.DEPT_MANAGER}),
)


class Dataset(BaseModel):
    """数据资源 — one table a department provides, with its catalogue metadata and its
    current Table Schema (`schema`, Frictionless Data). A schema change makes a new
    DatasetVersion and bumps `version`."""

    code = models.CharField(_("资源代码"), max_length=CODE_MAX, unique=True)
    name = models.CharField(_("资源名称"), max_length=200)
    provider = models.ForeignKey(
        OrgUnit, verbose_name=_("提供单位"), on_delete=models.PROTECT, related_name="datasets"
    )
    summary = models.TextField(_("摘要"), blank=True)
    update_frequency = models.CharField(
        _("更新周期"), max_length=16, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    format = models.CharField(_("资源格式"), max_length=32, default="CSV")
    sharing_type = models.CharField(
        _("共享类型"), max_length=16, choices=SharingType.choices, default=SharingType.CONDITIONAL
    )
    sharing_conditions = models.TextField(_("共享条件"), blank=True)
    legal_basis = models.TextField(_("不予共享/有条件共享依据"), blank=True)
    open_type = models.CharField(
        _("开放类型"), max_length=16, choices=OpenType.choices, default=OpenType.NOT_OPEN
    )
    themes = models.JSONField(_("主题"), default=list, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("数据责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chief_data_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首席数据官"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Lineage: the datasets this one is derived from, and the pipeline or system that makes it.
    upstream = models.ManyToManyField(
        "self",
        verbose_name=_("上游数据资源"),
        symmetrical=False,
        blank=True,
        related_name="downstream",
    )
    pipeline = models.CharField(_("加工流程/来源系统"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("当前版本"), default=1)
    schema = models.JSONField(_("表结构（Table Schema）"), default=dict)
    row_count = models.PositiveBigIntegerField(_("记录数"), default=0)
    last_loaded_at = models.DateTimeField(_("最近入库时间"), null=True, blank=True)

    scopes: ClassVar[Scopes] = {"view": _CATALOGUE, "edit": _STEWARDS}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据资源")
        verbose_name_plural = _("数据资源")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sharing_type__in=[s.value for s in SharingType]),
                name="datahub_dataset_sharing_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(update_frequency__in=[s.value for s in Frequency]),
                name="datahub_dataset_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DatasetField(BaseModel):
    """数据项 — one column of a dataset with its type, description, classification (分类)
    and grade (分级, GB/T 43697), and whether it holds personal information (个人信息)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("字段名"), max_length=100)
    title = models.CharField(_("中文名称"), max_length=200, blank=True)
    type = models.CharField(_("类型"), max_length=16)
    description = models.TextField(_("说明"), blank=True)
    classification = models.CharField(_("数据分类"), max_length=100, blank=True)
    grade = models.CharField(
        _("数据分级"), max_length=16, choices=Grade.choices, default=Grade.GENERAL
    )
    personal = models.BooleanField(_("个人信息"), default=False)
    constraints = models.JSONField(_("约束"), default=dict, blank=True)

    class Meta:
        verbose_name = _("数据项")
        verbose_name_plural = _("数据项")
        ordering = ["dataset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="datahub_field_unique_name"),
            models.CheckConstraint(
                condition=Q(grade__in=[g.value for g in Grade]), name="datahub_field_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DatasetVersion(BaseModel):
    """资源版本 — the schema a dataset had from `created_at` on; number 1 is the first."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    schema = models.JSONField(_("表结构"))
    note = models.CharField(_("变更说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("资源版本")
        verbose_name_plural = _("资源版本")
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "number"], name="datahub_version_unique_number"
            )
        ]


class DataSource(BaseModel):
    """数据来源 — where a dataset's rows come from (a drop folder, a PostgreSQL query, a
    JSON/REST interface), how (`config`, see services/connectors.py) and how often
    (`every_minutes`; 0: only on request)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=SourceKind.choices)
    config = models.JSONField(_("连接配置"), default=dict)
    every_minutes = models.PositiveIntegerField(_("采集间隔（分钟）"), default=0)
    enabled = models.BooleanField(_("启用"), default=True)
    next_run_at = models.DateTimeField(_("下次采集"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据来源")
        verbose_name_plural = _("数据来源")
        ordering = ["dataset", "name"]

    def __str__(self) -> str:
        return self.name


class IngestRun(BaseModel):
    """采集运行 — one ingestion of one file or source: what was read, loaded and rejected,
    the quality figures, or the reason it failed. `created_at` is when it started."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="runs")
    source = models.ForeignKey(
        DataSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    origin = models.CharField(_("来源"), max_length=300, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=RunOutcome.choices)
    error_code = models.CharField(_("错误代码"), max_length=64, blank=True)
    error_message = models.TextField(_("错误说明"), blank=True)
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_loaded = models.PositiveBigIntegerField(default=0)
    rows_inserted = models.PositiveBigIntegerField(default=0)
    rows_updated = models.PositiveBigIntegerField(default=0)
    rows_rejected = models.PositiveBigIntegerField(default=0)
    rejects_file = models.CharField(_("拒收文件"), max_length=500, blank=True)
    quality = models.JSONField(_("质量"), default=dict, blank=True)
    schema_version = models.PositiveIntegerField(default=1)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("采集运行")
        verbose_name_plural = _("采集运行")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dataset", "-created_at"], name="datahub_run_recent")]

    def report(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "quality": self.quality,
        }


# Sharing (issue 15 item 3, decision 0081). A request is seen by the consumer unit's stewards
# and manager (`mine`) and by the provider's (`inbox`); the city's data officers see all.
_SHARING_ROLES = frozenset({Role.DATA_STEWARD, Role.DEPT_MANAGER})
_SHARING_CITY = frozenset({Role.CHIEF_DATA_OFFICER, Role.SYSTEM_ADMIN})


class SharingRequest(BaseModel):
    """共享申请 — a consumer department asks for a 有条件共享 dataset: why (`purpose`), which
    fields, which rows (`row_filter`: field → value or list of values) and for which period.
    The provider approves (`granted_fields` ⊆ `requested_fields`, core-grade fields only
    when named in `core_granted`, a daily row quota) or refuses with a reason. An approved
    request is the consumer's grant until `valid_to` (then expired) or until the provider
    revokes it."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="sharing_requests")
    consumer = models.ForeignKey(
        OrgUnit, verbose_name=_("使用单位"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.TextField(_("用途"))
    requested_fields = models.JSONField(_("申请字段"), default=list)
    row_filter = models.JSONField(_("行过滤条件"), default=dict, blank=True)
    valid_from = models.DateField(_("使用期限自"))
    valid_to = models.DateField(_("使用期限至"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    granted_fields = models.JSONField(_("批准字段"), default=list, blank=True)
    core_granted = models.JSONField(_("明确授权的核心字段"), default=list, blank=True)
    quota_rows_per_day = models.PositiveIntegerField(_("每日行数配额"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.TextField(_("拒绝/撤销理由"), blank=True)

    scopes: ClassVar[Scopes] = {
        "mine": Scope(city_wide=_SHARING_CITY, unit="consumer", unit_roles=_SHARING_ROLES),
        "inbox": Scope(
            city_wide=_SHARING_CITY, unit="dataset__provider", unit_roles=_SHARING_ROLES
        ),
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dataset", "consumer", "status"], name="datahub_request_grant"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RequestStatus]),
                name="datahub_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="datahub_request_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} → {self.dataset.code}"


class SharingCall(BaseModel):
    """数据调用记录 — one call of the rows API: who (account and unit), which dataset under
    which grant, for what purpose, which fields and how many rows it got, or why it was
    refused. Written for every call; "who uses my data" counts these."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="calls")
    request = models.ForeignKey(
        SharingRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    consumer = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=16)
    purpose = models.TextField(_("用途"), blank=True)
    returned_fields = models.JSONField(_("返回字段"), default=list)
    rows = models.PositiveIntegerField(_("返回行数"), default=0)
    page = models.PositiveIntegerField(default=1)
    outcome = models.CharField(_("结果"), max_length=16, choices=CallOutcome.choices)

    class Meta:
        verbose_name = _("数据调用记录")
        verbose_name_plural = _("数据调用记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dataset", "consumer", "created_at"], name="datahub_call_usage"),
        ]


# The asset registry, usage counters and alerts live in their own module (CDO work, item 4).
from hongmian.datahub.models_assets import AssetUsage, DataAlert, DataAsset  # noqa: E402, F401
