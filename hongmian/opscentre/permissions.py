"""Who may do what in the operations centre: `can_*` predicates.

- Every staff member sees the big screen and the thematic views (the control room, the
  city's leaders, and each department, which answers for its own indicators' alerts).
- The chief data officer and the administrators define and change indicators; the system
  (the demo, the scheduled evaluation, commands run without a user) does so too.
"""

from __future__ import annotations

from typing import Any

from hongmian.identity.permissions import is_active_user, is_staff_member, is_system_admin
from hongmian.identity.states import Role


def can_view_ops(user: Any) -> bool:
    return is_staff_member(user) or is_system_admin(user)


def can_manage_indicators(user: Any) -> bool:
    if user is None:
        return True  # the system actor
    return is_system_admin(user) or (is_active_user(user) and user.role == Role.CHIEF_DATA_OFFICER)
