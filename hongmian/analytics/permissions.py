"""Who may read the hotline's reports and dashboards: the city's leaders and data officer,
the hotline centre's supervisors, and the system's administrators. Reports show city-wide
figures and order numbers, never callers.

Who may issue a report outside the schedule ("generate now" on the archive page): those who
run the data and the hotline centre — the chief data officer, the supervisors and the
administrators. Leaders read the reports; they do not produce them."""

from __future__ import annotations

from typing import Any

from hongmian.identity.states import Role

ANALYTICS_ROLES = frozenset(
    {Role.CITY_LEADER, Role.CHIEF_DATA_OFFICER, Role.HOTLINE_SUPERVISOR, Role.SYSTEM_ADMIN}
)

ISSUER_ROLES = frozenset({Role.CHIEF_DATA_OFFICER, Role.HOTLINE_SUPERVISOR, Role.SYSTEM_ADMIN})


def can_view_reports(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in ANALYTICS_ROLES


def can_view_dashboard(user: Any) -> bool:
    return can_view_reports(user)


def can_issue_reports(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in ISSUER_ROLES


__all__ = [
    "ANALYTICS_ROLES",
    "ISSUER_ROLES",
    "can_issue_reports",
    "can_view_dashboard",
    "can_view_reports",
]
