"""An enterprise's representative sees the items for enterprises first, a citizen those for
persons first: in the finder's search, its list, its popular items and the portal home."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hongmian.catalog.services.life_events import life_event_save
from hongmian.catalog.tests.conftest import Org, actor_of, make_item
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERSONS = "C-P"  # for persons only
FIRMS = "C-E"  # for enterprises only


@pytest.fixture
def items(org: Org) -> Any:
    # The enterprise's item sorts first by code, so a citizen's order is not the default one.
    firm = make_item(
        org, code=FIRMS, name="食品经营许可（企业）", for_persons=False, for_enterprises=True
    )
    person = make_item(org, code=PERSONS, name="食品经营许可（个体）", for_persons=True)
    life_event_save(actor=actor_of(org.cdo), slug="food", name="开餐馆", items=[firm, person])
    return org


def _as(role: Role) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


def _codes(rows: list[Any]) -> list[str]:
    return [r["code"] if isinstance(r, dict) else r.code for r in rows]


@pytest.mark.parametrize(
    ("role", "first"), [(Role.ENTERPRISE_REP, FIRMS), (Role.CITIZEN, PERSONS), (None, PERSONS)]
)
def test_the_finder_puts_the_readers_items_first(items: Org, role: Role | None, first: str) -> None:
    client = _as(role) if role else Client()
    search = client.get("/services/", {"q": "食品经营许可"}).context
    assert _codes(search["items"])[0] == first
    assert sorted(_codes(search["items"])) == sorted([PERSONS, FIRMS])
    listed = client.get("/services/", {"level": ""} | {"page": "1"}).context
    assert _codes(listed["items"])[0] == first
    assert _codes(client.get("/services/").context["popular"])[0] == first


@pytest.mark.parametrize(("role", "first"), [(Role.ENTERPRISE_REP, FIRMS), (Role.CITIZEN, PERSONS)])
def test_the_home_lists_the_readers_items_first(items: Org, role: Role, first: str) -> None:
    response = _as(role).get("/")
    assert _codes(list(response.context["page"].items))[0] == first
    assert 'id="home-items"' in response.text
