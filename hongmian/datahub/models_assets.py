"""The data-asset registry (数据资产登记) and the hub's alerts (no silent failure).

- DataAsset: one dataset, API or report the city holds as an asset, with its owner unit.
  Datasets, the hub's own API operations, registered REST sources and analytics reports are
  registered by `assets_sync` (services/assets.py), never by hand.
- AssetUsage: reads and calls of an asset, one row per asset, day and consumer unit, counted
  as they happen (`asset_use_record`): the CDO pages sum a few hundred rows instead of
  scanning the audit log on every view.
- DataAlert: an alert the hub raised to a dataset's owner unit (a failed run, a late source),
  one per dataset and period (`dedupe_key`), with the hotline order it became.

Imported by models.py, so that Django finds the models in the app's models module.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.identity.models import OrgUnit


class AssetKind(models.TextChoices):
    DATASET = "dataset", _("数据集")
    API = "api", _("接口")
    REPORT = "report", _("报告")


class AlertKind(models.TextChoices):
    RUN_FAILED = "run_failed", _("采集失败")  # a run failed: timeout, schema change, header …
    LATE = "late", _("数据未按时更新")  # no good load within the frequency plus grace


class DataAsset(BaseModel):
    """数据资产 — `key` names the thing inside its kind: a dataset's code, an API's
    operation (`GET /api/datahub/dcat.ttl`) or a source API (`source:<id>`), a report
    (`report:<id>`)."""

    kind = models.CharField(_("资产类型"), max_length=16, choices=AssetKind.choices)
    key = models.CharField(_("资产标识"), max_length=200)
    name = models.CharField(_("名称"), max_length=200)
    owner_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_assets",
    )
    dataset = models.ForeignKey(
        "datahub.Dataset",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assets",
    )
    retired = models.BooleanField(_("已停用"), default=False)

    class Meta:
        verbose_name = _("数据资产")
        verbose_name_plural = _("数据资产")
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="datahub_asset_unique_key"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in AssetKind]),
                name="datahub_asset_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class AssetUsage(BaseModel):
    """使用量 — how many reads or calls `consumer` (None: the public or the system) made of
    `asset` on `day` (Asia/Shanghai)."""

    asset = models.ForeignKey(DataAsset, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField(_("日期"))
    consumer = models.ForeignKey(
        OrgUnit,
        verbose_name=_("使用单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    count = models.PositiveBigIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("资产使用量")
        verbose_name_plural = _("资产使用量")
        ordering = ["-day"]
        constraints = [
            # NULLS NOT DISTINCT is not on SQLite: the public's row is one by a second index.
            models.UniqueConstraint(
                fields=["asset", "day", "consumer"],
                name="datahub_usage_unique_day",
                condition=Q(consumer__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["asset", "day"],
                name="datahub_usage_unique_public_day",
                condition=Q(consumer__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["day", "asset"], name="datahub_usage_day")]


class DataAlert(BaseModel):
    """数据预警 — raised once per `dedupe_key` (the dataset and the period), sent to the
    dataset's provider as a hotline order (`work_order`)."""

    kind = models.CharField(_("预警类型"), max_length=16, choices=AlertKind.choices)
    dataset = models.ForeignKey("datahub.Dataset", on_delete=models.CASCADE, related_name="alerts")
    run = models.ForeignKey(
        "datahub.IngestRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dedupe_key = models.CharField(max_length=200, unique=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    work_order = models.ForeignKey(
        "hotline.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("数据预警")
        verbose_name_plural = _("数据预警")
        ordering = ["-created_at", "-id"]
