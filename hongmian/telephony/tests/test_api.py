"""The webhooks over real HTTP: a recorded morning of 30 calls (tests/data/morning.jsonl:
replays, events out of order, missed calls, an unknown agent, a call still ringing) posted
as the PBX adapter would, then the state it must leave; and every kind of bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.http import HttpClient, api_key_for, as_user
from hongmian.telephony.models import Call, CallbackTask, CallEvent, ScreenPop, SmsMessage
from hongmian.telephony.states import CallbackStatus, CallState

MORNING = Path(__file__).parent / "data" / "morning.jsonl"
CTI = "/api/telephony/cti/events"
SMS = "/api/telephony/sms/inbound"


def morning() -> list[dict[str, Any]]:
    return [json.loads(line) for line in MORNING.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db(transaction=True)
def test_a_recorded_morning_leaves_every_call_right(live_server, pbx, seated) -> None:
    api = HttpClient(live_server.url, token=api_key_for(pbx.user))
    answers = []
    for event in morning():
        response = api.post(CTI, json=event)
        assert response.status == 200, response.text
        answers.append(response.json())

    assert Call.objects.count() == 30
    assert CallEvent.objects.count() == 80  # 85 posted, 5 of them replays
    assert sum(a["replayed"] for a in answers) == 5
    states = Counter(Call.objects.values_list("state", flat=True))
    assert states == {CallState.ENDED: 21, CallState.MISSED: 8, CallState.RINGING: 1}
    # Every missed call has its one task; a call that only looked missed until its late
    # `answered` arrived (03, 07, 11, 29: `ended` came first) closed its own.
    tasks = Counter(CallbackTask.objects.values_list("status", flat=True))
    assert tasks == {CallbackStatus.OPEN: 8, CallbackStatus.ANSWERED: 4}
    assert set(
        CallbackTask.objects.filter(status="open").values_list("call__call_id", flat=True)
    ) == {f"pbx-0302-{n}" for n in range(21, 29)}
    # Pops only for calls answered while still on the line, by a known agent.
    agent, wang = seated
    assert ScreenPop.objects.filter(agent=agent).count() == 6  # 8001: odd calls but 03, 07, 11
    assert ScreenPop.objects.filter(agent=wang).count() == 10  # 8002: even calls, and 20 by login
    unknown = Call.objects.get(call_id="pbx-0302-19")
    assert unknown.agent is None
    assert unknown.state == CallState.ENDED
    assert any(w["code"] == "cti.unknown_agent" for a in answers for w in a["warnings"])
    out_of_order = Call.objects.get(call_id="pbx-0302-03")
    assert out_of_order.recording_url.endswith("0302-03.wav")
    assert out_of_order.answered_at < out_of_order.ended_at

    # The whole morning again (the adapter's outbox replayed after an outage): nothing new.
    for event in morning()[:20]:
        assert api.post(CTI, json=event).json()["replayed"] is True
    assert CallEvent.objects.count() == 80


BAD_EVENTS = {
    "unknown event": {"event": "transferred"},
    "no call id": {"call_id": ""},
    "spaces in the id": {"event_id": "a b"},
    "not a time": {"occurred_at": "yesterday"},
    "a recording that is no URL": {"recording_url": "javascript:alert(1)"},
    "a caller too long": {"caller": "1" * 40},
}
GOOD = {
    "call_id": "c-1",
    "event_id": "c-1-1",
    "event": "ringing",
    "occurred_at": "2026-03-02T08:30:00+08:00",
    "caller": "13900000001",
}


@pytest.mark.django_db(transaction=True)
def test_bad_input_is_a_coded_answer_and_writes_nothing(live_server, pbx, agent) -> None:
    api = HttpClient(live_server.url, token=api_key_for(pbx.user))
    for name, change in BAD_EVENTS.items():
        response = api.post(CTI, json=GOOD | change)
        assert response.status == 422, (name, response.text)
        assert response.json()["code"] == "validation_failed", name
    assert (
        api.post(CTI, data=b"{not json", headers={"Content-Type": "application/json"}).status == 400
    )
    assert not Call.objects.exists()

    # Not a gateway: an agent's own key; no key at all.
    assert (
        as_user(live_server, agent).post(CTI, json=GOOD).json()["code"] == "telephony.not_a_gateway"
    )
    assert HttpClient(live_server.url).post(CTI, json=GOOD).status == 401
    assert not Call.objects.exists()

    # The same event id for another event.
    assert api.post(CTI, json=GOOD).status == 200
    clash = api.post(CTI, json=GOOD | {"occurred_at": "2026-03-02T08:31:00+08:00"})
    assert clash.status == 409
    assert clash.json()["code"] == "cti.event_mismatch"
    assert CallEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_sms_becomes_an_order_then_a_supplement(live_server, sms_gateway, pbx) -> None:
    api = HttpClient(live_server.url, token=api_key_for(sms_gateway.user))
    first = {
        "message_id": "s1",
        "from": "13900005555",
        "to": "12345",
        "text": "华师路路灯不亮",
        "sent_at": "2026-03-02T20:00:00+08:00",
    }
    answer = api.post(SMS, json=first).json()
    assert answer["outcome"] == "new_order"
    assert answer["replayed"] is False
    number = answer["order_number"]
    assert WorkOrder.objects.get(number=number).channel == "sms"
    again = api.post(SMS, json=first).json()
    assert again == answer | {"replayed": True}

    reply = api.post(SMS, json=first | {"message_id": "s2", "text": "已经三天了"}).json()
    assert reply["outcome"] == "supplement"
    assert reply["order_number"] == number

    unknown = api.post(SMS, json=first | {"message_id": "s3", "from": "106900"}).json()
    assert unknown["outcome"] == "unknown_sender"
    assert unknown["order_number"] is None
    assert unknown["warnings"][0]["code"] == "sms.unknown_sender"
    assert SmsMessage.objects.count() == 3
    assert WorkOrder.objects.count() == 1

    # A PBX is no SMS gateway.
    wrong = HttpClient(live_server.url, token=api_key_for(pbx.user)).post(SMS, json=first)
    assert wrong.status == 403
    assert wrong.json()["code"] == "telephony.not_a_gateway"
    bad = api.post(SMS, json=first | {"message_id": "s4", "text": ""})
    assert bad.status == 422
