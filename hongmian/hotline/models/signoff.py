"""本单位负责人审批 — a unit that wants its manager to see a handler's reply, return or
extension request before it leaves the unit says so in its policy; each such act then waits
as a sign-off request until the manager approves it (and the act happens) or sends it back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.models.orders import Assignment, WorkOrder
from hongmian.hotline.states import SignOffAct, SignOffStatus


class UnitSignOffPolicy(BaseModel):
    """审批设置 — which of its handlers' acts a unit's manager signs off. Applies to the
    handlers whose own unit it is (a district's policy does not bind its streets). No row,
    or every box empty: handlers act directly, as before."""

    unit = models.OneToOneField(
        "identity.OrgUnit",
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        related_name="sign_off_policy",
    )
    require_reply = models.BooleanField(_("办结答复须审批"), default=False)
    require_return = models.BooleanField(_("退单须审批"), default=False)
    require_extension = models.BooleanField(_("延期须审批"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("本单位审批设置")
        verbose_name_plural = _("本单位审批设置")

    def __str__(self) -> str:
        return f"{self.unit} 审批设置"

    def requires(self, act: str) -> bool:
        return bool(
            {
                SignOffAct.REPLY: self.require_reply,
                SignOffAct.RETURN: self.require_return,
                SignOffAct.EXTENSION: self.require_extension,
            }.get(SignOffAct(act), False)
        )


class SignOffRequest(BaseModel):
    """审批申请 — a handler's reply, return or extension request waiting for the unit's
    manager. `payload` holds the act's arguments as the handler wrote them (checked when
    submitted, by rehearsing the act); approval performs the act with them. A revision after
    "sent back" is a new row pointing at the one it revises."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="sign_offs"
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("承办记录"),
        on_delete=models.CASCADE,
        related_name="sign_offs",
    )
    # The handler's own unit: its manager decides (hotline.permissions.can_decide_sign_off).
    unit = models.ForeignKey(
        "identity.OrgUnit", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    act = models.CharField(_("事项"), max_length=16, choices=SignOffAct.choices)
    payload = models.JSONField(_("申请内容"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("审批状态"),
        max_length=16,
        choices=SignOffStatus.choices,
        default=SignOffStatus.PENDING,
        db_index=True,
    )
    revision_of = models.ForeignKey(
        "self",
        verbose_name=_("修改自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
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
    comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("审批申请")
        verbose_name_plural = _("审批申请")
        ordering = ["-created_at"]
        constraints = [
            # One act waits at a time: the handler cannot queue a second one meanwhile.
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="pending"),
                name="hotline_one_pending_sign_off_per_order",
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="hotline_sign_off_queue")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_act_display()} {self.get_status_display()}"
