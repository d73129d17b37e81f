"""预约 in real Chromium (issue 14, items 1–2): an elder-mode citizen goes from the item's
page to the booking page, chooses the district and the hall, a day and a slot whose free
seats are shown truly, holds it, confirms it, and finds it in 我的预约 — no serious
axe-core violation on the booking page or the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role
from tests.browser.combobox import pick_unit

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], "axe ran no checks"
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_elder_citizen_books_a_slot_from_the_item_page(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    from django.utils import timezone

    from hongmian.appointments.models import Booking, Slot
    from hongmian.appointments.services.slots import slots_generate
    from hongmian.appointments.states import BookingStatus
    from hongmian.appointments.tests.conftest import make_world
    from hongmian.core import calendar
    from hongmian.core.actors import Actor

    citizen = make_user(Role.CITIZEN, elder_mode=True)
    world = make_world(citizen)
    day = calendar.add_workdays(timezone.localdate(), 2)
    slots_generate(actor=Actor.system("test"), days=1, start=day, halls=[world.hall])
    first = Slot.objects.filter(day=day).order_by("starts_at").first()
    assert first is not None
    Slot.objects.filter(pk=first.pk).update(booked=first.capacity - 1)  # one seat left

    log_in(citizen.username)
    page.wait_for_selector("#page.page--elder")
    page.goto("/services/items/T-0001/")
    page.locator("#book").click()
    page.wait_for_url("**/appointments/?item=T-0001")
    page.get_by_label("区").select_option(label="天河区")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    pick_unit(page, "选择大厅", "天河", "天河区政务服务中心")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=f"{day.month}月{day.day}日", exact=False).click()
    page.wait_for_selector("#hold-form")
    first_label = page.locator(f'label[for="slot-{first.pk}"]')
    assert "余 1 个" in first_label.inner_text()
    assert not _serious_violations(page)
    first_label.click()
    page.get_by_role("button", name="保留名额").click()
    page.wait_for_selector("#confirm")
    assert page.locator("#booking-status").inner_text() == "待确认"
    page.locator("#confirm").click()
    page.wait_for_selector(".messages")
    assert page.locator("#booking-status").inner_text() == "已预约"
    booking = Booking.objects.get(person__user=citizen)
    assert booking.status == BookingStatus.BOOKED
    assert Slot.objects.get(pk=first.pk).free == 0

    page.get_by_role("link", name="我的预约").first.click()
    page.wait_for_url("**/me/appointments/")
    assert page.locator("#mine-count").inner_text() == "共 1 条"
    assert booking.number in page.locator("table").inner_text()
    assert not _serious_violations(page)
