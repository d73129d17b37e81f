"""The hall's line on screen: the desk checks in by booking number and gives walk-in
tickets, the console's buttons (HTMX and plain), the call-up screen by key only, its stream,
the live view and the times; another unit's staff hear 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hongmian.appointments.models import Booking, QueueTicket, Slot, Window
from hongmian.appointments.services.queue import (
    hall_screen_key_rotate,
    ticket_call_next,
    ticket_issue,
)
from hongmian.appointments.states import BookingStatus, TicketStatus
from hongmian.core.actors import Actor

from .conftest import World, actor_of

pytestmark = pytest.mark.django_db


def client_of(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def booking_now(world: World) -> Booking:
    """A booking for a slot starting in ten minutes (today, whatever the calendar says)."""
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=10)
    slot = Slot.objects.create(
        hall=world.hall,
        group=world.group,
        day=timezone.localdate(starts),
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        capacity=4,
        booked=1,
    )
    return Booking.objects.create(
        number="YY000000ABCD1234",
        slot=slot,
        item=world.item,
        person=world.person,
        status=BookingStatus.BOOKED,
        via="web",
    )


def test_the_desk_checks_in_by_number_and_refuses_with_the_reason(world: World) -> None:
    booking = booking_now(world)
    client = client_of(world.hall_staff)
    url = reverse("appointments:queue_desk", args=[world.hall.pk])
    bad = client.post(url, {"number": "YY000000FFFFFFFF"})
    assert bad.status_code == 422
    assert "本大厅没有这个预约号" in bad.content.decode()
    page = client.post(url, {"number": booking.number.lower()}, follow=True)
    body = page.content.decode()
    ticket = QueueTicket.objects.get(booking=booking)
    assert f"签到成功，排队号 {ticket.number}" in body
    assert ticket.number in body  # the recent tickets
    again = client.post(url, {"number": booking.number})
    assert "该预约已签到" in again.content.decode()
    walk = client.post(
        reverse("appointments:queue_walk_in", args=[world.hall.pk]),
        {"group": world.group.pk, "priority_reason": "disabled"},
        follow=True,
    )
    assert "已取号 B001" in walk.content.decode()
    # Another hall's staff: as if the hall did not exist.
    assert client_of(world.other_staff).get(url).status_code == 404
    assert client_of(world.citizen).get(url).status_code == 403


def test_the_console_calls_serves_and_finishes_through_htmx(world: World) -> None:
    window = Window.objects.get(hall=world.hall, number="01")
    ticket_issue(actor=actor_of(world.hall_staff), group=world.group)
    ticket_issue(actor=actor_of(world.hall_staff), group=world.group)
    client = client_of(world.hall_staff)
    act = reverse("appointments:window_act", args=[world.hall.pk, window.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    page = client.get(reverse("appointments:window_console", args=[world.hall.pk, window.pk]))
    assert "本窗口等候 2 人" in page.content.decode()
    called = client.post(act, {"action": "call_next"}, **htmx)
    body = called.content.decode()
    assert called.status_code == 200
    assert "B001" in body
    assert "本窗口等候 1 人" in body
    assert 'id="recall"' in body
    ticket = QueueTicket.objects.get(number="B001")
    busy = client.post(act, {"action": "call_next"}, **htmx)
    assert busy.status_code == 409
    assert "本窗口还有未办结的号" in busy.content.decode()
    client.post(act, {"action": "start", "ticket": ticket.pk}, **htmx)
    done = client.post(act, {"action": "finish", "ticket": ticket.pk})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    unknown = client.post(act, {"action": "drop_table"}, **htmx)
    assert unknown.status_code == 409


def test_the_screen_needs_its_key_and_shows_numbers_only(world: World) -> None:
    url = reverse("appointments:hall_screen", args=[world.hall.pk])
    assert Client().get(url).status_code == 404  # no key made yet
    key = hall_screen_key_rotate(actor=Actor.system("test"), hall=world.hall)
    assert Client().get(url, {"key": "wrong"}).status_code == 404
    window = Window.objects.get(hall=world.hall, number="02")
    ticket = ticket_issue(actor=actor_of(world.hall_staff), group=world.group)
    ticket_call_next(actor=actor_of(world.hall_staff), window_id=window.pk)
    page = Client().get(url, {"key": key})
    body = page.content.decode()
    assert page.status_code == 200
    assert ticket.number in body
    assert "02 号窗口" in body
    assert world.person.name not in body
    # The hall's staff open it without the key.
    assert client_of(world.hall_staff).get(url).status_code == 200


def test_the_stream_sends_the_events_after_the_last_seen(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HONGMIAN_QUEUE_STREAM_SECONDS = 0.05
    key = hall_screen_key_rotate(actor=Actor.system("test"), hall=world.hall)
    first = ticket_issue(actor=actor_of(world.hall_staff), group=world.group)
    second = ticket_issue(actor=actor_of(world.hall_staff), group=world.group)
    url = reverse("appointments:queue_stream", args=[world.hall.pk])
    response = Client().get(url, {"key": key, "after": "0"})
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.count("event: ticket") == 2
    assert first.number in body
    assert second.number in body
    last = first.events.get().pk
    resumed = Client().get(url, {"key": key}, HTTP_LAST_EVENT_ID=str(last))
    body = b"".join(resumed.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.count("event: ticket") == 1
    assert second.number in body
    fresh = Client().get(url, {"key": key})
    assert "event: ticket" not in b"".join(fresh.streaming_content).decode()  # type: ignore[attr-defined]


def test_the_live_view_and_the_times(world: World) -> None:
    ticket_issue(actor=actor_of(world.hall_staff), group=world.group)
    client = client_of(world.hall_staff)
    live = client.get(reverse("appointments:queue_live", args=[world.hall.pk]))
    body = live.content.decode()
    assert live.status_code == 200
    assert f'data-group="{world.group.pk}">1<' in body
    stats_url = reverse("appointments:queue_stats", args=[world.hall.pk])
    assert client.get(stats_url).status_code == 200
    bad = client.get(stats_url, {"start": "2026-12-10", "end": "2026-12-01"})
    assert bad.status_code == 422
    assert "日期范围无效" in bad.content.decode()
