"""Who may issue and revoke certificates: the issuing department's own staff."""

from __future__ import annotations

from typing import Any

from hongmian.certificates.states import ISSUER_STAFF_ROLES
from hongmian.identity.models import OrgUnit
from hongmian.identity.permissions import is_active_user
from hongmian.identity.states import Role

# Revoking a certificate someone relies on is the unit manager's decision.
REVOKE_ROLES = frozenset({Role.DEPT_MANAGER})


def _in_unit(user: Any, unit: OrgUnit) -> bool:
    own = getattr(user, "org_unit", None)
    # The issuing unit itself or a unit below it (车管所 under 市公安局 issues for it).
    return own is not None and own.path.startswith(unit.path)


def can_issue(user: Any, unit: OrgUnit) -> bool:
    """Whether `user` may issue the certificates that `unit` issues. None: a command-line or
    system actor, trusted as the machine's operator."""
    if user is None:
        return True
    return is_active_user(user) and user.role in ISSUER_STAFF_ROLES and _in_unit(user, unit)


def can_revoke(user: Any, unit: OrgUnit) -> bool:
    if user is None:
        return True
    return is_active_user(user) and user.role in REVOKE_ROLES and _in_unit(user, unit)
