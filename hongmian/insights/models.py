"""Models of the insights app (智能分析), in two parts:

- trained classifiers (智能分类) and what the people who use their suggestions taught them.
  A classifier is trained outside the request path (`hongmian classifier train`, the
  periodic retraining job), stored here as a versioned artefact, and one version per target
  is active; the console and the API read the active one. Feedback rows record, per order,
  what the classifier suggested and what turned out right, for monitoring and the next
  training.
- what the insight jobs found in the orders: hot spots (热点诉求) and their alerts (热点预警).
  Both are written by `services.hotspots.hotspot_scan` (the periodic job and `hongmian
  hotspots --from-db --commit`), never by hand. A scan's hot spots are a snapshot: the board
  reads the latest scan, and old scans are pruned. An alert is a record that stays until a
  supervisor has seen it. Likewise the board's duplicate groups (并单候选), written by
  `services.duplicates.duplicate_scan` (the periodic job): one snapshot, replaced whole.

The four models moved here from the hotline (decision 0024); their tables were renamed
with them, and their constraint and index names kept the `hotline_` prefix they were
created with (a rename would rebuild the indexes for nothing)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.models import WorkOrder
from hongmian.insights.states import ClassifierTarget, FeedbackSource


class ClassifierModel(BaseModel):
    """分类模型 — one trained version of a classifier for one target (a category level or
    the handling unit). The artefact is kept in the database, so every web process reads the
    same bytes; `artefact_sha256` is checked on every load, so a damaged copy is refused
    rather than half-read. At most one version per target is active."""

    target = models.CharField(_("预测对象"), max_length=16, choices=ClassifierTarget.choices)
    version = models.PositiveIntegerField(_("版本号"))
    artefact = models.BinaryField(_("模型文件"))
    artefact_sha256 = models.CharField(_("模型文件校验值"), max_length=64)
    # Where the artefact came from (a file given to `classifier register`, or "platform").
    source = models.CharField(_("来源"), max_length=300, blank=True)
    # sha256 over the (text, label) rows the model was trained on, in training order: two
    # versions with the same fingerprint saw the same data.
    training_fingerprint = models.CharField(_("训练数据指纹"), max_length=64)
    training_rows = models.PositiveIntegerField(_("训练样本数"), default=0)
    labels = models.JSONField(_("标签集"), default=list)
    # The model's label → the platform's code, when the training data named things its own
    # way (a board's "环境保护" is our "生态环境"); empty when the labels are ours already.
    label_map = models.JSONField(_("标签映射"), default=dict, blank=True)
    metrics = models.JSONField(_("评估指标"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        ordering = ["target", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "version"], name="hotline_classifier_target_version"
            ),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(is_active=True),
                name="hotline_one_active_classifier_per_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} v{self.version}"


class ClassificationFeedback(BaseModel):
    """分类反馈 — for one order, what a classifier suggested (blank if nothing did) and the
    label that proved right: the category the agent chose at intake, the unit an accepted
    return (退单) sent the order on to, or the unit the centre dispatched to."""

    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("工单"),
        on_delete=models.CASCADE,
        related_name="classification_feedback",
    )
    target = models.CharField(_("预测对象"), max_length=16, choices=ClassifierTarget.choices)
    # The version that made the suggestion; kept when the version is deleted, as history.
    model = models.ForeignKey(
        ClassifierModel,
        verbose_name=_("模型版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    suggested_label = models.CharField(_("建议标签"), max_length=100, blank=True)
    confidence = models.FloatField(_("置信度"), null=True, blank=True)
    confirmed_label = models.CharField(_("确认标签"), max_length=100)
    agreed = models.BooleanField(_("建议被采纳"), default=False)
    source = models.CharField(_("反馈来源"), max_length=20, choices=FeedbackSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("分类反馈")
        verbose_name_plural = _("分类反馈")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="hotline_feedback_confidence_0_to_1",
            ),
            models.CheckConstraint(
                condition=~Q(confirmed_label=""), name="hotline_feedback_confirmed_not_blank"
            ),
        ]
        indexes = [
            models.Index(fields=["target", "source", "created_at"], name="hotline_feedback_idx")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.target}: {self.suggested_label} → {self.confirmed_label}"


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
    # The group's count on the scan's day is a burst (see analysis/hotspots.py, `bursts`).
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


class DuplicateScan(models.Model):
    """并单候选扫描 — one run of the duplicate-group job over the open orders of the merge
    window, as `services.duplicates.duplicate_scan` found them. The board reads the latest
    scan's groups instead of scoring pairs on every request (decision 0049); a scan with no
    groups is kept too, so that "nothing found" is told apart from "not computed yet"."""

    scanned_at = models.DateTimeField(_("扫描时间"), db_index=True)
    # How many open orders were compared, and how many groups were found.
    compared = models.PositiveIntegerField(_("比对工单数"))
    found = models.PositiveIntegerField(_("疑似重复组数"))
    seconds = models.FloatField(_("耗时（秒）"), default=0.0)

    class Meta:
        verbose_name = _("并单候选扫描")
        verbose_name_plural = _("并单候选扫描")
        ordering = ["-scanned_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scanned_at:%Y-%m-%d %H:%M} · {self.found}"


class DuplicateScanGroup(models.Model):
    """并单候选组 — open orders that read as one problem at one place, as one scan found
    them: a master (the oldest, position 0) and the orders that score as its duplicates.
    A merge of any of its orders deletes the group (`duplicate_groups_forget`)."""

    scan = models.ForeignKey(
        DuplicateScan, verbose_name=_("扫描"), on_delete=models.CASCADE, related_name="groups"
    )
    rank = models.PositiveIntegerField(_("排序"))
    # The master's street (or district) name; "" when it does not say.
    area = models.CharField(_("地点"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("并单候选组")
        verbose_name_plural = _("并单候选组")
        ordering = ["scan", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "rank"], name="insights_dupgroup_one_rank")
        ]

    def __str__(self) -> str:
        return f"{self.scan_id} #{self.rank}"


class DuplicateScanMember(models.Model):
    """并单候选组成员 — one order of a group, with its score against the group's master and
    the reasons a supervisor reads (stored as each reason's template and values, so that the
    page says them in its reader's language). The master's score is null."""

    group = models.ForeignKey(
        DuplicateScanGroup,
        verbose_name=_("并单候选组"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("位置"))
    score = models.FloatField(_("相似得分"), null=True, blank=True)
    # [{"template": "内容相似度 {similarity:.2f}", "params": {"similarity": 0.42}}, …]
    reasons = models.JSONField(_("相似依据"), default=list, blank=True)

    class Meta:
        verbose_name = _("并单候选组成员")
        verbose_name_plural = _("并单候选组成员")
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "position"], name="insights_dupmember_one_position"
            ),
            models.UniqueConstraint(fields=["group", "order"], name="insights_dupmember_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.order_id}"
