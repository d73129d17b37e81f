"""API In/Out of the telephony app: the CTI webhook and the inbound SMS webhook
(docs/telephony.md is their contract for adapter writers)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema

from hongmian.core.schemas import Moment
from hongmian.telephony.services import CtiEvent, InboundSms

# Identifiers the adapters send: printable, no spaces (their own call and message ids).
ID_PATTERN = r"^[A-Za-z0-9._:@/+=-]{1,64}$"


def _aware(value: dt.datetime) -> dt.datetime:
    """A naive time is Asia/Shanghai's (the site's zone), an aware one kept; both in UTC, so
    that a replayed event compares equal whichever way it wrote its time."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)


class CtiEventIn(Schema):
    call_id: str = Field(pattern=ID_PATTERN, description="PBX 的呼叫标识，同一通话的各事件相同")
    event_id: str = Field(
        pattern=ID_PATTERN, description="事件标识（或序号），同一通话内唯一；重发时不变"
    )
    event: Literal["ringing", "answered", "ended", "missed"]
    occurred_at: Moment = Field(description="事件发生时间（ISO 8601；无时区按北京时间）")
    caller: str = Field("", max_length=32, description="主叫号码")
    called: str = Field("", max_length=32, description="被叫号码或队列")
    agent: str = Field(
        "", max_length=64, description="坐席分机号或工号（登录名）；answered 时应提供"
    )
    recording_url: str = Field(
        "", max_length=500, pattern=r"^(https?://\S+)?$", description="ended 时的录音地址"
    )

    def to_event(self) -> CtiEvent:
        return CtiEvent(
            call_id=self.call_id,
            event_id=self.event_id,
            event=self.event,
            occurred_at=_aware(self.occurred_at),
            caller=self.caller.strip(),
            called=self.called.strip(),
            agent=self.agent.strip(),
            recording_url=self.recording_url,
        )


class WarningOut(Schema):
    code: str
    message: str


class CtiEventOut(Schema):
    call_id: str
    event_id: str
    replayed: bool = Field(description="true：该事件此前已收到，本次未重复记录")
    state: Literal["ringing", "answered", "ended", "missed"]
    callback_task: int | None = Field(description="未接来电生成的回拨任务编号")
    warnings: list[WarningOut]


class SmsInboundIn(Schema):
    message_id: str = Field(pattern=ID_PATTERN, description="网关的消息标识；重发时不变")
    from_: str = Field(alias="from", min_length=1, max_length=32, description="发送号码")
    to: str = Field("", max_length=32, description="接收号码（如 12345）")
    text: str = Field(min_length=1, max_length=1000)
    sent_at: Moment

    def to_message(self) -> InboundSms:
        return InboundSms(
            message_id=self.message_id,
            sender=self.from_.strip(),
            recipient=self.to.strip(),
            text=self.text.strip(),
            sent_at=_aware(self.sent_at),
        )


class SmsInboundOut(Schema):
    message_id: str
    replayed: bool
    outcome: Literal["supplement", "new_order", "unknown_sender"]
    order_number: str | None
    warnings: list[WarningOut]
