"""The one scoping mechanism (identity/scoping.py): a model declares its `scopes`, and
`RestrictedQuerySet.restrict(user, action)` applies them.

Most cases are tried on identity's own models with a declaration made for the test: User
(its unit is `org_unit`, its owner is itself) and OrgUnit (the unit itself). The last tests
walk the app registry: every model that declares a scope is reachable through `restrict`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hongmian.identity import selectors
from hongmian.identity.models import ApiKey, Enterprise, OrgUnit, User
from hongmian.identity.permissions import is_active_user
from hongmian.identity.scoping import (
    ITSELF,
    RestrictedQuerySet,
    Scope,
    check_scopes,
    scoped_models,
    scopes_of,
)
from hongmian.identity.states import CITY_WIDE_ROLES, PUBLIC_ROLES, UNIT_SCOPED_ROLES, Role
from hongmian.identity.tests.conftest import Tree
from hongmian.identity.tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db

Declare = Callable[..., None]


@pytest.fixture
def declare(monkeypatch: pytest.MonkeyPatch) -> Declare:
    """Declare `scopes` on a model for one test (undone afterwards)."""

    def declare(model: type[Model], **scopes: Scope) -> None:
        monkeypatch.setattr(model, "scopes", scopes, raising=False)

    return declare


@pytest.fixture
def users_scoped(declare: Declare) -> None:
    # A user's records are their unit's ("view"); "unit_only" has no owner lookup.
    declare(
        User,
        view=Scope(unit="org_unit", owners=(ITSELF,)),
        unit_only=Scope(unit="org_unit"),
    )


def _members(tree: Tree) -> dict[str, User]:
    """One record holder per unit: staff users act as the records here."""
    return {
        name: UserFactory(
            username=f"m-{name}", role=Role.DEPT_HANDLER, org_unit=getattr(tree, name)
        )
        for name in ("city", "tianhe", "shipai", "community", "liede", "yuexiu", "water")
    }


def _visible(viewer: object, action: str = "view") -> set[str]:
    qs = RestrictedQuerySet(model=User).filter(username__startswith="m-").restrict(viewer, action)
    return {u.username.removeprefix("m-") for u in qs}


# --- unit, city-wide, owner ----------------------------------------------------------------


@pytest.mark.usefixtures("users_scoped")
def test_unit_sees_itself_and_below_not_siblings_or_parents(tree: Tree) -> None:
    members = _members(tree)
    viewer = UserFactory(role=Role.DEPT_MANAGER, org_unit=tree.tianhe)
    assert _visible(viewer) == {"tianhe", "shipai", "community", "liede"}
    street = UserFactory(role=Role.DATA_STEWARD, org_unit=tree.shipai)
    assert _visible(street) == {"shipai", "community"}
    # A handler always sees their own record too (the owner lookup).
    assert _visible(members["liede"]) == {"liede"}


@pytest.mark.usefixtures("users_scoped")
def test_prefix_does_not_leak_to_units_with_a_longer_id(tree: Tree) -> None:
    # "/1/2/" must not match "/1/23/": the trailing slash is part of the prefix.
    sibling = OrgUnit.objects.create(code="x", name="x", kind="street", parent=tree.city)
    sibling.path = tree.tianhe.path.rstrip("/") + "9/"
    sibling.save()
    UserFactory(username="m-lookalike", role=Role.DEPT_HANDLER, org_unit=sibling)
    viewer = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.tianhe)
    assert "lookalike" not in _visible(viewer)


@pytest.mark.usefixtures("users_scoped")
@pytest.mark.parametrize("role", sorted(CITY_WIDE_ROLES))
def test_city_wide_roles_see_everything(tree: Tree, role: Role) -> None:
    _members(tree)
    assert len(_visible(UserFactory(role=role))) == 7


@pytest.mark.usefixtures("users_scoped")
def test_public_sees_only_own(tree: Tree) -> None:
    _members(tree)
    citizen = UserFactory(username="m-me", role=Role.CITIZEN)
    assert _visible(citizen) == {"me"}
    # Without an owner lookup there is nothing of theirs to see.
    assert _visible(citizen, "unit_only") == set()


@pytest.mark.usefixtures("users_scoped")
def test_anonymous_and_inactive_see_nothing(tree: Tree) -> None:
    _members(tree)
    inactive = UserFactory(role=Role.SYSTEM_ADMIN, is_active=False)
    assert _visible(AnonymousUser()) == set()
    assert _visible(None) == set()
    assert _visible(inactive) == set()


def test_a_scope_that_matches_nothing_costs_no_query(tree: Tree) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert list(OrgUnit.objects.restrict(AnonymousUser())) == []
        assert list(OrgUnit.objects.restrict(UserFactory.build(role=Role.CITIZEN))) == []
    assert len(queries) == 0


def test_org_units_managed_by(tree: Tree) -> None:
    viewer = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.shipai)
    assert set(selectors.org_units_managed_by(viewer)) == {tree.shipai, tree.community}


@pytest.mark.usefixtures("users_scoped")
def test_scoped_list_is_one_query(tree: Tree, django_assert_num_queries: Any) -> None:
    _members(tree)
    viewer = User.objects.select_related("org_unit").get(
        pk=UserFactory(role=Role.DEPT_MANAGER, org_unit=tree.tianhe).pk
    )
    with django_assert_num_queries(1):
        assert len(_visible(viewer)) == 4


def test_roles_are_per_model(tree: Tree, declare: Declare) -> None:
    # The defaults are identity.states' groups; a model may name its own.
    declare(
        OrgUnit,
        view=Scope(city_wide=frozenset({Role.CITY_LEADER}), unit=ITSELF, unit_roles=frozenset()),
    )
    assert OrgUnit.objects.restrict(UserFactory(role=Role.CITY_LEADER)).count() == 7
    assert not OrgUnit.objects.restrict(UserFactory(role=Role.HOTLINE_AGENT)).exists()
    assert not OrgUnit.objects.restrict(
        UserFactory(role=Role.DEPT_MANAGER, org_unit=tree.tianhe)
    ).exists()


def test_owner_roles_say_whose_own_rows_count(tree: Tree, declare: Declare) -> None:
    declare(User, view=Scope(owners=(ITSELF,), owner_roles=PUBLIC_ROLES))
    _members(tree)
    citizen = UserFactory(username="m-me", role=Role.CITIZEN)
    handler = User.objects.get(username="m-shipai")
    assert _visible(citizen) == {"me"}
    # Not a public role: its own record is not "its own" under this scope.
    assert _visible(handler) == set()


def test_superusers_see_everything_only_where_declared(tree: Tree, declare: Declare) -> None:
    root = UserFactory(role=Role.CITIZEN, is_superuser=True)
    declare(OrgUnit, view=Scope(unit=ITSELF))
    assert not OrgUnit.objects.restrict(root).exists()
    declare(OrgUnit, view=Scope(unit=ITSELF, superusers=True))
    assert OrgUnit.objects.restrict(root).count() == 7


# --- public rows, on a day -----------------------------------------------------------------


def _streets_from_their_creation(user: Any, on: dt.date) -> Q:
    """Public: streets, from the day they were created; accounts see communities too."""
    kinds = ["street", "community"] if is_active_user(user) else ["street"]
    return Q(kind__in=kinds, created_at__date__lte=on)


def test_public_rows_are_seen_by_everyone_on_their_day(tree: Tree, declare: Declare) -> None:
    declare(OrgUnit, view=Scope(unit=ITSELF, public=_streets_from_their_creation))
    today = timezone.localdate()
    streets = {tree.shipai, tree.liede}
    assert set(OrgUnit.objects.restrict(AnonymousUser())) == streets
    assert set(OrgUnit.objects.restrict(None, on=today)) == streets
    assert not OrgUnit.objects.restrict(None, on=today - dt.timedelta(days=1)).exists()
    inactive = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.yuexiu, is_active=False)
    assert set(OrgUnit.objects.restrict(inactive)) == streets
    citizen = UserFactory(role=Role.CITIZEN)
    assert set(OrgUnit.objects.restrict(citizen)) == streets | {tree.community}
    # A unit role sees the public rows and its own subtree, each once.
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.yuexiu)
    assert list(OrgUnit.objects.restrict(handler).order_by("code")) == sorted(
        streets | {tree.community, tree.yuexiu}, key=lambda u: u.code
    )


# --- through a related row -----------------------------------------------------------------


def test_an_owner_through_a_many_to_many_lists_each_row_once(tree: Tree) -> None:
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    colleagues = [UserFactory(role=Role.ENTERPRISE_REP) for _ in range(2)]
    mine = EnterpriseFactory(representatives=[rep, *colleagues])
    EnterpriseFactory(representatives=colleagues)
    visible = Enterprise.objects.restrict(rep)
    assert "EXISTS" in str(visible.query).upper()
    assert list(visible) == [mine]
    assert visible.count() == 1


def test_a_unit_through_a_to_many_relation_uses_exists_and_where(
    tree: Tree, declare: Declare
) -> None:
    # Units judged by their children: a unit is a district's when one of its (active)
    # children is in the district's subtree.
    declare(OrgUnit, view=Scope(unit="children", unit_where=Q(is_active=True)))
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.tianhe)
    visible = OrgUnit.objects.restrict(handler)
    # The city through tianhe; tianhe through shipai and liede (listed once); shipai
    # through its community.
    assert sorted(u.code for u in visible) == ["t-city", "t-shipai", "t-tianhe"]
    OrgUnit.objects.filter(pk=tree.community.pk).update(is_active=False)
    assert sorted(u.code for u in visible.all()) == ["t-city", "t-tianhe"]


def test_an_undeclared_action_is_a_programming_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="manage"):
        OrgUnit.objects.restrict(None, "manage")


# --- every declaring model --------------------------------------------------------------------


def _viewers(tree: Tree) -> list[Any]:
    """Anonymous, inactive, a superuser and one user of every role (with a unit if it needs
    one): whoever the mechanism may be asked about."""
    viewers: list[Any] = [None, AnonymousUser(), UserFactory(is_active=False)]
    viewers.append(UserFactory(role=Role.CITIZEN, is_superuser=True))
    for role in Role:
        unit = tree.tianhe if role in UNIT_SCOPED_ROLES else None
        viewers.append(UserFactory(role=role, org_unit=unit))
    return viewers


def test_every_declared_scope_is_reachable_through_restrict(tree: Tree) -> None:
    declaring = {m._meta.label for m in scoped_models()}
    # The apps of issue 10 each declare theirs; a new app joins by declaring only.
    assert declaring >= {
        "identity.OrgUnit",
        "identity.Person",
        "identity.Enterprise",
        "hotline.WorkOrder",
        "knowledge.Article",
        "analytics.ReportIssue",
    }
    assert check_scopes() == []
    viewers = _viewers(tree)
    for model in apps.get_models():
        for action in scopes_of(model):
            for viewer in viewers:
                manager: Any = model._default_manager
                with CaptureQueriesContext(connection) as queries:
                    list(manager.restrict(viewer, action))
                # The list itself, and at most the viewer's unit when it was not loaded.
                assert len(queries) <= 1, (model, action, viewer)


def test_a_declaration_that_cannot_apply_is_refused_by_the_checks(declare: Declare) -> None:
    declare(OrgUnit, view=Scope(unit="parent__name"), manage=Scope(owners=("members",)))
    declare(ApiKey, view=Scope(owners=("user",)))
    errors = {(e.id, e.obj) for e in check_scopes()}
    assert ("identity.E102", OrgUnit) in errors  # "parent__name" is not a relation
    assert ("identity.E101", ApiKey) in errors  # no restrict() on its manager
    # "members" leads to a user: a correct owner lookup.
    messages = [e.msg for e in check_scopes() if e.obj is OrgUnit]
    assert len(messages) == 1
    assert "parent__name" in messages[0]
