"""/api/telephony/ — the webhooks of the PBX adapters and SMS gateways (docs/telephony.md).

Both take the API's one authentication (a Bearer key) and answer only an account that is
an active gateway of the right kind (403 `telephony.not_a_gateway`). Both are idempotent on
the sender's id: a retry after a lost answer is 200 with `replayed: true` and writes nothing;
the same id with a different body is 409. What concerns only part of the event (an agent
nobody knows, a sender no order can take) is a warning with a code in a 200: the call or
message is kept, never refused.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from ninja import Router

from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.telephony.schemas import CtiEventIn, CtiEventOut, SmsInboundIn, SmsInboundOut
from hongmian.telephony.services import cti_event_record, sms_inbound_record

router = Router(tags=["telephony"])

WARNINGS = {
    "cti.unknown_agent": gettext_noop("事件中的坐席（分机号或工号）未登记；通话已记录，未弹屏"),
    "cti.no_recording": gettext_noop("已接通的通话结束时未提供录音地址"),
    "sms.unknown_sender": gettext_noop(
        "发送号码无法识别为可回拨的电话号码；短信已保存，待人工处理"
    ),
}


def _warnings(codes: list[str]) -> list[dict[str, str]]:
    return [
        {"code": code, "message": gettext(WARNINGS[code]) if code in WARNINGS else code}
        for code in codes
    ]


@router.post(
    "/cti/events",
    response={200: CtiEventOut, **errors(403, 409)},
    summary="CTI 通话事件",
    openapi_extra={
        "responses": {
            403: {"description": "telephony.not_a_gateway: the key's account is no PBX gateway"},
            409: {"description": "cti.event_mismatch: the event id was used for another event"},
        }
    },
)
def cti_event(request: HttpRequest, payload: CtiEventIn) -> dict[str, Any]:
    """One event of a call: `ringing`, `answered` (with the agent: the console pops),
    `ended` (with the recording) or `missed` (a callback task). Any order, any number of
    retries: the call's state follows the events' times."""
    result = cti_event_record(
        actor=Actor.from_request(request, via="api"), event=payload.to_event()
    )
    task = getattr(result.call, "callback", None) if result.call.state == "missed" else None
    return {
        "call_id": result.call.call_id,
        "event_id": result.event.event_id,
        "replayed": result.replayed,
        "state": result.call.state,
        "callback_task": task.pk if task is not None else None,
        "warnings": _warnings(result.warnings),
    }


@router.post(
    "/sms/inbound",
    response={200: SmsInboundOut, **errors(403, 409)},
    summary="上行短信",
    openapi_extra={
        "responses": {
            403: {"description": "telephony.not_a_gateway: the key's account is no SMS gateway"},
            409: {"description": "sms.message_mismatch: the message id was used for another text"},
        }
    },
)
def sms_inbound(request: HttpRequest, payload: SmsInboundIn) -> dict[str, Any]:
    """A citizen's SMS to 12345: added to the sender's open order (市民补充), else a new
    order (channel 短信); a sender that is no callable number is kept for the centre."""
    result = sms_inbound_record(
        actor=Actor.from_request(request, via="api"), message=payload.to_message()
    )
    message = result.message
    codes = ["sms.unknown_sender"] if message.outcome == "unknown_sender" else []
    return {
        "message_id": message.message_id,
        "replayed": result.replayed,
        "outcome": message.outcome,
        "order_number": message.order.number if message.order is not None else None,
        "warnings": _warnings(codes),
    }
