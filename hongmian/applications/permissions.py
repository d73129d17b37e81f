"""Who may do what with applications: the `can_*` predicates the views, the API and the
services share."""

from __future__ import annotations

from typing import Any

from hongmian.applications.models import REVIEW_ROLES
from hongmian.identity.permissions import is_active_user
from hongmian.identity.states import PUBLIC_ROLES, Role


def can_apply(user: Any) -> bool:
    """Citizens and enterprise representatives apply; staff accounts do not (assisted
    service, 帮办代办, is a separate door)."""
    return is_active_user(user) and user.role in PUBLIC_ROLES


def can_review(user: Any) -> bool:
    """The review desk: the handlers and managers of a department (of their unit's items)."""
    return is_active_user(user) and user.role in REVIEW_ROLES and user.org_unit_id is not None


def can_assist(user: Any) -> bool:
    """The hall's assisted-service desk (帮办代办): hall staff of a unit (decision 0072)."""
    return is_active_user(user) and user.role == Role.HALL_STAFF and user.org_unit_id is not None
