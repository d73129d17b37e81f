"""The pages: apply from the item, 我的办件 with its true count, the form page's coded
refusals, the review desk's queue and filters, the material download for the reviewer."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hongmian.applications.models import Application
from hongmian.applications.services import lifecycle
from hongmian.applications.tests.conftest import World, actor_of
from hongmian.applications.tests.test_lifecycle import ready


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_apply_opens_one_draft_and_the_list_counts_it(world: World) -> None:
    browser = logged_in(world.citizen)
    page = browser.get(f"/services/items/{world.item.code}/")
    assert 'id="apply-online"' in page.content.decode()
    first = browser.post(f"/services/items/{world.item.code}/apply/")
    again = browser.post(f"/services/items/{world.item.code}/apply/")
    assert first.status_code == 302
    assert first["Location"] == again["Location"]
    assert Application.objects.count() == 1
    mine = browser.get("/me/applications/").content.decode()
    assert "共 1 件" in mine
    assert world.item.name in mine


def test_the_form_page_shows_a_lying_upload_and_a_missing_answer(world: World) -> None:
    browser = logged_in(world.citizen)
    location = browser.post(f"/services/items/{world.item.code}/apply/")["Location"]
    fake = SimpleUploadedFile("照片.png", b"<script>alert(1)</script>", content_type="image/png")
    application = Application.objects.get()
    browser.post(f"{location}materials/{world.photo_material.pk}", {"file": fake}, follow=False)
    page = browser.get(location).content.decode()
    assert "的内容不是 PNG 图片" in page
    assert not application.materials.exists()
    submitted = browser.post(location, {"action": "submit", "phone": "13812345678"})
    assert submitted.status_code == 422
    assert Application.objects.get().status == "draft"


def test_the_desk_lists_the_units_applications_and_filters(world: World) -> None:
    application = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    desk = logged_in(world.handler)
    page = desk.get("/applications/desk/").content.decode()
    assert application.number in page
    assert "共 1 件" in page
    assert "陈**" in page  # the queue masks the name
    assert "陈秀英" not in page
    assert "共 0 件" in desk.get("/applications/desk/", {"light": "red"}).content.decode()
    assert (
        application.number
        not in logged_in(world.other_handler).get("/applications/desk/").content.decode()
    )
    assert logged_in(world.citizen).get("/applications/desk/").status_code == 403
    accepted = desk.post(f"/applications/desk/{application.pk}/", {"act": "accept"})
    assert accepted.status_code == 302
    assert Application.objects.get().status == "accepted"
    refused = desk.post(f"/applications/desk/{application.pk}/", {"act": "approve"})
    assert refused.status_code == 409
    download = desk.get(f"/applications/desk/{application.pk}/materials/{world.photo_material.pk}")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert (
        logged_in(world.other_handler).get(f"/applications/desk/{application.pk}/").status_code
        == 404
    )


def test_a_submitted_application_cannot_be_changed_from_its_page(world: World) -> None:
    application = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    browser = logged_in(world.citizen)
    response = browser.post(f"/me/applications/{application.pk}/", {"phone": "13900000000"})
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.answers["phone"] == "13812345678"
