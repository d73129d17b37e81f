"""Fixtures of the web shell's tests: one user per role, a small organisation tree."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import STAFF_ROLES, Role, UnitKind

PASSWORD = "Hongmian-2025-test"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # The production hasher costs ~0.5 s a hash by design; tests log in dozens of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org_tree(db: None) -> dict[str, OrgUnit]:
    """市政府 › 天河区政府 › 石牌街道, with one more street so the district has sub-units."""
    city = OrgUnit.objects.create(
        code="GZ", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT, path="/gz/"
    )
    district = OrgUnit.objects.create(
        code="GZ-TH",
        name="天河区人民政府",
        kind=UnitKind.DISTRICT_GOVERNMENT,
        parent=city,
        path="/gz/th/",
        depth=1,
    )
    street = OrgUnit.objects.create(
        code="GZ-TH-SP",
        name="石牌街道办事处",
        kind=UnitKind.STREET,
        parent=district,
        path="/gz/th/sp/",
        depth=2,
    )
    OrgUnit.objects.create(
        code="GZ-TH-WS",
        name="五山街道办事处",
        kind=UnitKind.STREET,
        parent=district,
        path="/gz/th/ws/",
        depth=2,
    )
    return {"city": city, "district": district, "street": street}


@pytest.fixture
def make_user(org_tree: dict[str, OrgUnit]) -> Callable[..., User]:
    """A user of `role`; staff belong to 天河区人民政府 unless `org_unit` says otherwise."""

    def make(role: Role = Role.CITIZEN, **fields: object) -> User:
        fields.setdefault("username", f"{role.value}-1")
        if role in STAFF_ROLES:
            fields.setdefault("org_unit", org_tree["district"])
        return User.objects.create_user(password=PASSWORD, role=role, **fields)

    return make


@pytest.fixture
def citizen(make_user: Callable[..., User]) -> User:
    return make_user(Role.CITIZEN, display_name="陈阿婆")
