"""Helpers shared by the identity services: permission, input rules, insert."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext

from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import PUBLIC_ROLES, UNIT_SCOPED_ROLES, Role

# Actors without a user that are trusted with every write: jobs and shell commands.
_TRUSTED_VIAS = frozenset({"system", "cli"})

ORG_UNIT_AUDIT_FIELDS = ["code", "name", "short_name", "kind", "parent", "division_code", "path"]
USER_AUDIT_FIELDS = ["username", "role", "org_unit", "is_staff", "is_superuser", "is_active"]


def authorise(actor: Actor, allowed: Callable[[User], bool], code: str) -> None:
    if actor.user is None:
        if actor.via in _TRUSTED_VIAS:
            return
        raise NotAuthenticated(gettext("需要登录后操作"))
    if not allowed(actor.user):
        raise PermissionDenied(gettext("没有权限执行此操作"), code=code)


def save_new[M: models.Model](instance: M, *, conflict: Conflict) -> M:
    """Insert in a savepoint: a unique key taken by a concurrent insert becomes a 409."""
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        raise conflict from None
    return instance


def required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, code=f"{field}.required", fields={field: [message]})
    return value


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        message = f"未知的角色：{value}"
        raise ValidationFailed(
            message, code="user.role_invalid", fields={"role": [message]}
        ) from None


def check_role_unit(role: Role, org_unit: OrgUnit | None) -> None:
    if role in UNIT_SCOPED_ROLES and org_unit is None:
        message = "该角色必须指定所属机构"
        raise ValidationFailed(
            message, code="user.org_unit_required", fields={"org_unit": [message]}
        )
    if role in PUBLIC_ROLES and org_unit is not None:
        message = "市民和企业代表不能属于任何机构"
        raise ValidationFailed(
            message, code="user.org_unit_forbidden", fields={"org_unit": [message]}
        )


def active_unit(org_unit: OrgUnit | None, *, code: str, field: str) -> OrgUnit | None:
    """The unit, freshly read and locked so it cannot be deactivated under our feet."""
    if org_unit is None:
        return None
    fresh = OrgUnit.objects.select_for_update().filter(pk=org_unit.pk).first()
    if fresh is None or not fresh.is_active:
        message = "所选机构不存在或已停用"
        raise Conflict(message, code=code, fields={field: [message]})
    return fresh


def optional_mobile(value: str | None) -> str:
    return validators.validate_mobile(value) if value else ""
