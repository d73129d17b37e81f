"""Who may do what with city codes, terminals and status attributes (`can_*` predicates).

- The platform's system administrator keeps the terminal registry, the attribute types and
  the signing keys.
- The owner unit's staff read their terminals and scan logs (Terminal.scopes).
- A unit authorised for an attribute type (or a unit below it) sets and clears that type;
  its staff read the attributes of the types their unit is authorised for.
- A person sees their own code; no one else ever sees another person's code.
"""

from __future__ import annotations

from typing import Any

from hongmian.citycode.states import ATTRIBUTE_SETTER_ROLES, REGISTRY_ROLES, UNIT_READER_ROLES
from hongmian.identity.permissions import is_active_user
from hongmian.identity.states import Role


def can_manage_registry(user: Any) -> bool:
    return is_active_user(user) and user.role in REGISTRY_ROLES


def can_read_terminals(user: Any) -> bool:
    return is_active_user(user) and (
        user.role in REGISTRY_ROLES
        or (user.role in UNIT_READER_ROLES and user.org_unit_id is not None)
    )


def can_set_attributes(user: Any) -> bool:
    """The role may set attributes at all; which types, its unit's authorisations decide."""
    return (
        is_active_user(user)
        and user.role in ATTRIBUTE_SETTER_ROLES
        and user.org_unit_id is not None
    )


def can_hold_code(user: Any) -> bool:
    """A citizen with a person record shows a city code."""
    return is_active_user(user) and user.role == Role.CITIZEN


def can_administer_collective(user: Any, collective: Any) -> bool:
    """集体码's administrator: a representative of its enterprise, or a manager of its unit
    (decision 0079). `collective` is a CollectiveCode (perhaps not yet saved)."""
    if not is_active_user(user):
        return False
    if collective.enterprise_id is not None:
        return bool(
            user.role == Role.ENTERPRISE_REP
            and collective.enterprise.representatives.filter(pk=user.pk).exists()
        )
    return bool(user.role == Role.DEPT_MANAGER and user.org_unit_id == collective.org_unit_id)
