"""Trained classifiers (智能分类) and what the people who use their suggestions taught them.

A classifier is trained outside the request path (`hongmian classifier train`, the periodic
retraining job), stored here as a versioned artefact, and one version per target is active;
the console and the API read the active one. Feedback rows record, per order, what the
classifier suggested and what turned out right, for monitoring and the next training."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.states import ClassifierTarget, FeedbackSource


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
        "hotline.WorkOrder",
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
