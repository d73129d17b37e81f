"""Attachments through the machine doors: the JSON API's multipart upload, list and download
(the Django client with a real multipart body), a real over-limit upload over HTTP with the
memory it costs measured, and Open311's `media` upload and `media_url`."""

from __future__ import annotations

import io
import os
import tempfile
import tracemalloc
import urllib.request

import pytest
from django.test import Client
from PIL import Image

from hongmian.hotline.models import Attachment, TimelineEntry, WorkOrder
from hongmian.hotline.tests import test_open311 as shapes
from hongmian.hotline.tests.attachment_files import FAKE_JPEG, PDF, jpeg_with_gps, photo, upload
from hongmian.hotline.tests.http import api_key_for

pytestmark = pytest.mark.django_db

services, app_account, app = shapes.services, shapes.app_account, shapes.app


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_key_for(user)}"})


def files_url(order: WorkOrder) -> str:
    return f"/api/hotline/work-orders/{order.number}/attachments"


def test_upload_list_and_download(flow, units, liede_handler) -> None:
    order = flow.acknowledged()
    handler = api(flow.handler(units.shipai))
    response = handler.post(
        files_url(order), {"attachments": [photo("现场.jpg"), upload("报告.pdf", PDF)]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(f["name"], f["visibility"], f["entry_kind"]) for f in body] == [
        ("现场.jpg", "staff", "attachments"),
        ("报告.pdf", "staff", "attachments"),
    ]
    assert body[0]["thumbnail_url"].endswith("/thumbnail")
    assert body[1]["thumbnail_url"] is None
    assert (body[0]["width"], body[0]["height"]) == (600, 800)

    listed = handler.get(files_url(order), {"limit": 1}).json()
    assert listed["total"] == 2
    assert [f["key"] for f in listed["items"]] == [body[0]["key"]]

    download = handler.get(f"/api/hotline/attachments/{body[0]['key']}")
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    content = b"".join(download.streaming_content)
    assert dict(Image.open(io.BytesIO(content)).getexif()) == {}

    # Another unit: the order and its files are not there for it.
    other = api(liede_handler)
    assert other.post(files_url(order), {"attachments": [photo()]}).json()["code"] == (
        "work_order.not_found"
    )
    assert other.get(files_url(order)).status_code == 404
    assert other.get(f"/api/hotline/attachments/{body[0]['key']}").status_code == 404


def test_the_callers_upload_is_public_and_a_unit_cannot_mark_internal(
    flow, units, citizen, citizen_person
) -> None:
    order = flow.acknowledged(caller_person=citizen_person)  # names the citizen as caller
    response = api(citizen).post(files_url(order), {"attachments": [photo()]})
    assert response.status_code == 201, response.content
    assert response.json()[0]["visibility"] == "public"
    refused = api(flow.handler(units.shipai)).post(
        files_url(order), {"attachments": [photo("b.jpg")], "visibility": "internal"}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "attachment.visibility"


def test_bad_files_are_coded_errors(flow, settings, new_files) -> None:
    order = flow.received()
    client = api(flow.agent)
    fake = client.post(
        files_url(order), {"attachments": [upload("现场.jpg", FAKE_JPEG, "image/jpeg")]}
    )
    assert fake.status_code == 422
    assert fake.json()["code"] == "attachment.type_mismatch"
    assert fake.json()["fields"] == {"attachments": ["“现场.jpg”的内容不是 JPEG 图片"]}
    html = client.post(files_url(order), {"attachments": [upload("a.html", b"<html><script>")]})
    assert html.json()["code"] == "attachment.type_not_allowed"
    settings.HONGMIAN_ATTACHMENT_MAX_BYTES = 50 * 1024
    big = client.post(files_url(order), {"attachments": [upload("big.pdf", PDF + b"0" * 200_000)]})
    assert big.status_code == 413
    assert big.json()["code"] == "attachment.too_large"
    assert Attachment.objects.count() == 0
    assert new_files() == []


def _multipart_file(path: str, boundary: str, name: str, size: int) -> int:
    """Write a multipart body with one `attachments` part of `size` bytes (a JPEG head, then
    zeros) to `path`, without holding it in memory; return its length."""
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="attachments"; filename="{name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    with open(path, "wb") as out:
        out.write(head + b"\xff\xd8\xff\xe0")
        chunk = b"\0" * (1024 * 1024)
        left = size - 4
        while left > 0:
            out.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        out.write(tail)
    return os.path.getsize(path)


def test_a_real_upload_over_the_default_limit_is_refused_without_being_held(
    live_server, flow, settings
) -> None:
    """21 MB against the default 20 MB limit, over real HTTP, streamed from a file on both
    sides: the answer is the coded 413 and the process's memory grows by far less than the
    file (the upload handler drops the chunks past the limit)."""
    assert settings.HONGMIAN_ATTACHMENT_MAX_BYTES == 20 * 1024 * 1024
    order = flow.received()
    key = api_key_for(flow.agent)
    boundary = "hongmian-boundary-0031"
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "body")
        length = _multipart_file(path, boundary, "huge.jpg", 21 * 1024 * 1024)
        with open(path, "rb") as body:
            request = urllib.request.Request(  # noqa: S310 - the test's own live server
                live_server.url + files_url(order),
                data=body,
                method="POST",
                headers={
                    "Authorization": f"Bearer {key}",
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(length),
                },
            )
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            # A first request loads what the first request of a process loads (URLs, the
            # API's schemas …), so that only the upload itself is measured.
            warm_up = urllib.request.Request(  # noqa: S310 - the test's own live server
                live_server.url + files_url(order), headers={"Authorization": f"Bearer {key}"}
            )
            with opener.open(warm_up, timeout=60) as response:
                assert response.status == 200
            tracemalloc.start()
            try:
                try:
                    with opener.open(request, timeout=60) as response:
                        status, answer = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, answer = error.code, error.read()
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert status == 413, answer
    assert b'"attachment.too_large"' in answer
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a 21 MB upload"
    assert Attachment.objects.count() == 0


# --- Open311 -----------------------------------------------------------------------------------


def test_open311_media_upload_is_the_public_photo_without_exif(app, services) -> None:
    http, key = app
    client = Client()
    data = {**shapes.report(key), "media": upload("photo.jpg", jpeg_with_gps(), "image/jpeg")}
    data.pop("media_url")
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 200, response.content
    number = response.json()[0]["service_request_id"]
    row = Attachment.objects.get()
    assert (row.entry.kind, row.visibility) == ("received", "public")

    public = http.get(f"/open311/v2/requests/{number}.json").json()[0]
    media_url = public["media_url"]
    assert media_url == f"{http.base_url}/hotline/attachments/{row.key}"
    assert "description" not in public
    assert "lat" not in public
    photo_bytes = http.get(media_url.removeprefix(http.base_url)).body
    assert b"Exif" not in photo_bytes
    assert dict(Image.open(io.BytesIO(photo_bytes)).getexif()) == {}
    listed = http.get("/open311/v2/requests.xml").xml()
    assert listed.find("request/media_url").text == media_url


def test_open311_media_url_is_recorded_not_fetched(app, services) -> None:
    http, key = app
    response = http.post("/open311/v2/requests.json", form=shapes.report(key))
    assert response.status == 200, response.text
    number = response.json()[0]["service_request_id"]
    link = TimelineEntry.objects.get(kind="media_link")
    assert (link.text, link.visibility) == ("https://example.com/photo.jpg", "staff")
    keyed = http.get(f"/open311/v2/requests/{number}.json", params={"api_key": key}).json()
    assert keyed[0]["media_url"] == "https://example.com/photo.jpg"
    public = http.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert "media_url" not in public  # a client's link is not our public photo


def test_open311_bad_media_is_the_specs_error(app, services) -> None:
    _http, key = app
    client = Client()
    data = {**shapes.report(key), "media": upload("photo.jpg", FAKE_JPEG, "image/jpeg")}
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "media: “photo.jpg”的内容不是 JPEG 图片"}
    ]
    assert WorkOrder.objects.count() == 0
    data = {**shapes.report(key), "media_url": "javascript:alert(1)"}
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 400
    assert "media_url" in response.json()[0]["description"]
