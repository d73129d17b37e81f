"""The public contract of /api/geo/."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from hongmian.core.actors import Actor
from hongmian.geo.address import MAX_ADDRESS_LENGTH
from hongmian.geo.services import divisions_load


@pytest.fixture
def client() -> Client:
    return Client()


def test_parse(client: Client) -> None:
    response = client.post(
        "/api/geo/parse", {"text": "天河區石牌街道華師附中對面"}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["district"] == {"code": "440106000", "name": "天河区"}
    assert body["street"] == {"code": "440106006", "name": "石牌街道"}
    assert 0.9 < body["confidence"] <= 1.0


def test_parse_unknown(client: Client) -> None:
    response = client.post(
        "/api/geo/parse", {"text": "深圳市南山区科技园"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"district": None, "street": None, "confidence": 0.0}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "address.empty"),
        ("   ", "address.empty"),
        ("天" * (MAX_ADDRESS_LENGTH + 1), "address.too_long"),
    ],
)
def test_parse_refuses_empty_and_oversized_text(client: Client, text: str, code: str) -> None:
    response = client.post("/api/geo/parse", {"text": text}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert list(body["fields"]) == ["text"]


def test_parse_refuses_a_body_without_text(client: Client) -> None:
    response = client.post("/api/geo/parse", {}, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "fields"}


def test_parse_accepts_the_longest_text(client: Client) -> None:
    text = "天河区石牌街道" + "。" * (MAX_ADDRESS_LENGTH - 7)
    response = client.post("/api/geo/parse", {"text": text}, content_type="application/json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_divisions(
    client: Client, system_actor: Actor, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    divisions_load(actor=system_actor)
    with django_assert_num_queries(1):
        districts = client.get("/api/geo/divisions").json()
    assert len(districts) == 11
    assert districts[0] == {"code": "440103000", "name": "荔湾区", "level": "district"}
    with django_assert_num_queries(2):  # the parent, then its children
        streets = client.get("/api/geo/divisions", {"parent": "440106000"}).json()
    assert len(streets) == 21
    assert {"code": "440106006", "name": "石牌街道", "level": "street"} in streets


@pytest.mark.django_db
def test_divisions_of_an_unknown_parent(client: Client, system_actor: Actor) -> None:
    divisions_load(actor=system_actor)
    response = client.get("/api/geo/divisions", {"parent": "999999999"})
    assert response.status_code == 404
    assert response.json()["code"] == "division.not_found"
