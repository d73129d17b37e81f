"""Demo data for the telephony app: a demo PBX and SMS gateway (accounts `demo-pbx` and
`demo-sms`, with no known password: they act only through API keys, issued with
`hongmian apikey create --username demo-pbx --name 演示交换机`), the demo agent at extension
8001, this morning's missed calls (some from callers with earlier orders) waiting in the
callback queue, and three inbound SMS (a supplement, a new order, an unknown sender).

Everything goes through the services, as a PBX and a gateway would post it. Idempotent: a
call or message already there is left alone. Called by `hongmian seed_demo` after the
hotline's demo (INSTALLED_APPS order).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import OPEN_STATUSES
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.services import user_create
from hongmian.identity.states import Role
from hongmian.telephony.models import Call, SmsMessage
from hongmian.telephony.services import (
    CtiEvent,
    InboundSms,
    cti_event_record,
    extension_assign,
    gateway_register,
    sms_inbound_record,
)
from hongmian.telephony.states import GatewayKind

Progress = Callable[[str, int, int], None]

DEMO_AGENT = "agent"  # identity's demo login 话务员
CENTRE_CODE = "gz-12345"
MISSED_CALLS = 6


def _account(actor: Actor, username: str, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    centre = OrgUnit.objects.filter(code=CENTRE_CODE).first()
    return user_create(
        actor=actor,
        username=username,
        # Nobody logs in as a gateway: it acts through its API keys only.
        password=secrets.token_urlsafe(24),
        role=Role.HOTLINE_AGENT,
        display_name=name,
        org_unit=centre,
    )


def seed(*, actor: Actor, progress: Progress) -> None:
    progress("telephony: 电话与短信渠道", 0, 3)
    pbx = gateway_register(
        actor=actor,
        name="演示交换机",
        kind=GatewayKind.PBX,
        user=_account(actor, "demo-pbx", "演示交换机"),
    )
    sms = gateway_register(
        actor=actor,
        name="演示短信网关",
        kind=GatewayKind.SMS,
        user=_account(actor, "demo-sms", "演示短信网关"),
    )
    agent = User.objects.filter(username=DEMO_AGENT).first()
    if agent is not None:
        extension_assign(actor=actor, number="8001", user=agent)
    progress("telephony: 电话与短信渠道", 1, 3)

    pbx_actor = Actor(user=pbx.user, via="api", label="demo")
    callers = list(
        WorkOrder.objects.exclude(caller_phone="")
        .filter(caller_phone__regex=r"^1[3-9][0-9]{9}$")
        .order_by("id")
        .values_list("caller_phone", flat=True)[: MISSED_CALLS // 2]
    )
    callers += [f"1360000{n:04d}" for n in range(MISSED_CALLS - len(callers))]
    morning = timezone.localtime().replace(hour=8, minute=30, second=0, microsecond=0)
    for n, phone in enumerate(callers):
        call_id = f"demo-missed-{timezone.localdate():%Y%m%d}-{n}"
        if Call.objects.filter(call_id=call_id).exists():
            continue
        at = morning + dt.timedelta(minutes=17 * n)
        for event_id, kind, offset in (("1", "ringing", 0), ("2", "missed", 35)):
            cti_event_record(
                actor=pbx_actor,
                event=CtiEvent(
                    call_id=call_id,
                    event_id=event_id,
                    event=kind,
                    occurred_at=at + dt.timedelta(seconds=offset),
                    caller=phone,
                    called="12345",
                ),
            )
    progress("telephony: 电话与短信渠道", 2, 3)

    sms_actor = Actor(user=sms.user, via="api", label="demo")
    open_caller = (
        WorkOrder.objects.filter(status__in=OPEN_STATUSES, caller_phone__regex=r"^1[3-9][0-9]{9}$")
        .order_by("-created_at")
        .values_list("caller_phone", flat=True)
        .first()
    )
    messages = [
        ("demo-sms-1", open_caller or "13600009001", "问题还没有解决，麻烦再催一下，谢谢。"),
        ("demo-sms-2", "13600009002", "天河路公交站台的顶棚破了，下雨天漏水，请尽快维修。"),
        ("demo-sms-3", "106900012345", "退订"),
    ]
    for message_id, sender, text in messages:
        if SmsMessage.objects.filter(message_id=message_id).exists():
            continue
        sms_inbound_record(
            actor=sms_actor,
            message=InboundSms(
                message_id=message_id,
                sender=sender,
                recipient="12345",
                text=text,
                sent_at=timezone.now() - dt.timedelta(hours=1),
            ),
        )
    progress("telephony: 电话与短信渠道", 3, 3)
