"""Who may do what with halls and bookings: `can_*` predicates."""

from __future__ import annotations

import secrets
from typing import Any

from hongmian.appointments.models import HALL_DAY_CITY_READERS, Booking, Hall
from hongmian.identity.permissions import is_active_user, is_system_admin
from hongmian.identity.states import PUBLIC_ROLES, Role

# 12345 books for the caller on the phone (the caller identified by phone or ID number).
AGENT_ROLES = frozenset({Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR})
# Roles that book for themselves.
SELF_BOOKING_ROLES = PUBLIC_ROLES
# Roles that see a hall's day (its own hall staff; city-wide readers through the scope).
HALL_VIEW_ROLES = HALL_DAY_CITY_READERS | {Role.HALL_STAFF}


def can_book_for_self(user: Any) -> bool:
    return is_active_user(user) and user.role in SELF_BOOKING_ROLES


def can_book_for_caller(user: Any) -> bool:
    return is_active_user(user) and user.role in AGENT_ROLES


def can_act_on_booking(user: Any, booking: Booking) -> bool:
    """Cancel or reschedule: the person's own booking, or a hotline agent for the caller.
    Others who may see the booking (hall staff, leaders) may not change it."""
    if not is_active_user(user):
        return False
    if booking.person.user_id is not None and booking.person.user_id == user.pk:
        return True
    return bool(user.role in AGENT_ROLES)


def can_view_hall_day(user: Any, hall: Hall) -> bool:
    """The hall's scope ("view_day") asked of one hall: one rule for the list and the page."""
    return Hall.objects.restrict(user, "view_day").filter(pk=hall.pk).exists()


def can_manage_halls(user: Any) -> bool:
    """Enter a closure (a typhoon) or regenerate slots: the platform's administrators."""
    return is_system_admin(user)


def can_work_queue(user: Any, hall: Hall) -> bool:
    """Check people in, give tickets, call at a window: the hall's own staff."""
    return bool(
        is_active_user(user) and user.role == Role.HALL_STAFF and can_view_hall_day(user, hall)
    )


def can_view_screen(user: Any, hall: Hall, key: str) -> bool:
    """The call-up screen (ticket numbers and windows only): the TV with the hall's screen
    key in its URL, or anyone who sees the hall's day."""
    if hall.screen_key and key and secrets.compare_digest(key, hall.screen_key):
        return True
    return is_active_user(user) and can_view_hall_day(user, hall)
