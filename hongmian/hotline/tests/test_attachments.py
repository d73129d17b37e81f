"""Attachments: the type from the content, the limits, the hash, EXIF stripped, thumbnails,
one transaction with the act, who reads which file."""

from __future__ import annotations

import hashlib
import io
import os
import time
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from PIL import Image

from hongmian.core.errors import (
    IllegalTransition,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.models import AuditEvent
from hongmian.core.upload_content import THUMBNAIL_SIZE, prepare, prepare_all
from hongmian.core.uploads import TooLargeUpload
from hongmian.hotline import attachment_selectors
from hongmian.hotline.models import Attachment
from hongmian.hotline.services import attachments as svc
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.services.lifecycle_handling import work_order_progress, work_order_reply
from hongmian.hotline.states import Visibility
from hongmian.hotline.tests.attachment_files import (
    EXE,
    FAKE_JPEG,
    HTML,
    PDF,
    SVG,
    jpeg_with_gps,
    photo,
    png_bytes,
    upload,
)
from hongmian.hotline.tests.factories import actor_of

pytestmark = pytest.mark.django_db


def read(name: str) -> bytes:
    with svc.attachment_storage().open(name, "rb") as handle:
        return handle.read()


# --- what a file is, and the copy that is kept -------------------------------------------------


def test_a_photo_is_kept_without_its_exif_upright_with_a_thumbnail() -> None:
    original = jpeg_with_gps()
    item = prepare(upload("IMG_0001.JPG", original, "image/jpeg"))
    assert item.content_type == "image/jpeg"
    assert item.name == "IMG_0001.jpg"
    assert item.sha256 == hashlib.sha256(original).hexdigest()
    assert item.content is not None
    assert item.stored_sha256 == hashlib.sha256(item.content).hexdigest()
    # The original carries the camera and the position; the kept copy nothing of it.
    assert b"HongmianCam" in original
    assert b"HongmianXMP" in original
    assert b"HongmianComment" in original
    assert b"Exif" in original
    assert b"HongmianCam" not in item.content
    assert b"Exif" not in item.content
    assert b"HongmianXMP" not in item.content
    assert b"HongmianComment" not in item.content
    kept = Image.open(io.BytesIO(item.content))
    assert dict(kept.getexif()) == {}
    assert kept.getexif().get_ifd(0x8825) == {}
    # Orientation 6 said "turn 90°": the kept picture stands upright, 600 wide and 800 high.
    assert kept.size == (600, 800)
    assert (item.width, item.height) == (600, 800)
    assert item.thumbnail is not None
    thumb = Image.open(io.BytesIO(item.thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= max(THUMBNAIL_SIZE)
    assert thumb.size == (240, 320)


def test_a_png_keeps_its_type_and_loses_its_text_chunks() -> None:
    image = Image.new("RGB", (40, 30), (1, 2, 3))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "陈先生 13800138000")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    item = prepare(upload("截图.png", out.getvalue(), "image/png"))
    assert item.content_type == "image/png"
    assert item.content is not None
    assert "陈先生".encode() not in item.content
    assert Image.open(io.BytesIO(item.content)).size == (40, 30)
    assert prepare(upload("t.png", png_bytes())).thumbnail is not None


def test_the_type_comes_from_the_content_not_the_name() -> None:
    # A PDF without an extension, and a photo named as a PDF: the content decides, and the
    # name takes the content's extension.
    pdf = prepare(upload("办理报告", PDF, "text/plain"))
    assert (pdf.content_type, pdf.name, pdf.thumbnail) == ("application/pdf", "办理报告.pdf", None)
    jpeg = prepare(upload("photo.pdf", jpeg_with_gps(), "application/pdf"))
    assert (jpeg.content_type, jpeg.name) == ("image/jpeg", "photo.jpg")


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("现场.jpg", FAKE_JPEG, "image/jpeg"),  # says JPEG by name and type, is text
        ("scan", FAKE_JPEG, "image/jpeg"),  # says JPEG by the Content-Type only
        ("invoice.jpg", EXE, "application/octet-stream"),  # a program named as a photo
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 300, "image/jpeg"),  # a JPEG head only
    ],
)
def test_a_file_that_claims_to_be_a_photo_but_is_not_is_a_type_mismatch(
    name: str, data: bytes, content_type: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        prepare(upload(name, data, content_type))
    assert caught.value.code == "attachment.type_mismatch"
    assert "JPEG" in caught.value.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", HTML),
        ("logo.svg", SVG),
        ("setup.exe", EXE),
        ("notes.txt", b"plain text"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_types_we_do_not_take_are_refused(name: str, data: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        prepare(upload(name, data, "application/octet-stream"))
    assert caught.value.code == "attachment.type_not_allowed"


def test_a_word_document_with_macros_is_refused_and_one_without_is_taken() -> None:
    def docx(*extra: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for part in ("[Content_Types].xml", "word/document.xml", *extra):
                archive.writestr(part, "<x/>")
        return out.getvalue()

    assert prepare(upload("报告.docx", docx())).name == "报告.docx"
    with pytest.raises(ValidationFailed) as caught:
        prepare(upload("报告.docm", docx("word/vbaProject.bin")))
    assert caught.value.code == "attachment.type_not_allowed"


def test_limits_of_size_count_and_pixels(settings) -> None:
    settings.HONGMIAN_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(PayloadTooLarge) as caught:
        prepare(upload("big.pdf", PDF + b"0" * 1000))
    assert caught.value.code == "attachment.too_large"
    assert caught.value.status_code == 413
    # The upload handler's marker for a file it dropped is refused the same way.
    with pytest.raises(PayloadTooLarge):
        prepare(TooLargeUpload("huge.jpg", "image/jpeg", 5000))
    settings.HONGMIAN_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    settings.HONGMIAN_ATTACHMENT_MAX_FILES = 2
    with pytest.raises(ValidationFailed) as many:
        prepare_all([upload("a.pdf", PDF)] * 3)
    assert many.value.code == "attachment.too_many"
    settings.HONGMIAN_ATTACHMENT_MAX_PIXELS = 100
    with pytest.raises(PayloadTooLarge):
        prepare(upload("p.png", png_bytes((20, 20))))
    with pytest.raises(ValidationFailed) as empty:
        prepare(upload("empty.pdf", b""))
    assert empty.value.code == "attachment.empty"


def test_the_same_file_picked_twice_is_kept_once() -> None:
    assert len(prepare_all([photo(), photo("again.jpg"), upload("r.pdf", PDF)])) == 2


# --- storing, with an act or alone ----------------------------------------------------------


def test_files_on_their_own_entry_stored_once_per_order(flow, units, new_files) -> None:
    order = flow.acknowledged()
    version = order.version
    handler = actor_of(flow.handler(units.shipai))
    first = svc.attachments_add(
        actor=handler, order=order, uploads=[photo(), upload("r.pdf", PDF)], visibility="staff"
    )
    assert [a.content_type for a in first] == ["image/jpeg", "application/pdf"]
    assert first[0].entry.kind == "attachments"
    assert first[0].entry.visibility == "staff"
    assert first[0].entry.text == "添加附件：现场.jpg、r.pdf"
    assert all(a.visibility == "staff" for a in first)
    assert read(first[0].stored_name) != jpeg_with_gps()  # the stripped copy
    assert b"Exif" not in read(first[0].stored_name)
    assert read(first[1].stored_name) == PDF
    assert AuditEvent.objects.filter(action="attachment.add").count() == 1
    # The same photo again, on another entry: a second row, no second file.
    again = svc.attachments_add(actor=handler, order=order, uploads=[photo()], visibility="public")
    assert again[0].stored_name == first[0].stored_name
    assert again[0].thumbnail_name == first[0].thumbnail_name
    assert len(new_files()) == 3  # photo, its thumbnail, the PDF
    order.refresh_from_db()
    assert order.version == version + 2  # each addition is a change of the order


def test_who_may_attach_and_how_to_mark(flow, units, citizen, liede_handler, new_files) -> None:
    order = flow.acknowledged()
    with pytest.raises(NotFound):  # another unit does not even see the order
        svc.attachments_add(
            actor=actor_of(liede_handler), order=order, uploads=[photo()], visibility="public"
        )
    with pytest.raises(ValidationFailed) as caught:  # internal is the centre's
        svc.attachments_add(
            actor=actor_of(flow.handler(units.shipai)),
            order=order,
            uploads=[photo()],
            visibility="internal",
        )
    assert caught.value.code == "attachment.visibility"
    rows = svc.attachments_add(
        actor=flow.centre, order=order, uploads=[photo()], visibility="internal"
    )
    assert rows[0].visibility == "internal"
    assert new_files()  # and nothing from the refused ones
    assert Attachment.objects.count() == 1


def test_closed_orders_take_files_from_the_centre_only(flow, units) -> None:
    from hongmian.hotline.services.lifecycle_closing import work_order_callback

    order = flow.replied()
    work_order_callback(actor=flow.centre, order=order, reached=True, satisfaction="satisfied")
    with pytest.raises(PermissionDenied):
        svc.attachments_add(
            actor=actor_of(flow.handler(units.shipai)),
            order=order,
            uploads=[photo()],
            visibility="public",
        )


def test_a_reply_carries_evidence_photos_for_the_caller(flow, units) -> None:
    order = flow.acknowledged()
    handler = actor_of(flow.handler(units.shipai))
    replied = svc.work_order_act_with_attachments(
        actor=handler,
        act=work_order_reply,
        entry_kinds=("replied",),
        uploads=[photo("清理后.jpg")],
        order=order,
        reply="已清理完毕。",
    )
    assert replied.status == "replied"
    row = Attachment.objects.get()
    assert row.entry.kind == "replied"
    assert row.visibility == Visibility.PUBLIC
    assert list(attachment_selectors.public_attachments(order)) == [row]


def test_a_file_is_never_wider_than_its_entry(flow, units) -> None:
    order = flow.acknowledged()
    svc.work_order_act_with_attachments(
        actor=actor_of(flow.handler(units.shipai)),
        act=work_order_progress,
        entry_kinds=("progress",),
        uploads=[photo()],
        files_visibility="public",  # asked wider than the staff note: kept at staff
        order=order,
        text="已到现场查看。",
        visibility="staff",
    )
    row = Attachment.objects.get()
    assert row.entry.visibility == "staff"
    assert row.visibility == "staff"


def test_a_refused_act_leaves_no_row_and_no_file(flow, units, new_files) -> None:
    order = flow.dispatched()  # not yet 签收: a reply is refused
    with pytest.raises(IllegalTransition):
        svc.work_order_act_with_attachments(
            actor=actor_of(flow.handler(units.shipai)),
            act=work_order_reply,
            entry_kinds=("replied",),
            uploads=[photo()],
            order=order,
            reply="已处理。",
        )
    assert Attachment.objects.count() == 0
    assert new_files() == []


def test_a_bad_file_refuses_the_whole_act(flow, units, new_files) -> None:
    order = flow.acknowledged()
    with pytest.raises(ValidationFailed):
        svc.work_order_act_with_attachments(
            actor=actor_of(flow.handler(units.shipai)),
            act=work_order_reply,
            entry_kinds=("replied",),
            uploads=[photo(), upload("fake.jpg", FAKE_JPEG, "image/jpeg")],
            order=order,
            reply="已处理。",
        )
    order.refresh_from_db()
    assert order.status == "acknowledged"
    assert not order.reply
    assert new_files() == []


def test_a_failure_after_the_files_were_stored_deletes_them(
    flow, units, monkeypatch, new_files
) -> None:
    order = flow.acknowledged()

    def broken(**_kwargs: object) -> None:
        raise RuntimeError("the audit store is down")

    monkeypatch.setattr(svc, "audit_record", broken)
    with pytest.raises(RuntimeError):
        svc.attachments_add(
            actor=actor_of(flow.handler(units.shipai)),
            order=order,
            uploads=[photo()],
            visibility="public",
        )
    assert Attachment.objects.count() == 0
    assert new_files() == []


def test_intake_with_photos(agent_actor) -> None:
    request = IntakeRequest(
        channel="web",
        request_type="report",
        title="路灯不亮",
        content="华师路口路灯不亮。",
        caller_name="陈先生",
        caller_phone="13800138000",
    )
    order, created = svc.work_order_intake_with_attachments(
        actor=agent_actor, request=request, uploads=[photo()], idempotency_key="k-1"
    )
    assert created
    row = Attachment.objects.get()
    assert row.entry.kind == "received"
    assert row.visibility == "public"
    # A retry under the same key returns the order and adds nothing.
    again, created = svc.work_order_intake_with_attachments(
        actor=agent_actor, request=request, uploads=[photo()], idempotency_key="k-1"
    )
    assert again.pk == order.pk
    assert not created
    assert Attachment.objects.count() == 1


# --- who reads which file -------------------------------------------------------------------


def test_access_follows_the_order_and_the_marking(flow, units, liede_handler, citizen) -> None:
    order = flow.acknowledged()
    add = svc.attachments_add
    public = add(actor=flow.centre, order=order, uploads=[photo()], visibility="public")[0]
    staff = add(actor=flow.centre, order=order, uploads=[upload("s.pdf", PDF)], visibility="staff")[
        0
    ]
    internal = add(
        actor=flow.centre,
        order=order,
        uploads=[upload("i.png", png_bytes())],
        visibility="internal",
    )[0]
    anonymous, handler = AnonymousUser(), flow.handler(units.shipai)
    access = attachment_selectors.access_attachment
    assert access(anonymous, public.key) == public
    for key in (staff.key, internal.key, "nope", ""):
        with pytest.raises(NotFound):
            access(anonymous, key)
    reads = AuditEvent.objects.filter(action="attachment.read")
    assert not reads.exists()  # the public file's reads are not audited
    assert access(handler, staff.key) == staff
    assert reads.get().after["attachment"] == staff.key
    assert access(handler, staff.key, audit=False) == staff  # a thumbnail beside the page
    assert reads.count() == 1
    with pytest.raises(NotFound):
        access(handler, internal.key)
    with pytest.raises(NotFound):
        access(liede_handler, staff.key)  # a unit the order never went to
    assert access(flow.agent, internal.key) == internal
    assert attachment_selectors.public_photo(order) == public
    shown = attachment_selectors.attachments_visible_to(handler, order)
    assert list(shown) == [public, staff]


def test_a_confidential_orders_public_files_are_the_callers_only(flow) -> None:
    order = flow.acknowledged(confidential=True)
    row = svc.attachments_add(
        actor=flow.centre, order=order, uploads=[photo()], visibility="public"
    )[0]
    with pytest.raises(NotFound):
        attachment_selectors.access_attachment(AnonymousUser(), row.key)
    assert attachment_selectors.access_attachment(AnonymousUser(), row.key, tracked=[order.pk])
    assert attachment_selectors.public_photo(order) is None


def test_orphans_are_deleted_and_kept_files_are_not(flow) -> None:
    order = flow.received()
    row = svc.attachments_add(
        actor=flow.centre, order=order, uploads=[upload("a.pdf", PDF)], visibility="staff"
    )[0]
    storage = svc.attachment_storage()
    stray = storage.save(f"hotline/{order.pk}/stray.pdf", ContentFile(PDF))
    fresh = storage.save(f"hotline/{order.pk}/fresh.pdf", ContentFile(PDF))
    old = time.time() - 3 * 86400
    for name in (stray, row.stored_name):
        os.utime(storage.path(name), (old, old))  # type: ignore[attr-defined]
    # (The folder is the whole run's: other tests' rolled-back files may be listed too.)
    listed = svc.attachment_orphans_delete(commit=False)
    assert stray in listed
    assert row.stored_name not in listed
    assert fresh not in listed
    assert storage.exists(stray)
    assert stray in svc.attachment_orphans_delete()
    assert not storage.exists(stray)
    assert storage.exists(row.stored_name)
    assert storage.exists(fresh)


def test_the_orphan_job_is_scheduled_daily_and_runs(flow, settings) -> None:
    from crontask import scheduler

    from hongmian.hotline.tasks import attachment_orphans_job

    [job] = [j for j in scheduler.get_jobs() if j.name == attachment_orphans_job.name]
    assert (str(job.trigger.fields[5]), str(job.trigger.fields[6])) == ("3", "40")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    order = flow.received()
    storage = svc.attachment_storage()
    stray = storage.save(f"hotline/{order.pk}/left-behind.pdf", ContentFile(PDF))
    old = time.time() - 2 * 86400
    os.utime(storage.path(stray), (old, old))  # type: ignore[attr-defined]
    assert attachment_orphans_job.enqueue().return_value["deleted"] >= 1
    assert not storage.exists(stray)


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("I;16", "PNG"),
        ("LA", "PNG"),
        ("1", "PNG"),
        ("P", "PNG"),
        ("CMYK", "JPEG"),
        ("RGBA", "WEBP"),
    ],
)
def test_every_image_mode_is_kept_and_thumbnailed(mode: str, fmt: str) -> None:
    out = io.BytesIO()
    Image.new(mode, (50, 40)).save(out, fmt)
    item = prepare(upload(f"x.{fmt.lower()}", out.getvalue()))
    assert item.content is not None
    assert Image.open(io.BytesIO(item.content)).size == (50, 40)
    assert item.thumbnail is not None
    assert Image.open(io.BytesIO(item.thumbnail)).mode == "RGB"
