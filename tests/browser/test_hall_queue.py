"""The hall's line in real Chromium (issue 14, item 3): the desk checks a booking in by its
number and gives its ticket; the call-up screen, open on the hall's TV with its screen key,
shows a window's "call next" by push, without a reload; the console shows the ticket and its
line's true count; the live view follows a new ticket by push; no serious axe-core violation
on the desk or the console.

One test, one setup: the world, a booking for a slot starting in ten minutes, two pages
(the staff's and the TV's) in one browser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role
from tests.browser.test_appointments import _serious_violations

pytestmark = pytest.mark.browser


def test_check_in_call_next_and_the_screen_by_push(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from django.utils import timezone

    from hongmian.appointments.models import Booking, QueueTicket, Slot, Window
    from hongmian.appointments.services.queue import hall_screen_key_rotate, ticket_issue
    from hongmian.appointments.states import BookingStatus, TicketStatus
    from hongmian.appointments.tests.conftest import make_world
    from hongmian.core.actors import Actor

    world = make_world()
    staff = make_user(Role.HALL_STAFF, org_unit=world.hall.org_unit)
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=10)
    slot = Slot.objects.create(
        hall=world.hall,
        group=world.group,
        day=timezone.localdate(starts),
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        capacity=4,
        booked=1,
    )
    booking = Booking.objects.create(
        number="YY000000B0B0CAFE",
        slot=slot,
        item=world.item,
        person=world.person,
        status=BookingStatus.BOOKED,
        via="web",
    )
    ticket_issue(actor=Actor.system("test"), group=world.group)  # a walk-in waits: B001
    key = hall_screen_key_rotate(actor=Actor.system("test"), hall=world.hall)

    # The TV: the screen with its key, no login; nothing called yet.
    tv = page.context.new_page()
    tv_errors: list[str] = []
    tv.on("pageerror", lambda exc: tv_errors.append(str(exc)))
    tv.goto(f"/appointments/halls/{world.hall.pk}/screen/?key={key}")
    assert tv.locator("#screen-calls li").count() == 0
    assert tv.locator("#screen-waiting li").first.inner_text().split() == ["户籍证件", "1"]

    # The desk: check the booking in by its number.
    log_in(staff.username)
    page.goto(f"/appointments/halls/{world.hall.pk}/desk/")
    assert not _serious_violations(page)
    page.get_by_label("预约号").fill(booking.number.lower())
    page.get_by_role("button", name="签到并取号").click()
    page.wait_for_selector(".messages")
    assert "签到成功，排队号 A001" in page.locator(".messages").inner_text()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CHECKED_IN
    # The TV's waiting count followed the check-in by push.
    tv.wait_for_function(
        "() => document.querySelector('#screen-waiting .screen__count').textContent === '2'"
    )

    # Window 01's console: call next takes the appointment before the walk-in.
    window = Window.objects.get(hall=world.hall, number="01")
    page.get_by_role("link", name="01 号窗口").click()
    page.wait_for_selector("#call-next")
    assert page.locator("#waiting-count").inner_text() == "本窗口等候 2 人"
    assert not _serious_violations(page)
    page.locator("#call-next").click()
    page.wait_for_selector("#recall")
    assert page.locator("#current-ticket .console__number").inner_text() == "A001"
    assert page.locator("#waiting-count").inner_text() == "本窗口等候 1 人"
    ticket = QueueTicket.objects.get(number="A001")
    assert (ticket.status, ticket.window_id) == (TicketStatus.CALLED, window.pk)

    # The TV shows the call, pushed: no reload happened (the page's marker survives).
    tv.evaluate("() => { window.__noReload = true; }")
    tv.wait_for_selector("#screen-calls li.screen__call--new")
    first = tv.locator("#screen-calls li").first.inner_text()
    assert "A001" in first
    assert "01 号窗口" in first
    assert tv.evaluate("() => window.__noReload === true")
    assert tv.locator("#screen-waiting .screen__count").first.inner_text() == "1"

    # Another window calls the walk-in: the TV lists it on top, by push again.
    page.goto(f"/appointments/halls/{world.hall.pk}/windows/{window.pk + 1}/")
    page.locator("#call-next").click()
    page.wait_for_selector("#recall")
    tv.wait_for_function(
        "() => document.querySelector('#screen-calls li').textContent.includes('B001')"
    )
    assert tv.evaluate("() => window.__noReload === true")
    assert tv.locator("#screen-calls li").count() == 2
    tv.close()
    assert not tv_errors

    # The live view says it follows every ticket by push: a walk-in given at the desk in
    # another tab shows in its waiting count without a reload.
    live = page.context.new_page()
    live.goto(f"/appointments/halls/{world.hall.pk}/queue/")
    cell = f"#live-lines td[data-group='{world.group.pk}']"
    assert live.locator(cell).inner_text() == "0"
    live.evaluate("() => { window.__noReload = true; }")
    page.goto(f"/appointments/halls/{world.hall.pk}/desk/")
    page.get_by_role("button", name="取号", exact=True).click()
    page.wait_for_selector(".messages")
    live.wait_for_function(f"() => document.querySelector(\"{cell}\").textContent === '1'")
    assert live.evaluate("() => window.__noReload === true")
    live.close()
