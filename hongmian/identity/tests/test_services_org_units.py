from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity import selectors, services
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.conftest import Tree, actor_of
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _create(actor: Actor, code: str, parent: OrgUnit | None = None, **kw: str) -> OrgUnit:
    kw.setdefault("kind", UnitKind.CITY_DEPARTMENT)
    return services.org_unit_create(actor=actor, code=code, name=f"单位{code}", parent=parent, **kw)


def test_create_sets_path_and_depth_and_audits(system: Actor) -> None:
    root = _create(system, "root", kind=UnitKind.CITY_GOVERNMENT)
    child = _create(system, "child", root)
    grandchild = _create(system, "grandchild", child, kind=UnitKind.STREET)

    assert root.path == f"/{root.pk}/"
    assert root.depth == 0
    assert child.path == f"/{root.pk}/{child.pk}/"
    assert child.depth == 1
    assert grandchild.path == f"{child.path}{grandchild.pk}/"
    assert grandchild.depth == 2
    event = AuditEvent.objects.get(action="org_unit.create", target_id=str(child.pk))
    assert event.actor_label == "system:test"
    assert event.after["parent"] == root.pk


def test_create_refuses_duplicate_code(system: Actor) -> None:
    _create(system, "dup")
    with pytest.raises(Conflict) as exc:
        _create(system, "dup")
    assert exc.value.code == "org_unit.duplicate_code"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "planet"}, "kind"),
        ({"division_code": "44AB"}, "division_code"),
    ],
)
def test_create_validates_model(system: Actor, kw: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(system, "bad", **kw)
    assert field in exc.value.fields
    assert not OrgUnit.objects.filter(code="bad").exists()


def test_create_refuses_blank_code_and_inactive_parent(system: Actor, tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _create(system, "  ")
    assert exc.value.code == "code.required"
    OrgUnit.objects.filter(pk=tree.liede.pk).update(is_active=False)
    with pytest.raises(Conflict) as conflict:
        _create(system, "under-inactive", tree.liede)
    assert conflict.value.code == "org_unit.parent_inactive"


def test_only_system_admins_manage_units(tree: Tree) -> None:
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.tianhe)
    with pytest.raises(PermissionDenied):
        _create(actor_of(handler), "nope")
    with pytest.raises(NotAuthenticated):
        _create(Actor(user=None, via="web"), "anon")
    admin = UserFactory(role=Role.SYSTEM_ADMIN)
    assert _create(actor_of(admin), "ok").pk


def test_move_rewrites_the_whole_subtree(system: Actor, tree: Tree) -> None:
    before = AuditEvent.objects.count()
    moved = services.org_unit_move(actor=system, unit=tree.shipai, new_parent=tree.yuexiu)

    assert moved.parent_id == tree.yuexiu.pk
    assert moved.path == f"{tree.yuexiu.path}{tree.shipai.pk}/"
    community = OrgUnit.objects.get(pk=tree.community.pk)
    assert community.path == f"{moved.path}{community.pk}/"
    assert community.depth == 3
    assert set(selectors.org_unit_subtree(tree.yuexiu)) == {tree.yuexiu, moved, community}
    assert tree.shipai not in selectors.org_unit_subtree(tree.tianhe)
    assert AuditEvent.objects.count() == before + 1


def test_move_to_root_and_depth_shrinks(system: Actor, tree: Tree) -> None:
    moved = services.org_unit_move(actor=system, unit=tree.shipai, new_parent=None)
    assert moved.path == f"/{moved.pk}/"
    assert moved.depth == 0
    assert OrgUnit.objects.get(pk=tree.community.pk).depth == 1


@pytest.mark.parametrize("target", ["shipai", "community"])
def test_move_refuses_cycles(system: Actor, tree: Tree, target: str) -> None:
    with pytest.raises(Conflict) as exc:
        services.org_unit_move(actor=system, unit=tree.shipai, new_parent=getattr(tree, target))
    assert exc.value.code == "org_unit.cycle"


def test_move_to_same_parent_writes_nothing(system: Actor, tree: Tree) -> None:
    before = AuditEvent.objects.count()
    services.org_unit_move(actor=system, unit=tree.shipai, new_parent=tree.tianhe)
    assert AuditEvent.objects.count() == before


def test_update_renames_and_audits_only_changes(system: Actor, tree: Tree) -> None:
    unit = services.org_unit_update(actor=system, unit=tree.water, name="广州市水务局")
    assert unit.name == "广州市水务局"
    event = AuditEvent.objects.get(action="org_unit.update")
    assert event.before == {"name": "市水务局"}
    services.org_unit_update(actor=system, unit=tree.water, name="广州市水务局")
    assert AuditEvent.objects.filter(action="org_unit.update").count() == 1


def test_deactivate_guards(system: Actor, tree: Tree) -> None:
    with pytest.raises(Conflict) as exc:
        services.org_unit_deactivate(actor=system, unit=tree.shipai)
    assert exc.value.code == "org_unit.has_active_children"

    member = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.liede)
    with pytest.raises(Conflict) as exc:
        services.org_unit_deactivate(actor=system, unit=tree.liede)
    assert exc.value.code == "org_unit.has_active_members"

    member.is_active = False
    member.save()
    unit = services.org_unit_deactivate(actor=system, unit=tree.liede)
    assert unit.is_active is False
    assert AuditEvent.objects.filter(action="org_unit.deactivate").count() == 1
    services.org_unit_deactivate(actor=system, unit=tree.liede)
    assert AuditEvent.objects.filter(action="org_unit.deactivate").count() == 1


def test_tree_is_depth_first_with_numeric_order(system: Actor, tree: Tree) -> None:
    units = selectors.org_unit_tree()
    paths = [u.path for u in units]
    # Each unit comes after its parent, and a subtree is never interrupted.
    for i, unit in enumerate(units):
        if unit.parent_id:
            assert paths.index(unit.parent.path) < i
    shipai_at = paths.index(tree.shipai.path)
    assert paths[shipai_at + 1] == OrgUnit.objects.get(pk=tree.community.pk).path
    assert [u.name for u in selectors.org_unit_ancestors(tree.community)] == [
        "市政府",
        "天河区",
        "石牌街道",
    ]
