"""The operations centre (城市运行中心, 穗智管): indicators (指标) declared over the hub's data
with their owner unit and thresholds, every evaluation of one (a reading, the screen's
source), and the alerts raised from readings as hotline tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.identity.models import OrgUnit
from hongmian.opscentre.states import AlertKind, Direction, GroupBy, Level, Measure, Source

CODE_MAX = 64


class Indicator(BaseModel):
    """城市运行指标 — one figure per day over hub data: a declarative formula (`source`,
    `measure` of `field`, `filters`, `group_by`), the unit that answers for it (`owner`),
    warn/alarm thresholds in a `direction`, an anomaly rule (k·sd; 0 turns it off) and how
    often it is evaluated. A change of the definition makes a new IndicatorVersion."""

    code = models.CharField(_("指标代码"), max_length=CODE_MAX, unique=True)
    name = models.CharField(_("指标名称"), max_length=100)
    owner = models.ForeignKey(
        OrgUnit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    unit_of_measure = models.CharField(_("计量单位"), max_length=16, blank=True)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices)
    dataset = models.ForeignKey(
        "datahub.Dataset",
        verbose_name=_("数据资源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A dataset's columns that hold the day and the district (the built-in sources have them).
    date_field = models.CharField(_("日期字段"), max_length=100, blank=True)
    district_field = models.CharField(_("区字段"), max_length=100, blank=True)
    measure = models.CharField(_("计算方式"), max_length=8, choices=Measure.choices)
    field = models.CharField(_("计算字段"), max_length=100, blank=True)
    # [{"field": …, "op": one of states.FILTER_OPS, "value": …}], all must hold.
    filters = models.JSONField(_("筛选条件"), default=list, blank=True)
    group_by = models.CharField(
        _("分组"), max_length=16, choices=GroupBy.choices, default=GroupBy.NONE, blank=True
    )
    direction = models.CharField(
        _("告警方向"), max_length=8, choices=Direction.choices, default=Direction.ABOVE
    )
    warn = models.FloatField(_("预警阈值"), null=True, blank=True)
    alarm = models.FloatField(_("告警阈值"), null=True, blank=True)
    anomaly_k = models.FloatField(_("异常倍数 k（0 为不检测）"), default=0)
    refresh_minutes = models.PositiveIntegerField(_("刷新间隔（分钟）"), default=15)
    next_run_at = models.DateTimeField(_("下次计算"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("当前版本"), default=1)

    class Meta:
        verbose_name = _("城市运行指标")
        verbose_name_plural = _("城市运行指标")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in Source]),
                name="opscentre_indicator_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(measure__in=[m.value for m in Measure]),
                name="opscentre_indicator_measure_valid",
            ),
            models.CheckConstraint(
                condition=~Q(source=Source.DATASET) | Q(dataset__isnull=False),
                name="opscentre_indicator_dataset_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorVersion(BaseModel):
    """指标版本 — the definition an indicator had from `created_at` on."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    definition = models.JSONField(_("定义"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("指标版本")
        verbose_name_plural = _("指标版本")
        ordering = ["indicator", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "number"], name="opscentre_version_unique_number"
            )
        ]


class Reading(models.Model):
    """指标读数 — one evaluation of an indicator for one day. Append-only: the screen shows
    each indicator's newest, and its push stream sends the rows after an id."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="readings")
    version = models.PositiveIntegerField(_("指标版本"))
    period = models.DateField(_("统计日"))
    value = models.FloatField(_("值"), null=True, blank=True)
    level = models.CharField(_("灯"), max_length=8, choices=Level.choices)
    anomaly = models.BooleanField(_("异常"), default=False)
    # The anomaly rule's baseline over the 28 days before `period` (None: too few days).
    mean = models.FloatField(_("28日均值"), null=True, blank=True)
    sd = models.FloatField(_("28日标准差"), null=True, blank=True)
    # {"districts": {code: value}, "series": [[iso day, value], …] (the 28 days and this one)}
    detail = models.JSONField(_("明细"), default=dict)
    evaluated_at = models.DateTimeField(_("计算时间"), db_index=True)

    class Meta:
        verbose_name = _("指标读数")
        verbose_name_plural = _("指标读数")
        ordering = ["-id"]
        indexes = [models.Index(fields=["indicator", "-id"], name="opscentre_reading_latest")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} {self.value}"


class Alert(BaseModel):
    """指标告警 — an indicator crossed its alarm threshold, or left its usual range, on one
    day: filed once (unique per indicator, day and kind) as a hotline task to the owner."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="alerts")
    period = models.DateField(_("统计日"))
    kind = models.CharField(_("类型"), max_length=16, choices=AlertKind.choices)
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="+")
    work_order = models.ForeignKey(
        "hotline.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("指标告警")
        verbose_name_plural = _("指标告警")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "kind"], name="opscentre_alert_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in AlertKind]),
                name="opscentre_alert_kind_valid",
            ),
        ]
