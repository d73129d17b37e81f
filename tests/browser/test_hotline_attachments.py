"""Attachments in real Chromium: a citizen files a request with a photo from their phone
(with its GPS position in the EXIF), the street office sees the photo as a thumbnail beside
受理 on the order's timeline and replies with a photo of the place fixed; the caller, without
an account, sees both photos on the track page — and the photo they get has no EXIF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hongmian.core.actors import Actor
from hongmian.hotline.models import Attachment, WorkOrder
from hongmian.hotline.services import lifecycle_dispatch
from hongmian.hotline.tests.attachment_files import jpeg_with_gps
from hongmian.identity.models import User
from hongmian.identity.states import Role
from tests.browser.conftest import PASSWORD
from tests.browser.test_hotline_flows import (  # noqa: F401  (fixtures)
    CALLER_PHONE,
    log_out,
    world,
)
from tests.browser.test_shell import _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THUMBNAILS = ".timeline .attachments__photo img"
# Whether every thumbnail has loaded a real picture (not a broken image).
LOADED = """(selector) => [...document.querySelectorAll(selector)].map(
    (img) => img.complete && img.naturalWidth > 0)"""


def thumbnails_loaded(page, count: int) -> list[bool]:
    """Scroll each thumbnail into view (they load lazily, as a long timeline should), wait
    until the browser has finished with them, and say which show a picture.

    A thumbnail that failed is asked for once more: the browser fetches them in parallel,
    each request renews the session (SESSION_SAVE_EVERY_REQUEST), and the test database —
    SQLite in memory with a shared cache — refuses a second writer at once ("table is
    locked") where PostgreSQL and the SQLite file in production make it wait. A thumbnail
    that is really broken fails both times."""
    images = page.locator(THUMBNAILS)
    images.nth(count - 1).wait_for()
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    done = "(selector) => [...document.querySelectorAll(selector)].every((img) => img.complete)"
    page.wait_for_function(done, arg=THUMBNAILS)
    if not all(page.evaluate(LOADED, THUMBNAILS)):
        page.evaluate(
            """(selector) => document.querySelectorAll(selector).forEach((img) => {
                if (!img.naturalWidth) img.src = img.src + "?again=1";
            })""",
            THUMBNAILS,
        )
        page.wait_for_function(done, arg=THUMBNAILS)
    return page.evaluate(LOADED, THUMBNAILS)


def _photo(name: str, colour: tuple[int, int, int]) -> dict[str, object]:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_with_gps(colour=colour)}


def test_photos_on_intake_and_reply_reach_the_caller(page, world, log_in, log_out) -> None:  # noqa: F811 (fixtures)
    User.objects.create_user(
        username="citizen", password=PASSWORD, role=Role.CITIZEN, display_name="陈先生"
    )

    # The citizen files online with a photo of the missing manhole cover.
    log_in("citizen")
    page.goto("/hotline/submit/")
    page.get_by_label("您要反映的问题").fill("华师路口井盖缺失，晚上很危险。")
    page.get_by_label("问题发生的地址").fill("天河区石牌街道华师路1号")
    page.get_by_label("手机号码").fill(CALLER_PHONE)
    page.get_by_label("现场照片").set_input_files([_photo("井盖.jpg", (90, 90, 90))])
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/submit/done")
    number = page.locator("#order-number").inner_text()
    log_out()
    order = WorkOrder.objects.get(number=number)
    intake_photo = Attachment.objects.get(order=order)
    assert intake_photo.entry.kind == "received"

    centre = Actor(user=world.agent, via="web")
    lifecycle_dispatch.work_order_dispatch(actor=centre, order=order, lead_unit=world.shipai)
    lifecycle_dispatch.work_order_acknowledge(
        actor=Actor(user=world.shipai_handler, via="web"), order=order
    )

    # The street office sees the photo beside 受理 and replies with the place fixed.
    log_in("shipai")
    page.goto(f"/hotline/orders/{order.pk}/")
    received = page.locator(".timeline li", has_text="受理").first
    received.locator(".attachments__photo img").wait_for()
    assert thumbnails_loaded(page, 1) == [True]
    reply = page.locator("#reply")
    reply.get_by_label("答复意见").fill("已补装井盖，并设置警示标志。")
    reply.get_by_label("办结照片或材料").set_input_files([_photo("补装后.jpg", (30, 160, 60))])
    reply.get_by_role("button", name="提交答复").click()
    page.wait_for_selector("#order-status:has-text('已答复')")
    replied = page.locator(".timeline li", has_text="已补装井盖").first
    replied.locator(".attachments__photo img").wait_for()
    assert thumbnails_loaded(page, 2) == [True, True]
    _screenshot(page, "hotline-order-attachments.png")
    log_out()

    # The caller, without an account, tracks the order: both photos, as thumbnails that load.
    page.goto(f"/hotline/track/?number={number}")
    page.get_by_label("提交时留的手机号码").fill(CALLER_PHONE)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#order-status")
    assert thumbnails_loaded(page, 2) == [True, True]
    _screenshot(page, "hotline-track-attachments.png")

    # The reply's photo opens in full, and what the caller gets has no EXIF (no position).
    evidence = Attachment.objects.get(order=order, entry__kind="replied")
    response = page.request.get(f"/hotline/attachments/{evidence.key}")
    assert response.status == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.body()
    assert b"Exif" not in body
    assert dict(Image.open(io.BytesIO(body)).getexif()) == {}
