"""The API's contract: create / answers / submit / list / show / review, coded errors, the
Idempotency-Key, forbidden looking like not found."""

from __future__ import annotations

from typing import Any

from django.test import Client

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.services import materials
from hongmian.applications.tests.conftest import World, actor_of, jpeg
from hongmian.identity.models import Person

BASE = "/api/applications"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_refuses_a_field_the_item_does_not_have(world: World) -> None:
    api = client_for(world.citizen)
    response = api.post(
        BASE,
        {"item_code": world.item.code, "answers": {"salary": "9000"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "application.field_unknown"
    assert not Application.objects.exists()


def test_create_answer_list_show(world: World) -> None:
    api = client_for(world.citizen)
    headers = {"Idempotency-Key": "c-1"}
    body = {"item_code": world.item.code, "answers": {"phone": "13812345678"}}
    first = api.post(BASE, body, content_type="application/json", headers=headers)
    again = api.post(BASE, body, content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    pk = first.json()["id"]
    patched = api.patch(
        f"{BASE}/{pk}", {"answers": {"name": "陈秀英"}}, content_type="application/json"
    )
    assert patched.status_code == 200
    values = {f["key"]: f["value"] for f in patched.json()["fields"]}
    assert values["name"] == "陈秀英"
    assert values["phone"] == "13812345678"
    listed = api.get(BASE, {"per_page": 1}).json()
    assert listed["total"] == 1
    assert listed["items"][0]["number"] == first.json()["number"]
    # Someone else's application is not found, not forbidden.
    assert client_for(world.other_citizen).get(f"{BASE}/{pk}").status_code == 404
    assert client_for(world.other_handler).get(f"{BASE}/{pk}").status_code == 404


def _ready(world: World, api: Client) -> int:
    body = {
        "item_code": world.item.code,
        "answers": {
            "name": "陈秀英",
            "resident_id": "x",
            "address": "天河路",
            "phone": "13812345678",
        },
    }
    pk = int(api.post(BASE, body, content_type="application/json").json()["id"])
    application = Application.objects.get(pk=pk)
    for material in (world.id_material, world.photo_material):
        materials.material_upload(
            actor=actor_of(world.citizen),
            application=application,
            material_id=material.pk,
            upload=jpeg(),
        )
    return pk


def test_submit_is_idempotent_and_enforces_the_level(world: World) -> None:
    api = client_for(world.citizen)
    pk = _ready(world, api)
    Person.objects.filter(pk=world.person.pk).update(assurance_level=1)
    low = api.post(f"{BASE}/{pk}/submit", headers={"Idempotency-Key": "s-1"})
    assert low.status_code == 403
    assert low.json()["code"] == "application.assurance_too_low"
    assert Application.objects.get(pk=pk).status == "draft"
    Person.objects.filter(pk=world.person.pk).update(assurance_level=2)
    first = api.post(f"{BASE}/{pk}/submit", headers={"Idempotency-Key": "s-1"})
    retry = api.post(f"{BASE}/{pk}/submit", headers={"Idempotency-Key": "s-1"})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert ApplicationEvent.objects.filter(kind="submit").count() == 1
    assert api.post(f"{BASE}/{pk}/submit").status_code == 409


def test_review_through_the_api(world: World) -> None:
    pk = _ready(world, client_for(world.citizen))
    client_for(world.citizen).post(f"{BASE}/{pk}/submit")
    desk = client_for(world.handler)
    accepted = desk.post(f"{BASE}/{pk}/review", {"act": "accept"}, content_type="application/json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["light"] == "green"
    wrong = desk.post(f"{BASE}/{pk}/review", {"act": "archive"}, content_type="application/json")
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "application.illegal_transition"
    unknown = desk.post(f"{BASE}/{pk}/review", {"act": "bless"}, content_type="application/json")
    assert unknown.json()["code"] == "application.act_unknown"
    other = client_for(world.other_handler).post(
        f"{BASE}/{pk}/review", {"act": "start"}, content_type="application/json"
    )
    assert other.status_code == 404
