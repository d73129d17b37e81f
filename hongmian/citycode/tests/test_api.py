"""The API's contract: keys.json public and cacheable, a citizen's current code, a terminal
scanning with its own key (and refused by code when it is not an enabled terminal), the
staff lists paged with their true count."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hongmian.citycode.services.codes import citycode_issue
from hongmian.citycode.services.terminals import terminal_set_enabled
from hongmian.citycode.tests.conftest import SYSTEM, World
from hongmian.core.actors import Actor
from hongmian.identity.services.api_keys import api_key_create

pytestmark = pytest.mark.django_db


def _key(user: object) -> str:
    _row, key = api_key_create(actor=Actor.cli(None, "test"), user=user, name="终端密钥")  # type: ignore[arg-type]
    return key


def test_keys_json_is_public_and_cacheable(world: World, client: Client) -> None:
    citycode_issue(holder=world.holder)  # makes the first key
    response = client.get("/api/citycode/keys.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    body = response.json()
    assert [k["kty"] for k in body["keys"]] == ["EC"]
    assert "d" not in body["keys"][0]  # public keys only
    assert body["revoked"] == []


def test_a_citizen_gets_a_fresh_code_never_cached(world: World, client: Client) -> None:
    client.force_login(world.citizen)
    first = client.get("/api/citycode/me")
    second = client.get("/api/citycode/me")
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    assert first.json()["payload"] != second.json()["payload"]  # a new nonce each time
    client.force_login(world.health_clerk)
    refused = client.get("/api/citycode/me")
    assert (refused.status_code, refused.json()["code"]) == (403, "citycode.not_a_holder")


def test_a_terminal_scans_with_its_key_and_sees_its_scope(world: World, client: Client) -> None:
    payload = citycode_issue(holder=world.holder).payload
    response = client.post(
        "/api/citycode/scans",
        data=json.dumps({"payload": payload}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_key(world.hall.account)}",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["valid"], body["reason"], body["name"], body["masked_id"]) == (
        True,
        "ok",
        "张三",
        None,
    )
    bad = client.post(
        "/api/citycode/scans",
        data=json.dumps({"payload": "x.y"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_key(world.gate.account)}",
    )
    assert (bad.status_code, bad.json()["valid"], bad.json()["reason"]) == (200, False, "malformed")
    assert bad.json()["name"] is None


def test_a_disabled_or_unknown_terminal_gets_a_coded_403(world: World, client: Client) -> None:
    gate_key = _key(world.gate.account)
    terminal_set_enabled(actor=SYSTEM, terminal=world.gate, enabled=False)
    body = json.dumps({"payload": citycode_issue(holder=world.holder).payload})
    disabled = client.post(
        "/api/citycode/scans",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {gate_key}",
    )
    assert (disabled.status_code, disabled.json()["code"]) == (403, "terminal.disabled")
    unknown = client.post(
        "/api/citycode/scans",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_key(world.citizen)}",
    )
    assert (unknown.status_code, unknown.json()["code"]) == (403, "terminal.unknown")


def test_the_registry_pages_with_its_true_count(world: World, client: Client) -> None:
    client.force_login(world.admin)
    page = client.get("/api/citycode/terminals?per_page=1").json()
    assert (page["total"], page["num_pages"], len(page["items"])) == (2, 2, 1)
    # An owner unit's staff see their own terminals only.
    from hongmian.identity.tests.factories import UserFactory

    client.force_login(UserFactory(role="hall_staff", org_unit=world.hall_unit))
    mine = client.get("/api/citycode/terminals").json()
    assert [t["code"] for t in mine["items"]] == ["hall-1"]
    gate = client.get(f"/api/citycode/terminals/{world.gate.pk}/scans")
    assert gate.status_code == 404  # another unit's terminal looks missing


def test_an_unauthorised_unit_gets_a_coded_403_for_an_attribute(
    world: World, client: Client
) -> None:
    client.force_login(world.other_clerk)
    response = client.post(
        "/api/citycode/attributes",
        data=json.dumps(
            {"resident_id": world.person.resident_id, "type": "elder_care", "value": "是"}
        ),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (
        403,
        "citycode.attribute_unit_not_authorised",
    )
    client.force_login(world.health_clerk)
    ok = client.post(
        "/api/citycode/attributes",
        data=json.dumps(
            {"resident_id": world.person.resident_id, "type": "elder_care", "value": "是"}
        ),
        content_type="application/json",
    )
    assert (ok.status_code, ok.json()["set_by_unit"]) == (201, "广州市卫生健康委员会")
