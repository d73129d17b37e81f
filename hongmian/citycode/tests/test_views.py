"""The screens: the citizen's page (QR, consent, new code id), the registry's list with its
true count and a terminal's scan log, the attribute screen for an authorised unit."""

from __future__ import annotations

import pytest
from django.test import Client

from hongmian.citycode.models import CodeHolder
from hongmian.citycode.services.codes import citycode_issue
from hongmian.citycode.services.scans import scan_resolve
from hongmian.citycode.tests.conftest import World, actor_of

pytestmark = pytest.mark.django_db


def test_the_citizen_sees_the_code_and_sets_consent(world: World, client: Client) -> None:
    client.force_login(world.citizen)
    home = client.get("/").content.decode()
    assert "/me/citycode/" in home
    html = client.get("/me/citycode/").content.decode()
    assert 'id="cc-code"' in html
    assert "<svg" in html
    assert 'hx-trigger="load delay:50s"' in html  # ten seconds before the 60 s run out
    response = client.post("/me/citycode/share", {"shared": ["masked_id"]})
    assert response.status_code == 302
    world.holder.refresh_from_db()
    assert world.holder.shared == ["masked_id"]
    old = world.holder.code_id
    client.post("/me/citycode/reissue")
    assert CodeHolder.objects.get(pk=world.holder.pk).code_id != old


def test_staff_hold_no_code(world: World, client: Client) -> None:
    client.force_login(world.health_clerk)
    assert client.get("/me/citycode/").status_code == 403


def test_the_registry_and_a_scan_log(world: World, client: Client) -> None:
    for _ in range(3):
        scan_resolve(
            actor=actor_of(world.hall.account),
            payload=citycode_issue(holder=world.holder).payload,
        )
    client.force_login(world.admin)
    html = client.get("/citycode/terminals/").content.decode()
    assert "共 2 台" in html
    assert "metro-panyu" in html
    log = client.get(f"/citycode/terminals/{world.hall.pk}/").content.decode()
    assert "共 3 条" in log
    assert world.holder.code_id in log
    assert world.person.name not in log  # the log never names the person


def test_an_authorised_unit_finds_a_person_and_sets_an_attribute(
    world: World, client: Client
) -> None:
    client.force_login(world.health_clerk)
    page = client.get("/citycode/attributes/", {"resident_id": world.person.resident_id})
    assert "共 0 条" in page.content.decode()
    client.post(
        "/citycode/attributes/",
        {"resident_id": world.person.resident_id, "type": "elder_care", "value": "是"},
    )
    page = client.get("/citycode/attributes/", {"resident_id": world.person.resident_id})
    html = page.content.decode()
    assert "共 1 条" in html
    assert "长者关爱" in html
    from hongmian.core.masking import mask_resident_id

    assert mask_resident_id(world.person.resident_id) in html  # the heading shows it masked
    client.force_login(world.other_clerk)
    other = client.get("/citycode/attributes/", {"resident_id": world.person.resident_id})
    assert "长者关爱" not in other.content.decode()
