"""Who may do what in the identity app: `can_*` predicates, each named after its action.

Services call these with the acting user; selectors use the `*_fields_in_full` tables to
decide what to mask. The per-role choices are recorded in
docs/decisions/0005-personal-data-access.md — change both together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hongmian.identity.states import STAFF_ROLES, Role

if TYPE_CHECKING:
    from hongmian.identity.models import Enterprise, Person, User

PERSON_FIELDS = frozenset({"name", "resident_id", "mobile", "address"})

# Roles that may open a person's file, and what each sees in full (the rest is masked).
# Roles missing here never see a person directly: handlers meet personal data only through
# the work order or application that carries it, and its own access function.
PERSON_FULL_FIELDS_BY_ROLE: dict[str, frozenset[str]] = {
    # Agents and supervisors address the caller by name and call back.
    Role.HOTLINE_AGENT: frozenset({"name", "mobile"}),
    Role.HOTLINE_SUPERVISOR: frozenset({"name", "mobile"}),
    # A window checks the ID card against the record and texts the applicant.
    Role.HALL_STAFF: frozenset({"name", "resident_id", "mobile"}),
    # Data quality and support work on the shape of the data, not on who it is.
    Role.CHIEF_DATA_OFFICER: frozenset(),
    Role.SYSTEM_ADMIN: frozenset(),
}
# Who reaches which person (decision 0074). A role that sees some field of a person in full
# (an agent's mobile, a window's ID number) reaches a person only in a service context — the
# person present: a booking at the staff's hall today, a call on the agent's line — checked
# by identity.service_context and audited with it. A role that sees every field masked (data
# quality, support) keeps its look-up: what it sees is no one's personal data in full.
PERSON_CONTEXT_ROLES = frozenset(r for r, full in PERSON_FULL_FIELDS_BY_ROLE.items() if full)
PERSON_LOOKUP_ROLES = frozenset(r for r, full in PERSON_FULL_FIELDS_BY_ROLE.items() if not full)
# Roles that may register a person or correct a person's file.
PERSON_EDITOR_ROLES = frozenset(
    {Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR, Role.HALL_STAFF, Role.SYSTEM_ADMIN}
)
# Roles that may register enterprises and their representatives.
ENTERPRISE_EDITOR_ROLES = frozenset({Role.HALL_STAFF, Role.SYSTEM_ADMIN})
# Roles that see an enterprise's contact mobile in full (to call it back or notify it).
ENTERPRISE_CONTACT_ROLES = frozenset({Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR, Role.HALL_STAFF})


def is_active_user(user: Any) -> bool:
    """A logged-in, active account (AnonymousUser and None are neither)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def is_system_admin(user: User | Any) -> bool:
    # A superuser made outside the services still runs the platform.
    return is_active_user(user) and (user.role == Role.SYSTEM_ADMIN or user.is_superuser)


def is_security_admin(user: User | Any) -> bool:
    # Not the superuser flag: a superuser is a system administrator, and 三员分立 keeps
    # what a security administrator does out of the system administrator's hands.
    return is_active_user(user) and user.role == Role.SECURITY_ADMIN


def is_auditor(user: User | Any) -> bool:
    return is_active_user(user) and user.role == Role.AUDITOR


def can_assign_roles(user: User | Any) -> bool:
    """Give an account a role (or an account of one of the three administrators' roles):
    the security administrator's, so that no system administrator grants themself or a
    puppet the power to audit or to hide what they did."""
    return is_security_admin(user)


def can_manage_api_keys(user: User | Any) -> bool:
    return is_security_admin(user)


def can_clear_lockouts(user: User | Any) -> bool:
    return is_security_admin(user)


def is_staff_member(user: User | Any) -> bool:
    return is_active_user(user) and user.role in STAFF_ROLES


def is_self(user: User | Any, person: Person) -> bool:
    return is_active_user(user) and person.user_id is not None and person.user_id == user.pk


def is_representative(user: User | Any, enterprise: Enterprise) -> bool:
    if not is_active_user(user) or user.role != Role.ENTERPRISE_REP:
        return False
    return enterprise.representatives.filter(pk=user.pk).exists()


def can_view_org_units(user: User | Any) -> bool:
    """The organisation tree is public information, but the API serves it to accounts only."""
    return is_active_user(user)


def can_manage_org_units(user: User | Any) -> bool:
    return is_system_admin(user)


def can_manage_users(user: User | Any) -> bool:
    return is_system_admin(user)


def can_manage_staff_profiles(user: User | Any) -> bool:
    return is_system_admin(user)


def can_view_persons(user: User | Any) -> bool:
    """May this user open other people's files at all (not only their own)?"""
    return is_active_user(user) and user.role in PERSON_FULL_FIELDS_BY_ROLE


def can_view_person(user: User | Any, person: Person) -> bool:
    return is_self(user, person) or can_view_persons(user)


def can_create_person(user: User | Any) -> bool:
    return is_active_user(user) and user.role in PERSON_EDITOR_ROLES


def can_update_person(user: User | Any, person: Person) -> bool:
    return is_self(user, person) or can_create_person(user)


# The person themself may correct how to reach them; name and ID come from the ID card.
PERSON_SELF_EDITABLE = frozenset({"mobile", "address"})


def person_fields_in_full(user: User | Any, person: Person) -> frozenset[str]:
    """The fields of `person` that `user` sees unmasked; empty if the user may not see it."""
    if is_self(user, person):
        return PERSON_FIELDS
    if not can_view_persons(user):
        return frozenset()
    return PERSON_FULL_FIELDS_BY_ROLE[user.role]


def can_view_enterprises(user: User | Any) -> bool:
    """Staff see every enterprise; a representative sees only those it acts for."""
    return is_staff_member(user)


def can_view_enterprise(user: User | Any, enterprise: Enterprise) -> bool:
    return can_view_enterprises(user) or is_representative(user, enterprise)


def can_manage_enterprises(user: User | Any) -> bool:
    return is_active_user(user) and user.role in ENTERPRISE_EDITOR_ROLES


def can_manage_representatives(user: User | Any, enterprise: Enterprise) -> bool:
    # A representative may bring in (or remove) a colleague without a trip to the hall.
    return can_manage_enterprises(user) or is_representative(user, enterprise)


def enterprise_contact_in_full(user: User | Any, enterprise: Enterprise) -> bool:
    if is_active_user(user) and user.role in ENTERPRISE_CONTACT_ROLES:
        return True
    return is_representative(user, enterprise)


# --- person and enterprise files (decision 0044) -------------------------------------------

# Departments push file fields with the API key of their data steward's account.
FILE_PUSH_ROLES = frozenset({Role.DATA_STEWARD})


def can_push_file_fields(user: User | Any) -> bool:
    return is_active_user(user) and user.role in FILE_PUSH_ROLES and user.org_unit_id is not None


def can_read_file_with_consent(user: User | Any, person: Person) -> bool:
    """Who may read a person's file fields for a use the person consented to: the person
    themself (a form they fill) and staff (a case they handle). Another citizen never."""
    return is_self(user, person) or is_staff_member(user)


def can_read_enterprise_file_with_consent(user: User | Any, enterprise: Enterprise) -> bool:
    return is_representative(user, enterprise) or is_staff_member(user)
