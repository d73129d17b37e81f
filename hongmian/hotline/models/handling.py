"""What happens to an order while it is handled: clocks, returns, extensions, supervision,
callbacks and joint meetings. Each row is kept: they are the data that units are assessed
on and that later models learn from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.models.orders import WorkOrder
from hongmian.hotline.states import (
    CallbackReview,
    ClockKind,
    ClockUnit,
    ExtensionStatus,
    ReturnReason,
    ReturnStatus,
    Satisfaction,
    SupervisionKind,
)


class SlaClock(BaseModel):
    """时限 — one clock of an order (签收 / 首次响应 / 办结). Started at dispatch, not at
    签收; stopped when the act is done. `due_at` moves with an approved extension; it is
    recomputed from `started_at` and the limit when the calendar changes."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(_("时限类型"), max_length=16, choices=ClockKind.choices)
    rule = models.ForeignKey(
        "hotline.SlaRule", verbose_name=_("时限规则"), null=True, on_delete=models.SET_NULL
    )
    unit = models.CharField(_("计时方式"), max_length=16, choices=ClockUnit.choices)
    limit = models.DecimalField(_("时限"), max_digits=6, decimal_places=2)
    extra = models.DecimalField(_("延期"), max_digits=6, decimal_places=2, default=0)
    started_at = models.DateTimeField(_("开始时间"))
    yellow_at = models.DateTimeField(_("预警时间"))
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    stopped_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Set by the sweep so that urging and supervision happen once per clock, however often
    # (or however many schedulers) the sweep runs.
    urged_at = models.DateTimeField(_("已催办"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("已督办"), null=True, blank=True)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=models.Q(stopped_at__isnull=True),
                name="hotline_one_running_clock_per_kind",
            )
        ]
        indexes = [models.Index(fields=["stopped_at", "due_at"], name="hotline_clock_sweep")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_kind_display()}"


class ReturnRequest(BaseModel):
    """退单申请 — a unit says the order is not its duty, with a reason and a legal basis; the
    centre reviews (派单异议审核)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="returns"
    )
    unit = models.ForeignKey(
        "identity.OrgUnit", verbose_name=_("退单单位"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("退单原因"), max_length=32, choices=ReturnReason.choices)
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    explanation = models.TextField(_("说明"))
    suggested_unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("建议承办单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("审核结果"), max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("退单申请")
        verbose_name_plural = _("退单申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order} 退单 {self.get_status_display()}"


class ExtensionRequest(BaseModel):
    """延期申请 — asked before the deadline, with a reason; approved or refused by the centre."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="extensions"
    )
    unit = models.ForeignKey(
        "identity.OrgUnit", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("延期理由"))
    # In the unit of the resolution clock (working days, working hours or natural hours).
    amount = models.DecimalField(_("延期时长"), max_digits=6, decimal_places=2)
    status = models.CharField(
        _("审批结果"),
        max_length=16,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order} 延期 {self.get_status_display()}"


class Supervision(BaseModel):
    """督办 / 催办 — a formal reminder or escalation to the handling unit, by a supervisor or
    by the SLA sweep (then `by` is empty)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="supervisions"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=SupervisionKind.choices)
    unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("被督办单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("督办意见"), blank=True)

    class Meta:
        verbose_name = _("督办催办")
        verbose_name_plural = _("督办催办")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order} {self.get_kind_display()}"


class Callback(BaseModel):
    """回访 — the centre asks the caller after the reply: solved? satisfied? A dissatisfied
    answer goes to a supervisor who reopens the order or closes it with a reason."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="callbacks"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reached = models.BooleanField(_("已联系上"), default=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    resolved = models.BooleanField(_("已解决"), null=True)
    comment = models.TextField(_("回访记录"), blank=True)
    review = models.CharField(
        _("审核"),
        max_length=16,
        choices=CallbackReview.choices,
        default=CallbackReview.NOT_NEEDED,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_reason = models.TextField(_("审核理由"), blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order} 回访 {self.get_satisfaction_display()}"


class JointMeeting(BaseModel):
    """联席会 — for an order no unit accepts, the centre convenes the units and records which
    one handles it."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_at = models.DateTimeField(_("会商时间"))
    units = models.ManyToManyField("identity.OrgUnit", verbose_name=_("参会单位"), related_name="+")
    decided_unit = models.ForeignKey(
        "identity.OrgUnit",
        verbose_name=_("确定承办单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes = models.TextField(_("会议纪要"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("联席会")
        verbose_name_plural = _("联席会")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.order} 联席会"
