"""The telephony screens: the agent's pop stream (only their own pops, resumable), the
missed-call queue (true count, pages, oldest first, audited history, outcomes; never for a
unit), and the order page's recordings and SMS panel (numbers masked for units)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from hongmian.core.models import AuditEvent
from hongmian.hotline.tests.factories import AssignmentFactory, WorkOrderFactory
from hongmian.telephony.models import CallbackTask, ScreenPop
from hongmian.telephony.services import CtiEvent, cti_event_record, outbound_sms_record

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def post(
    actor, call: str, kind: str, seconds: int = 0, agent: str = "", caller: str = "13900006666"
):
    event = CtiEvent(
        call_id=call,
        event_id=f"{call}-{kind}",
        event=kind,
        occurred_at=T0 + dt.timedelta(seconds=seconds),
        caller=caller,
        agent=agent,
    )
    return cti_event_record(actor=actor, event=event)


def stream(client: Client, **headers: str) -> str:
    response = client.get(reverse("telephony:pops_stream"), **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    return b"".join(response.streaming_content).decode()


@pytest.fixture(autouse=True)
def _short_streams(settings) -> None:
    settings.HONGMIAN_TELEPHONY_STREAM_SECONDS = 0.05
    settings.HONGMIAN_TELEPHONY_POLL_SECONDS = 0.01


def test_an_agent_streams_only_their_own_pops(client: Client, pbx_actor, seated) -> None:
    agent, _wang = seated
    client.force_login(agent)
    assert "event: pop" not in stream(client, HTTP_LAST_EVENT_ID="0")
    post(pbx_actor, "mine", "answered", agent="8001", caller="13900006666")
    post(pbx_actor, "theirs", "answered", agent="8002", caller="13900007777")
    body = stream(client, HTTP_LAST_EVENT_ID="0")
    mine = ScreenPop.objects.get(agent=agent)
    assert f"id: {mine.pk}\nevent: pop\n" in body
    assert "13900006666" in body
    assert "13900007777" not in body
    assert AuditEvent.objects.filter(action="call.pop", target_id=str(mine.call_id)).exists()
    # Resuming after the last seen pop: nothing again; a fresh console skips old calls.
    assert "event: pop" not in stream(client, HTTP_LAST_EVENT_ID=str(mine.pk))
    assert "event: pop" not in stream(client)


def test_units_and_the_public_get_no_stream(client: Client, tianhe_handler, citizen) -> None:
    for user in (tianhe_handler, citizen):
        client.force_login(user)
        assert client.get(reverse("telephony:pops_stream")).status_code == 403


@pytest.fixture
def missed_calls(pbx_actor) -> list[CallbackTask]:
    for n in range(25):
        post(pbx_actor, f"m{n:02d}", "missed", seconds=-n * 60, caller=f"139000{n:05d}")
    return list(CallbackTask.objects.order_by("missed_at"))


def test_the_queue_shows_its_true_count_and_pages_oldest_first(
    client: Client, agent, missed_calls
) -> None:
    WorkOrderFactory(caller_phone=missed_calls[0].caller_number, title="上次反映的噪音问题")
    client.force_login(agent)
    html = client.get(reverse("telephony:missed")).content.decode()
    assert "待回拨 25 个来电" in html
    assert "第 1 / 2 页" in html
    assert html.index(missed_calls[0].caller_number) < html.index(missed_calls[1].caller_number)
    assert "上次反映的噪音问题" in html
    assert AuditEvent.objects.filter(action="caller_history.read").count() == 20
    second = client.get(reverse("telephony:missed"), {"page": 2}).content.decode()
    assert missed_calls[24].caller_number in second
    assert "第 2 / 2 页" in second


def test_outcomes_work_the_queue_to_zero(client: Client, agent, missed_calls) -> None:
    client.force_login(agent)
    order = WorkOrderFactory()
    for n, task in enumerate(missed_calls):
        form = {f"t{task.pk}-version": task.version}
        if n == 0:
            form |= {f"t{task.pk}-outcome": "reached", f"t{task.pk}-order_number": order.number}
        else:
            form |= {f"t{task.pk}-outcome": ("invalid", "refused", "duplicate")[n % 3]}
        response = client.post(reverse("telephony:missed_outcome", args=(task.pk,)), form)
        assert response.status_code == 302
    assert not CallbackTask.objects.filter(status__in=["open", "retry"]).exists()
    assert CallbackTask.objects.get(pk=missed_calls[0].pk).order == order
    html = client.get(reverse("telephony:missed")).content.decode()
    assert "待回拨 0 个来电" in html
    assert 'id="missed-empty"' in html


def test_reached_without_an_order_is_refused_on_the_page(
    client: Client, agent, missed_calls
) -> None:
    client.force_login(agent)
    task = missed_calls[0]
    form = {f"t{task.pk}-version": task.version, f"t{task.pk}-outcome": "reached"}
    response = client.post(reverse("telephony:missed_outcome", args=(task.pk,)), form, follow=True)
    assert "回拨已接通时请关联工单" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    form |= {f"t{task.pk}-order_number": "GZ-NO-SUCH"}
    response = client.post(reverse("telephony:missed_outcome", args=(task.pk,)), form, follow=True)
    assert "不存在" in response.content.decode()


def test_units_never_see_the_queue(client: Client, tianhe_handler, missed_calls) -> None:
    client.force_login(tianhe_handler)
    assert client.get(reverse("telephony:missed")).status_code == 403
    task = missed_calls[0]
    form = {f"t{task.pk}-version": task.version, f"t{task.pk}-outcome": "invalid"}
    assert (
        client.post(reverse("telephony:missed_outcome", args=(task.pk,)), form).status_code == 403
    )


def test_the_board_shows_the_open_count(client: Client, supervisor, missed_calls) -> None:
    client.force_login(supervisor)
    html = client.get(reverse("hotline:board")).content.decode()
    assert '未接来电待回拨 <span class="count">25</span>' in html


def test_the_order_panel_masks_numbers_for_units(
    client: Client, agent, tianhe_handler, units, pbx_actor, seated
) -> None:
    order = WorkOrderFactory(caller_phone="13900008888")
    AssignmentFactory(order=order, unit=units.tianhe)
    outbound_sms_record(
        order_id=order.pk, phone="13900008888", text="已受理", kind="order_received", status="sent"
    )
    post(pbx_actor, "rec", "answered", agent="8001")
    from hongmian.telephony.models import Call

    Call.objects.filter(call_id="rec").update(
        order=order, recording_url="https://pbx.example/r.wav"
    )
    url = reverse("telephony:order_panel", args=(order.pk,))
    client.force_login(agent)
    html = client.get(url).content.decode()
    assert "13900008888" in html
    assert "https://pbx.example/r.wav" in html
    client.force_login(tianhe_handler)
    html = client.get(url).content.decode()
    assert "139****8888" in html
    assert "13900008888" not in html
    assert "pbx.example" not in html  # the caller's voice is the centre's
    other = WorkOrderFactory()
    assert client.get(reverse("telephony:order_panel", args=(other.pk,))).status_code == 404


def test_the_console_intake_links_the_call(client: Client, pbx_actor, seated, category) -> None:
    agent, _wang = seated
    result = post(pbx_actor, "live", "answered", agent="8001")
    client.force_login(agent)
    form = {
        "idempotency_key": "k-live",
        "caller_phone": "13900006666",
        "channel": "phone",
        "request_type": "help",
        "priority": "normal",
        "title": "路灯不亮",
        "content": "华师路路灯不亮",
        "category": category.pk,
        "telephony_call": result.call.pk,
        "action": "intake",
    }
    response = client.post(reverse("hotline:console"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    result.call.refresh_from_db()
    assert result.call.order is not None
    assert result.call.order.title == "路灯不亮"
