"""Who may do what with the catalogue: `can_*` predicates named after their services.

- An implementing department keeps its own items: its handlers and managers (and those of
  the units above it) create and edit the items it implements.
- Reviewers approve: a unit's manager for the unit's items; the service-and-data bureau's
  staff (gz-data, which keeps the city's catalogue) and the chief data officer for every
  unit's. Nobody approves a version they submitted themselves.
- Readers: everyone, anonymous visitors included, reads published items.
- Imports of a whole catalogue: administrators and the chief data officer (the CLI runs as
  a trusted actor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hongmian.identity.permissions import is_active_user, is_system_admin
from hongmian.identity.states import Role

if TYPE_CHECKING:
    from hongmian.catalog.models import ServiceItem
    from hongmian.identity.models import OrgUnit

# Roles that write items for their own unit (and the units below it).
EDITOR_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER, Role.DATA_STEWARD})
# Roles that approve their own unit's items.
UNIT_REVIEWER_ROLES = frozenset({Role.DEPT_MANAGER})
# Roles that approve and import every unit's items.
CITY_CATALOGUE_ROLES = frozenset({Role.CHIEF_DATA_OFFICER})


def in_own_units(user: Any, unit: OrgUnit) -> bool:
    """Is `unit` the user's unit or below it?"""
    own = getattr(user, "org_unit", None)
    return bool(is_active_user(user) and own is not None and unit.path.startswith(own.path))


def _city_wide(user: Any) -> bool:
    return is_system_admin(user) or (is_active_user(user) and user.role in CITY_CATALOGUE_ROLES)


def can_create_item(user: Any, department: OrgUnit) -> bool:
    if _city_wide(user):
        return True
    return is_active_user(user) and user.role in EDITOR_ROLES and in_own_units(user, department)


def can_update_item(user: Any, item: ServiceItem) -> bool:
    return can_create_item(user, item.department)


def can_submit_item(user: Any, item: ServiceItem) -> bool:
    return can_update_item(user, item)


def can_review_item(user: Any, item: ServiceItem) -> bool:
    """Approve or reject; the four-eyes rule is checked by the services, on the version."""
    if _city_wide(user):
        return True
    return (
        is_active_user(user)
        and user.role in UNIT_REVIEWER_ROLES
        and in_own_units(user, item.department)
    )


def can_retire_item(user: Any, item: ServiceItem) -> bool:
    return can_review_item(user, item)


def can_import_items(user: Any) -> bool:
    return _city_wide(user)


def can_manage_life_events(user: Any) -> bool:
    return _city_wide(user)
