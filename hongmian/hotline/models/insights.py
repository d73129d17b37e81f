"""What the insight jobs found in the orders: hot spots (热点诉求) and their alerts (热点预警).

Both are written by `services.insights.hotspot_scan` (the periodic job and `hongmian
hotspots --from-db --commit`), never by hand. A scan's hot spots are a snapshot: the board
reads the latest scan, and old scans are pruned. An alert is a record that stays until a
supervisor has seen it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.models.orders import WorkOrder


class Hotspot(models.Model):
    """热点诉求 — one problem at one place reported by several callers within a few weeks, as
    one scan found it: its rank by heat (热度指数), its orders and a line describing it."""

    scanned_at = models.DateTimeField(_("扫描时间"), db_index=True)
    rank = models.PositiveSmallIntegerField(_("排名"))
    heat = models.FloatField(_("热度指数"))
    reports = models.PositiveIntegerField(_("工单数"))
    callers = models.PositiveIntegerField(_("诉求人数"))
    started_at = models.DateTimeField(_("首张工单时间"))
    ended_at = models.DateTimeField(_("最新工单时间"))
    # The street (or district) most of its orders are at; "" when they do not say.
    place_code = models.CharField(_("地点代码"), max_length=9, blank=True)
    place_label = models.CharField(_("地点"), max_length=100, blank=True)
    keywords = models.JSONField(_("关键词"), default=list)
    title = models.CharField(_("代表性标题"), max_length=200)
    representative = models.ForeignKey(
        WorkOrder,
        verbose_name=_("代表性工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order_ids = models.JSONField(_("工单"), default=list)
    # The group's count on the scan's day is a burst (see insights/hotspots.py, `bursts`).
    bursting = models.BooleanField(_("正在激增"), default=False)
    # Heat parts and burst days, for the reader who asks why.
    details = models.JSONField(_("明细"), default=dict, blank=True)

    class Meta:
        verbose_name = _("热点诉求")
        verbose_name_plural = _("热点诉求")
        ordering = ["-scanned_at", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["scanned_at", "rank"], name="hotline_hotspot_one_rank_per_scan"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scanned_at:%Y-%m-%d %H:%M} #{self.rank} {self.title}"


class HotspotAlert(BaseModel):
    """热点预警 — a hot spot whose orders grew abnormally fast on one day (a Poisson burst
    against its own recent rate): the centre should act before more calls come (未诉先办).
    It copies what it needs from the scan, since scans are pruned; it stays on the board
    until a supervisor acknowledges it."""

    day = models.DateField(_("激增日期"))
    count = models.PositiveIntegerField(_("当日工单数"))
    expected = models.FloatField(_("预期工单数"))
    p_value = models.FloatField(_("显著性"))
    title = models.CharField(_("代表性标题"), max_length=200)
    keywords = models.JSONField(_("关键词"), default=list)
    place_label = models.CharField(_("地点"), max_length=100, blank=True)
    heat = models.FloatField(_("热度指数"))
    representative = models.ForeignKey(
        WorkOrder,
        verbose_name=_("代表性工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order_ids = models.JSONField(_("工单"), default=list)
    acknowledged_at = models.DateTimeField(_("知悉时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("知悉人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("热点预警")
        verbose_name_plural = _("热点预警")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="hotline_alert_open",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="hotline_alert_ack_has_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.title}"
