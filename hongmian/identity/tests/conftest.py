"""Fixtures for identity's tests: a small organisation tree and actors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytest_django.fixtures import Settings

from hongmian.core.actors import Actor
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory
from hongmian.identity.tests.files_fixtures import depts, owners  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # The production hasher is slow on purpose; tests need correctness, not cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system() -> Actor:
    return Actor.system("test")


def actor_of(user: User) -> Actor:
    return Actor(user=user, via="web", client_address="127.0.0.1")


@dataclass
class Tree:
    """city ─┬─ tianhe ─┬─ shipai ── community
    │          └─ liede
    ├─ yuexiu
    └─ water (a city department)"""

    city: OrgUnit
    tianhe: OrgUnit
    shipai: OrgUnit
    community: OrgUnit
    liede: OrgUnit
    yuexiu: OrgUnit
    water: OrgUnit


@pytest.fixture
def tree(db: None) -> Tree:
    city = OrgUnitFactory(code="t-city", name="市政府", kind=UnitKind.CITY_GOVERNMENT)
    tianhe = OrgUnitFactory(
        code="t-tianhe", name="天河区", kind=UnitKind.DISTRICT_GOVERNMENT, parent=city
    )
    shipai = OrgUnitFactory(code="t-shipai", name="石牌街道", kind=UnitKind.STREET, parent=tianhe)
    community = OrgUnitFactory(
        code="t-community", name="石牌社区", kind=UnitKind.COMMUNITY, parent=shipai
    )
    liede = OrgUnitFactory(code="t-liede", name="猎德街道", kind=UnitKind.STREET, parent=tianhe)
    yuexiu = OrgUnitFactory(
        code="t-yuexiu", name="越秀区", kind=UnitKind.DISTRICT_GOVERNMENT, parent=city
    )
    water = OrgUnitFactory(code="t-water", name="市水务局", parent=city)
    return Tree(city, tianhe, shipai, community, liede, yuexiu, water)


def sign_in(username: str, password: str) -> User | None:
    """Django's authenticate as the login view calls it: axes needs the request."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/login/", {"username": username})
    user = authenticate(request=request, username=username, password=password)
    return user if isinstance(user, User) else None
