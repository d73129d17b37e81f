"""Attachments through the screens (the Django client, real multipart bodies): intake on the
console and the citizen page, files with a progress note, a reply and a callback, the order
page's 添加附件, the download and thumbnail views and who gets them, and bad uploads."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Attachment, WorkOrder
from hongmian.hotline.tests.attachment_files import (
    EXE,
    FAKE_JPEG,
    PDF,
    jpeg_with_gps,
    photo,
    upload,
)

pytestmark = pytest.mark.django_db

CONSOLE = reverse("hotline:console")
SUBMIT = reverse("hotline:submit")
TRACK = reverse("hotline:track")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def intake(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "caller_phone": "13800138000",
        "caller_name": "陈先生",
        "channel": "phone",
        "request_type": "report",
        "priority": "normal",
        "title": "华师路井盖缺失",
        "content": "华师路口井盖缺失，很危险。",
        "address": "天河区石牌街道华师路1号",
        "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


def url(name: str, order: WorkOrder) -> str:
    return reverse(f"hotline:{name}", args=(order.pk,))


def keys_in(html: str) -> list[str]:
    return re.findall(r"/hotline/attachments/([\w-]+)/thumbnail", html)


def test_console_intake_with_a_photo_shows_it_on_the_timeline(client, agent) -> None:
    client.force_login(agent)
    response = client.post(
        CONSOLE, intake(attachments=[photo("井盖.jpg"), upload("说明.pdf", PDF)])
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    rows = list(Attachment.objects.order_by("id"))
    assert [(a.name, a.entry.kind) for a in rows] == [
        ("井盖.jpg", "received"),
        ("说明.pdf", "received"),
    ]

    page = client.get(url("order", order)).content.decode()
    assert keys_in(page) == [rows[0].key]
    assert f'href="/hotline/attachments/{rows[1].key}"' in page
    assert 'enctype="multipart/form-data"' in page  # the panels that take files

    thumb = client.get(reverse("hotline:attachment_thumbnail", args=(rows[0].key,)))
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) <= 320

    full = client.get(reverse("hotline:attachment", args=(rows[0].key,)))
    body = b"".join(full.streaming_content)
    assert full["X-Content-Type-Options"] == "nosniff"
    assert full["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert full["Content-Disposition"].startswith("inline;")
    assert full["Cache-Control"] == "no-store"
    assert b"Exif" not in body
    assert b"HongmianCam" not in body
    assert dict(Image.open(io.BytesIO(body)).getexif()) == {}

    pdf = client.get(reverse("hotline:attachment", args=(rows[1].key,)))
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%AF%B4%E6%98%8E.pdf" in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content) == PDF


def test_console_refuses_a_fake_photo_and_keeps_nothing(client, agent, new_files) -> None:
    client.force_login(agent)
    response = client.post(
        CONSOLE, intake(attachments=[photo(), upload("现场.jpg", FAKE_JPEG, "image/jpeg")])
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "附件“现场.jpg”的内容不是 JPEG 图片" in html
    assert WorkOrder.objects.count() == 0
    assert new_files() == []


def test_an_unsupported_type_is_refused_with_its_reason(client, agent) -> None:
    client.force_login(agent)
    response = client.post(CONSOLE, intake(attachments=[upload("tool.exe", EXE)]))
    assert response.status_code == 422
    assert "的类型不能上传" in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_an_upload_over_the_limit_is_dropped_as_it_arrives(
    client, agent, settings, new_files
) -> None:
    settings.HONGMIAN_ATTACHMENT_MAX_BYTES = 100 * 1024
    client.force_login(agent)
    big = upload("大图.jpg", jpeg_with_gps() + b"\0" * (300 * 1024), "image/jpeg")
    response = client.post(CONSOLE, intake(attachments=[big]))
    assert response.status_code == 413
    assert "附件“大图.jpg”超过 100 KB 的大小限制" in response.content.decode()
    assert WorkOrder.objects.count() == 0
    assert new_files() == []


def test_citizen_submits_a_photo_and_sees_it_when_tracking(client, citizen) -> None:
    client.force_login(citizen)
    data = {
        "content": "小区门口路灯坏了一个月。",
        "address": "越秀区北京街道北京路1号",
        "caller_phone": "13800138000",
        "request_type": "help",
        "idempotency_key": "c-1",
        "attachments": [photo("路灯.jpg")],
    }
    assert client.post(SUBMIT, data).status_code == 302
    order = WorkOrder.objects.get()
    row = Attachment.objects.get()
    assert row.visibility == "public"
    client.logout()
    page = client.post(TRACK, {"number": order.number, "phone": "13800138000"}).content.decode()
    assert keys_in(page) == [row.key]
    assert client.get(reverse("hotline:attachment", args=(row.key,))).status_code == 200


def test_reply_with_an_evidence_photo_reaches_the_caller(client, flow, units) -> None:
    order = flow.acknowledged()
    client.force_login(flow.handler(units.shipai))
    response = client.post(
        url("reply", order),
        {
            "reply-reply": "井盖已补装。",
            "reply-version": order.version,
            "reply-attachments": [photo("补装后.jpg")],
        },
    )
    assert response.status_code == 302
    row = Attachment.objects.get()
    assert (row.entry.kind, row.visibility) == ("replied", "public")
    client.logout()
    page = client.post(TRACK, {"number": order.number, "phone": "13800138000"}).content.decode()
    assert keys_in(page) == [row.key]


def test_a_staff_note_with_files_is_not_for_the_public(client, flow, units) -> None:
    order = flow.acknowledged()
    client.force_login(flow.handler(units.shipai))
    response = client.post(
        url("progress", order),
        {
            "progress-text": "现场照片，含住户门牌。",
            "progress-visibility": "staff",
            "progress-attachments": [photo()],
        },
    )
    assert response.status_code == 302
    row = Attachment.objects.get()
    assert row.visibility == "staff"
    assert keys_in(client.get(url("order", order)).content.decode()) == [row.key]
    # Opening the staff photo is an audited read; its thumbnail beside the page is not.
    assert client.get(reverse("hotline:attachment_thumbnail", args=(row.key,))).status_code == 200
    assert client.get(reverse("hotline:attachment", args=(row.key,))).status_code == 200
    assert AuditEvent.objects.filter(action="attachment.read").count() == 1
    client.logout()
    assert client.get(reverse("hotline:attachment", args=(row.key,))).status_code == 404
    page = client.post(TRACK, {"number": order.number, "phone": "13800138000"}).content.decode()
    assert keys_in(page) == []


def test_a_refused_reply_keeps_no_file(client, flow, units, new_files) -> None:
    order = flow.acknowledged()
    client.force_login(flow.handler(units.shipai))
    response = client.post(
        url("reply", order),
        {
            "reply-reply": "已处理。",
            "reply-version": order.version - 1,  # stale: someone acted meanwhile
            "reply-attachments": [photo()],
        },
    )
    assert response.status_code == 409
    assert Attachment.objects.count() == 0
    assert new_files() == []


def test_callback_with_a_file_and_the_order_pages_attach_panel(client, flow, agent) -> None:
    order = flow.replied()
    client.force_login(agent)
    response = client.post(
        url("callback", order),
        {
            "callback-reached": "yes",
            "callback-satisfaction": "satisfied",
            "callback-resolved": "yes",
            "callback-comment": "市民表示满意。",
            "callback-version": order.version,
            "callback-attachments": [upload("通话记录.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    assert Attachment.objects.get().entry.kind == "callback"
    response = client.post(
        url("attach", order), {"attach-attachments": [photo()], "attach-visibility": "internal"}
    )
    assert response.status_code == 302
    added = Attachment.objects.get(entry__kind="attachments")
    assert added.visibility == "internal"
    page = client.get(url("order", order)).content.decode()
    assert "添加附件" in page
    assert keys_in(page) == [added.key]


def test_a_unit_may_not_mark_internal_and_others_see_nothing(
    client, flow, units, liede_handler
) -> None:
    order = flow.acknowledged()
    client.force_login(flow.handler(units.shipai))
    page = client.get(url("order", order)).content.decode()
    assert 'value="internal"' not in page.split('id="attach"')[1]
    response = client.post(
        url("attach", order), {"attach-attachments": [photo()], "attach-visibility": "internal"}
    )
    assert response.status_code == 422  # the service's attachment.visibility
    assert Attachment.objects.count() == 0
    client.force_login(liede_handler)
    response = client.post(
        url("attach", order), {"attach-attachments": [photo()], "attach-visibility": "staff"}
    )
    assert response.status_code == 404


def test_the_caller_adds_photos_to_their_own_open_order(client, flow, citizen, citizen_person):
    from hongmian.identity.states import Role
    from hongmian.identity.tests.factories import UserFactory

    order = flow.dispatched(caller_person=citizen_person)
    client.force_login(citizen)
    page = client.get(reverse("hotline:mine_order", args=(order.pk,))).content.decode()
    assert "补充照片" in page
    assert 'enctype="multipart/form-data"' in page
    attach = reverse("hotline:mine_attach", args=(order.pk,))
    empty = client.post(attach, {})
    assert empty.status_code == 422
    assert "请选择要上传的文件" in empty.content.decode()
    response = client.post(attach, {"attachments": [photo("又坏了.jpg")]})
    assert response.status_code == 302
    row = Attachment.objects.get()
    assert (row.visibility, row.entry.kind, row.entry.visibility) == (
        "public",
        "attachments",
        "public",
    )
    page = client.get(reverse("hotline:mine_order", args=(order.pk,))).content.decode()
    assert keys_in(page) == [row.key]
    # Another citizen: the order is not there for them.
    client.force_login(UserFactory(role=Role.CITIZEN))
    assert client.post(attach, {"attachments": [photo()]}).status_code == 404
    assert Attachment.objects.count() == 1
