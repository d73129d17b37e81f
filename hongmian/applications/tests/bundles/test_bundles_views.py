"""The pages and the API of life-event bundles: 一次办理 from the life event's page, the
combined form's shared fields once, one submission with the combined status, the API's
start / answers / submit with Idempotency-Key and its coded all-or-nothing refusal, and
another person's combined application looking like a missing one."""

from __future__ import annotations

import re

from django.test import Client

from hongmian.applications.models import Application, BundleApplication
from hongmian.applications.services import bundles
from hongmian.applications.states import Status
from hongmian.applications.tests.bundles.conftest import SHARED, Birth, filled
from hongmian.applications.tests.conftest import World, actor_of, jpeg


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_one_time_application_from_the_life_event_page(world: World, birth: Birth) -> None:
    browser = logged_in(world.citizen)
    event = browser.get("/services/life-events/birth/").content.decode()
    assert 'id="bundle-apply"' in event
    start = browser.get("/me/applications/bundles/start/birth/")
    assert start.status_code == 200
    location = browser.post("/me/applications/bundles/start/birth/")["Location"]
    again = browser.post("/me/applications/bundles/start/birth/")["Location"]
    assert location == again  # the draft being filled is continued, not doubled
    page = browser.get(location).content.decode()
    # A shared field is asked once; each part's own under its name.
    assert re.findall(r'name="[^"]*resident_id"', page) == ['name="s-resident_id"']
    assert 'name="p2-registered_address"' in page
    response = browser.post(
        location, {"action": "submit", **{f"s-{k}": v for k, v in SHARED.items()}}
    )
    assert response.status_code == 422  # materials missing: nothing submitted
    assert "一个也未提交" in response.content.decode()
    assert not Application.objects.exclude(status=Status.DRAFT).exists()


def test_the_combined_status_page_and_the_list(world: World, birth: Birth) -> None:
    row = filled(world, birth)
    browser = logged_in(world.citizen)
    url = f"/me/applications/bundles/{row.pk}/"
    form = {f"s-{k}": v for k, v in SHARED.items()}
    form |= {"s-child_name": "陈小明", "p2-registered_address": "天河区", "action": "submit"}
    assert browser.post(url, form).status_code == 302
    page = browser.get(url).content.decode()
    assert 'data-status="submitted"' in page
    assert page.count("data-part=") == 3
    mine = browser.get("/me/applications/bundles/").content.decode()
    assert "共 1 件" in mine
    assert "出生一件事" in mine
    # Another person is told it does not exist.
    assert logged_in(world.other_citizen).get(url).status_code == 404


def test_a_part_is_not_submitted_alone(world: World, birth: Birth) -> None:
    row = filled(world, birth)
    part = bundles.parts_of(row)[0]
    api = logged_in(world.citizen)
    response = api.post(f"/api/applications/{part.pk}/submit")
    assert response.status_code == 409
    assert response.json()["code"] == "bundle.part_alone"


def test_api_start_answers_submit(world: World, birth: Birth) -> None:
    api = logged_in(world.citizen)
    offers = Client().get("/api/bundles/offers").json()
    assert offers[0]["items"] == birth.bundle.item_names
    first = api.post(
        "/api/bundles",
        {"life_event": "birth"},
        content_type="application/json",
        headers={"Idempotency-Key": "b-1"},
    )
    again = api.post(
        "/api/bundles",
        {"life_event": "birth"},
        content_type="application/json",
        headers={"Idempotency-Key": "b-1"},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    body = first.json()
    assert body["status"] == "draft"
    assert len(body["parts"]) == 3
    assert BundleApplication.objects.count() == 1
    url = f"/api/bundles/{body['id']}"
    bad = api.put(f"{url}/answers", {"shared": {"salary": "1"}}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["code"] == "application.field_unknown"
    ok = api.put(
        f"{url}/answers",
        {
            "shared": {**SHARED, "child_name": "陈小明"},
            "parts": {"M-0001": {"registered_address": "天河区"}},
        },
        content_type="application/json",
    )
    assert ok.status_code == 200
    refused = api.post(f"{url}/submit", headers={"Idempotency-Key": "s-1"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "bundle.part_refused"
    assert set(refused.json()["fields"]) == {"A-0001", "H-0001"}  # both lack materials
    row = BundleApplication.objects.get()
    for name in ("申请人居民身份证", "近期免冠彩色证件照片"):
        bundles.bundle_material_upload(
            actor=actor_of(world.citizen),
            bundle_application=row,
            name=name,
            upload=jpeg(),
        )
    done = api.post(f"{url}/submit", headers={"Idempotency-Key": "s-1"})
    replay = api.post(f"{url}/submit", headers={"Idempotency-Key": "s-1"})
    assert (done.status_code, replay.status_code) == (201, 200)
    assert replay.json()["status"] == "submitted"
    assert Application.objects.filter(status=Status.SUBMITTED).count() == 3
    assert logged_in(world.other_citizen).get(url).status_code == 404
