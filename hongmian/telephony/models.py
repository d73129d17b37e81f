"""The telephony app's data: who may post events (gateways), whose extension is whose, the
calls with every raw event kept, the agents' screen pops, the callback queue, SMS in and out.

Calls, callback tasks and messages are the 12345 centre's: its agents and supervisors see
them, handling units never do (`scopes`). A screen pop is its agent's alone.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.identity.scoping import RestrictedQuerySet, Scope, Scopes
from hongmian.identity.states import Role
from hongmian.telephony.states import (
    CallbackStatus,
    CallState,
    CtiEventKind,
    GatewayKind,
    OutboundStatus,
    SmsOutcome,
)

# The 12345 centre: the only roles that read calls, callbacks and messages.
CENTRE_ONLY = Scope(city_wide=frozenset({Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR}))


class Gateway(BaseModel):
    """接入网关 — a PBX adapter or an SMS gateway. It calls the API with an API key of its
    own account (`hongmian apikey create`); only an account registered here as an active
    gateway of the right kind may post events, so an agent's personal key cannot fake a
    call."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=8, choices=GatewayKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接入账号"),
        on_delete=models.PROTECT,
        related_name="telephony_gateways",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("接入网关")
        verbose_name_plural = _("接入网关")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="telephony_gateway_user_kind")
        ]

    def __str__(self) -> str:
        return self.name


class Extension(BaseModel):
    """坐席分机 — an extension of the PBX and the agent who sits at it. CTI events name the
    agent by extension (what every PBX knows) or by staff login (what an adapter with a
    directory knows); both lead to the user."""

    number = models.CharField(_("分机号"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("坐席"),
        on_delete=models.CASCADE,
        related_name="telephony_extensions",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("坐席分机")
        verbose_name_plural = _("坐席分机")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class Call(BaseModel):
    """通话 — one call as the PBX reported it. Its state and times are derived from all its
    events ordered by event time (`services.call_derive`), never from their arrival order."""

    gateway = models.ForeignKey(Gateway, verbose_name=_("网关"), on_delete=models.PROTECT)
    call_id = models.CharField(_("呼叫标识"), max_length=64)
    caller_number = models.CharField(_("主叫号码"), max_length=32, blank=True)
    called_number = models.CharField(_("被叫号码/队列"), max_length=32, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=CallState.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接听坐席"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telephony_calls",
    )
    # The agent as the PBX named them, kept when no extension or login matched.
    agent_ref = models.CharField(_("坐席标识"), max_length=64, blank=True)
    ringing_at = models.DateTimeField(_("振铃时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("接通时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    recording_url = models.URLField(_("通话录音"), max_length=500, blank=True)
    order = models.ForeignKey(
        "hotline.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telephony_calls",
    )

    scopes: ClassVar[Scopes] = {"view": CENTRE_ONLY}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通话")
        verbose_name_plural = _("通话")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "call_id"], name="telephony_call_unique")
        ]

    def __str__(self) -> str:
        return self.call_id


class CallEvent(models.Model):
    """通话事件 — one raw CTI event as received, kept whatever it did. Unique per call and
    event id: a replayed event finds its row and is answered with the first result."""

    call = models.ForeignKey(
        Call, verbose_name=_("通话"), on_delete=models.CASCADE, related_name="events"
    )
    event_id = models.CharField(_("事件标识"), max_length=64)
    kind = models.CharField(_("事件"), max_length=12, choices=CtiEventKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    payload = models.JSONField(_("原始数据"))
    # The codes the first processing answered (`cti.unknown_agent` …), replayed as they were.
    warnings = models.JSONField(_("提示"), default=list)

    class Meta:
        verbose_name = _("通话事件")
        verbose_name_plural = _("通话事件")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "event_id"], name="telephony_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.call_id}:{self.event_id}"


class ScreenPop(models.Model):
    """来电弹屏 — "this caller is on your line": made when a call is answered by a known
    agent, read by that agent's console over Server-Sent Events (its id is the event id)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("坐席"),
        on_delete=models.CASCADE,
        related_name="telephony_pops",
    )
    call = models.ForeignKey(Call, verbose_name=_("通话"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    scopes: ClassVar[Scopes] = {
        "view": Scope(city_wide=frozenset(), owners=("agent",), owner_roles=None)
    }
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("来电弹屏")
        verbose_name_plural = _("来电弹屏")
        constraints = [
            models.UniqueConstraint(fields=["agent", "call"], name="telephony_pop_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}:{self.call_id}"


class CallbackTask(BaseModel):
    """未接来电回拨 — one missed call the centre must call back (国办函〔2025〕66号). One per
    call; worked to an outcome, each step a transition (`states.CALLBACK_TRANSITIONS`)."""

    call = models.OneToOneField(
        Call, verbose_name=_("通话"), on_delete=models.CASCADE, related_name="callback"
    )
    caller_number = models.CharField(_("来电号码"), max_length=32, blank=True)
    missed_at = models.DateTimeField(_("来电时间"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    attempts = models.PositiveSmallIntegerField(_("回拨次数"), default=0)
    last_attempt_at = models.DateTimeField(_("最近回拨"), null=True, blank=True)
    last_attempt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回拨人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    order = models.ForeignKey(
        "hotline.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telephony_callbacks",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    scopes: ClassVar[Scopes] = {"view": CENTRE_ONLY}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("未接来电回拨")
        verbose_name_plural = _("未接来电回拨")
        ordering = ["missed_at", "id"]
        indexes = [models.Index(fields=["status", "missed_at"], name="telephony_cb_queue")]

    def __str__(self) -> str:
        return f"{self.call} {self.status}"


class SmsMessage(BaseModel):
    """上行短信 — one message a citizen sent to 12345, kept whatever became of it."""

    gateway = models.ForeignKey(Gateway, verbose_name=_("网关"), on_delete=models.PROTECT)
    message_id = models.CharField(_("消息标识"), max_length=64)
    from_number = models.CharField(_("发送号码"), max_length=32)
    to_number = models.CharField(_("接收号码"), max_length=32, blank=True)
    text = models.TextField(_("内容"))
    sent_at = models.DateTimeField(_("发送时间"))
    outcome = models.CharField(_("处理结果"), max_length=16, choices=SmsOutcome.choices)
    order = models.ForeignKey(
        "hotline.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telephony_sms",
    )
    payload = models.JSONField(_("原始数据"))

    scopes: ClassVar[Scopes] = {"view": CENTRE_ONLY}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("上行短信")
        verbose_name_plural = _("上行短信")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "message_id"], name="telephony_sms_unique")
        ]

    def __str__(self) -> str:
        return self.message_id


class OutboundSms(models.Model):
    """下行短信 — one attempt to text a caller about their order (受理、答复、回访告知),
    recorded by the hotline's notices through its telephony hook."""

    order = models.ForeignKey(
        "hotline.WorkOrder",
        verbose_name=_("工单"),
        on_delete=models.CASCADE,
        related_name="telephony_outbound_sms",
    )
    phone = models.CharField(_("手机号"), max_length=32)
    text = models.TextField(_("内容"))
    kind = models.CharField(_("通知类型"), max_length=32, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=OutboundStatus.choices)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("下行短信")
        verbose_name_plural = _("下行短信")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"
