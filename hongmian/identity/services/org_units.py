"""Writes of the organisation tree (组织机构): create, update, move, deactivate."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import Conflict
from hongmian.core.updates import full_clean, model_update
from hongmian.identity import permissions
from hongmian.identity.models import OrgUnit
from hongmian.identity.services._common import (
    ORG_UNIT_AUDIT_FIELDS,
    active_unit,
    authorise,
    required,
    save_new,
)


def org_unit_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    division_code: str = "",
    short_name: str = "",
) -> OrgUnit:
    """Add a unit under `parent` (a root when None); sets its materialised path and depth."""
    authorise(actor, permissions.can_manage_org_units, "org_unit.forbidden")
    code = required(code, "code", "请填写机构代码")
    unit = OrgUnit(
        code=code,
        name=(name or "").strip(),
        short_name=(short_name or "").strip(),
        kind=kind,
        division_code=(division_code or "").strip(),
    )
    full_clean(unit, code="org_unit.invalid", exclude=["parent"])
    duplicate = Conflict(
        gettext("机构代码“%(code)s”已被使用") % {"code": code},
        code="org_unit.duplicate_code",
        fields={"code": ["已被使用"]},
    )
    with transaction.atomic():
        unit.parent = active_unit(parent, code="org_unit.parent_inactive", field="parent")
        if OrgUnit.objects.filter(code=code).exists():
            raise duplicate
        save_new(unit, conflict=duplicate)
        # The path needs the unit's own pk, so it is written once the row exists.
        unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        unit.depth = unit.parent.depth + 1 if unit.parent else 0
        unit.save(update_fields=["path", "depth"])
        audit_record(
            actor=actor,
            action="org_unit.create",
            target=unit,
            after=snapshot(unit, ORG_UNIT_AUDIT_FIELDS),
        )
    return unit


def org_unit_update(
    *,
    actor: Actor,
    unit: OrgUnit,
    name: str | None = None,
    short_name: str | None = None,
    division_code: str | None = None,
) -> OrgUnit:
    """Rename a unit or correct its division code (None leaves a field as it is).
    The code, the kind and the place in the tree are not changed here."""
    authorise(actor, permissions.can_manage_org_units, "org_unit.forbidden")
    wanted = {
        k: (v or "").strip()
        for k, v in {"name": name, "short_name": short_name, "division_code": division_code}.items()
        if v is not None
    }
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        unit, _ = model_update(
            actor=actor,
            action="org_unit.update",
            instance=unit,
            data=wanted,
            invalid_code="org_unit.invalid",
        )
    return unit


def org_unit_move(*, actor: Actor, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Put `unit` (and everything below it) under `new_parent`; every path in the subtree is
    rewritten in one UPDATE. Instances of descendants that the caller holds become stale."""
    authorise(actor, permissions.can_manage_org_units, "org_unit.forbidden")
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        new_parent = active_unit(new_parent, code="org_unit.parent_inactive", field="parent")
        if new_parent is not None and new_parent.path.startswith(unit.path):
            message = "不能把机构移到它自己或它的下级之下"
            raise Conflict(message, code="org_unit.cycle", fields={"parent": [message]})
        if unit.parent_id == (new_parent.pk if new_parent else None):
            return unit
        old_path, old_depth = unit.path, unit.depth
        before = snapshot(unit, ["parent", "path", "depth"])
        new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
        new_depth = new_parent.depth + 1 if new_parent else 0
        subtree = OrgUnit.objects.filter(path__startswith=old_path)
        # Lock the subtree first so that no unit is created under it mid-move.
        list(subtree.select_for_update().values_list("pk", flat=True))
        subtree.update(
            path=Concat(
                Value(new_path),
                Substr("path", len(old_path) + 1),
                output_field=models.CharField(),
            ),
            depth=F("depth") + (new_depth - old_depth),
            updated_at=timezone.now(),
        )
        unit.parent = new_parent
        unit.path, unit.depth = new_path, new_depth
        unit.save(update_fields=["parent", "updated_at"])
        audit_record(
            actor=actor,
            action="org_unit.move",
            target=unit,
            before=before,
            after=snapshot(unit, ["parent", "path", "depth"]),
        )
    return unit


def org_unit_deactivate(*, actor: Actor, unit: OrgUnit) -> OrgUnit:
    """Stop using a unit. Units are never deleted: work orders and audit entries point at
    them. Refused while active sub-units or active members remain (move them first)."""
    authorise(actor, permissions.can_manage_org_units, "org_unit.forbidden")
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        if not unit.is_active:
            return unit
        if unit.children.filter(is_active=True).exists():
            raise Conflict(
                gettext("该机构还有启用中的下级机构"), code="org_unit.has_active_children"
            )
        if unit.members.filter(is_active=True).exists():
            raise Conflict(
                gettext("该机构还有启用中的人员账号"), code="org_unit.has_active_members"
            )
        unit.is_active = False
        unit.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            action="org_unit.deactivate",
            target=unit,
            before={"is_active": True},
            after={"is_active": False},
        )
    return unit
