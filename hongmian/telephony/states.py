"""Choices and the callback task's transition table of the telephony app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable


class GatewayKind(models.TextChoices):
    PBX = "pbx", _("电话交换机（CTI）")  # posts call events
    SMS = "sms", _("短信网关")  # posts inbound messages


class CtiEventKind(models.TextChoices):
    RINGING = "ringing", _("振铃")  # the call reached the queue or an agent's extension
    ANSWERED = "answered", _("接通")  # an agent picked it up
    ENDED = "ended", _("挂机")  # the call is over (answered or not); carries the recording
    MISSED = "missed", _("未接")  # the caller hung up (or was dropped) before an agent answered


class CallState(models.TextChoices):
    RINGING = "ringing", _("振铃中")  # only ringing events so far
    ANSWERED = "answered", _("通话中")  # answered, no end yet
    ENDED = "ended", _("已结束")  # answered and ended
    MISSED = "missed", _("未接")  # never answered: a callback task exists


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("待回拨")  # not yet tried
    RETRY = "retry", _("无人接听，待重拨")  # tried, nobody answered; tried again later
    REACHED = "reached", _("回拨已接通")  # reached; linked to an order (new or existing)
    INVALID = "invalid", _("空号")  # the number does not exist
    REFUSED = "refused", _("拒接")  # the caller declined the call
    DUPLICATE = "duplicate", _("重复来电已处理")  # the same caller was served since
    ANSWERED = "answered", _("来电实际已接通")  # a late event showed an agent answered it


# Statuses that still need a call from the centre (the queue's true count).
CALLBACK_OPEN_STATUSES = frozenset({CallbackStatus.OPEN, CallbackStatus.RETRY})
# The outcomes an agent records (ANSWERED is the system's alone, from the call's events).
CALLBACK_OUTCOMES = (
    CallbackStatus.REACHED,
    CallbackStatus.RETRY,
    CallbackStatus.INVALID,
    CallbackStatus.REFUSED,
    CallbackStatus.DUPLICATE,
)
_DONE = (
    CallbackStatus.REACHED,
    CallbackStatus.INVALID,
    CallbackStatus.REFUSED,
    CallbackStatus.DUPLICATE,
    CallbackStatus.ANSWERED,
)
CALLBACK_TRANSITIONS = TransitionTable.build(
    "callback_task",
    {
        CallbackStatus.OPEN: (CallbackStatus.RETRY, *_DONE),
        CallbackStatus.RETRY: (CallbackStatus.RETRY, *_DONE),
        CallbackStatus.REACHED: (),
        CallbackStatus.INVALID: (),
        CallbackStatus.REFUSED: (),
        CallbackStatus.DUPLICATE: (),
        CallbackStatus.ANSWERED: (),
    },
)


class SmsOutcome(models.TextChoices):
    SUPPLEMENT = "supplement", _("已补充到在办工单")  # the sender's open order got it
    NEW_ORDER = "new_order", _("已生成新工单")  # no open order: a new one, channel SMS
    UNKNOWN_SENDER = "unknown_sender", _("号码无法识别，待人工处理")  # kept for the centre


class OutboundStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")  # the job retries; each attempt is a row
