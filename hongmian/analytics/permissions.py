"""Who may read the hotline's reports and dashboards: the city's leaders and data officer,
the hotline centre's supervisors, and the system's administrators. Reports show city-wide
figures and order numbers, never callers."""

from __future__ import annotations

from typing import Any

from hongmian.identity.states import Role

ANALYTICS_ROLES = frozenset(
    {Role.CITY_LEADER, Role.CHIEF_DATA_OFFICER, Role.HOTLINE_SUPERVISOR, Role.SYSTEM_ADMIN}
)


def can_view_reports(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in ANALYTICS_ROLES


def can_view_dashboard(user: Any) -> bool:
    return can_view_reports(user)


__all__ = ["ANALYTICS_ROLES", "can_view_dashboard", "can_view_reports"]
