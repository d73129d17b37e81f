"""The analytics app's records. The figures themselves live in the Parquet store (derived
data, rebuilt from the database); what is kept here is what was *issued*."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.analytics.permissions import ANALYTICS_ROLES
from hongmian.analytics.states import IssueStatus, IssueTrigger, PeriodKind
from hongmian.core.models import BaseModel
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes


def _issue_path(instance: ReportIssue, filename: str) -> str:
    return f"analytics/reports/{instance.period_start:%Y}/{filename}"


class ReportIssue(BaseModel):
    """报告期刊 — one issued periodic report (周报, 月报 …): its figures (the JSON of
    `compute_report`) and the documents made from them. Written by `services.report_issue`;
    a failed generation is kept too, with its error, so that a missing issue is explained."""

    period_kind = models.CharField(_("周期"), max_length=16, choices=PeriodKind.choices)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    title = models.CharField(_("标题"), max_length=200)
    trigger = models.CharField(_("生成方式"), max_length=16, choices=IssueTrigger.choices)
    status = models.CharField(_("状态"), max_length=16, choices=IssueStatus.choices)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    total = models.PositiveIntegerField(_("受理量"), default=0)
    data = models.JSONField(_("报告数据"), null=True, blank=True)
    html_file = models.FileField(_("网页版"), upload_to=_issue_path, blank=True)
    pdf_file = models.FileField(_("PDF 版"), upload_to=_issue_path, blank=True)
    docx_file = models.FileField(_("Word 版"), upload_to=_issue_path, blank=True)
    error = models.TextField(_("错误"), blank=True)

    # The archive is city-wide figures: every issue for the analytics roles, none for others.
    scopes: ClassVar[Scopes] = {"view": Scope(city_wide=ANALYTICS_ROLES)}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据分析报告")
        verbose_name_plural = _("数据分析报告")
        ordering = ["-period_start", "-generated_at", "-id"]
        indexes = [
            models.Index(fields=["period_kind", "period_start"], name="analytics_issue_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="analytics_issue_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title
