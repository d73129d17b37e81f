"""Races on PostgreSQL: an adapter that sends the same event (or a call's events) from
several threads at once still leaves one call, one row per event, one callback task."""

from __future__ import annotations

import datetime as dt

import pytest

from hongmian.hotline.tests.test_concurrency import race
from hongmian.telephony.models import Call, CallbackTask, CallEvent, SmsMessage
from hongmian.telephony.services import CtiEvent, InboundSms, cti_event_record, sms_inbound_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_one_event_posted_at_once_is_one_row(pbx_actor) -> None:
    event = CtiEvent(
        call_id="r1", event_id="1", event="missed", occurred_at=T0, caller="13900001234"
    )
    results, errors = race(lambda i: cti_event_record(actor=pbx_actor, event=event))
    assert errors == []
    assert sorted(r.replayed for r in results) == [False] + [True] * (len(results) - 1)
    assert Call.objects.count() == 1
    assert CallEvent.objects.count() == 1
    assert CallbackTask.objects.count() == 1


def test_a_calls_events_at_once_derive_one_state(pbx_actor) -> None:
    kinds = ["ringing", "missed", "ended", "missed"]

    def post(i: int) -> object:
        event = CtiEvent(
            call_id="r2",
            event_id=str(i),
            event=kinds[i % len(kinds)],
            occurred_at=T0 + dt.timedelta(seconds=i),
            caller="13900001234",
        )
        return cti_event_record(actor=pbx_actor, event=event)

    _results, errors = race(post)
    assert errors == []
    assert CallEvent.objects.count() == 8
    assert Call.objects.get().state == "missed"
    assert CallbackTask.objects.count() == 1


def test_one_sms_posted_at_once_is_one_order(sms_actor) -> None:
    message = InboundSms(
        message_id="s1", sender="13900004321", recipient="12345", text="垃圾没人清", sent_at=T0
    )
    results, errors = race(lambda i: sms_inbound_record(actor=sms_actor, message=message))
    assert errors == []
    assert SmsMessage.objects.count() == 1
    assert sum(not r.replayed for r in results) == 1
