"""scope_q / visible_to: the one-line scoping every app builds on, tried on identity's own
models (User has a unit and is its own owner; OrgUnit is the unit itself)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from hongmian.identity import selectors
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import CITY_WIDE_ROLES, Role
from hongmian.identity.tests.conftest import Tree
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _members(tree: Tree) -> dict[str, User]:
    """One citizen-facing record holder per unit: staff users act as the records here."""
    return {
        name: UserFactory(
            username=f"m-{name}", role=Role.DEPT_HANDLER, org_unit=getattr(tree, name)
        )
        for name in ("city", "tianhe", "shipai", "community", "liede", "yuexiu", "water")
    }


def _visible(viewer: object) -> set[str]:
    qs = selectors.visible_to(
        User.objects.filter(username__startswith="m-"),
        viewer,
        unit_field="org_unit",
        owner_field="pk",
    )
    return {u.username.removeprefix("m-") for u in qs}


def test_unit_sees_itself_and_below_not_siblings_or_parents(tree: Tree) -> None:
    members = _members(tree)
    viewer = UserFactory(role=Role.DEPT_MANAGER, org_unit=tree.tianhe)
    assert _visible(viewer) == {"tianhe", "shipai", "community", "liede"}
    street = UserFactory(role=Role.DATA_STEWARD, org_unit=tree.shipai)
    assert _visible(street) == {"shipai", "community"}
    # A handler always sees their own record too (owner_field).
    assert _visible(members["liede"]) == {"liede"}


def test_prefix_does_not_leak_to_units_with_a_longer_id(tree: Tree) -> None:
    # "/1/2/" must not match "/1/23/": the trailing slash is part of the prefix.
    sibling = OrgUnit.objects.create(code="x", name="x", kind="street", parent=tree.city)
    sibling.path = tree.tianhe.path.rstrip("/") + "9/"
    sibling.save()
    UserFactory(username="m-lookalike", role=Role.DEPT_HANDLER, org_unit=sibling)
    viewer = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.tianhe)
    assert "lookalike" not in _visible(viewer)


@pytest.mark.parametrize("role", sorted(CITY_WIDE_ROLES))
def test_city_wide_roles_see_everything(tree: Tree, role: Role) -> None:
    _members(tree)
    assert len(_visible(UserFactory(role=role))) == 7


def test_public_sees_only_own(tree: Tree) -> None:
    _members(tree)
    citizen = UserFactory(username="m-me", role=Role.CITIZEN)
    assert _visible(citizen) == {"me"}
    # Without an owner field there is nothing of theirs to see.
    assert not selectors.visible_to(User.objects.all(), citizen, unit_field="org_unit").exists()


def test_anonymous_and_inactive_see_nothing(tree: Tree, django_assert_num_queries: object) -> None:
    _members(tree)
    inactive = UserFactory(role=Role.SYSTEM_ADMIN, is_active=False)
    assert _visible(AnonymousUser()) == set()
    assert _visible(None) == set()
    assert _visible(inactive) == set()


def test_org_units_managed_by(tree: Tree) -> None:
    viewer = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.shipai)
    assert set(selectors.org_units_managed_by(viewer)) == {tree.shipai, tree.community}


def test_scoped_list_is_one_query(tree: Tree, django_assert_num_queries: object) -> None:
    _members(tree)
    viewer = User.objects.select_related("org_unit").get(
        pk=UserFactory(role=Role.DEPT_MANAGER, org_unit=tree.tianhe).pk
    )
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert len(_visible(viewer)) == 4
