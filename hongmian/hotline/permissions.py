"""Who may do what to a work order: `can_*` predicates, each named after its service.

The predicates answer "who", not "when": whether the order's status allows the act is the
transition table's answer (`states.WORK_ORDER_TRANSITIONS`), checked by the service. A
screen that shows a button asks both.

- The centre (话务员 agents and 督办员 supervisors) takes, dispatches, reviews, calls back,
  merges and archives. Reviewing a dissatisfied callback and formal supervision (督办) are
  the supervisor's alone.
- A handling unit acts through its handlers and managers: a member of the assigned unit or
  of any unit above it in the tree (a district for its streets) acts for the assignment.
- The public file orders through the online channels and read only their own.

A service first asks `can_view_work_order` (an order the user cannot see is NotFound, the same
as a missing one), then the predicate of its act (PermissionDenied when it says no).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hongmian.core.actors import Actor
from hongmian.hotline.states import (
    OPEN_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    Channel,
    Visibility,
)
from hongmian.identity.permissions import is_active_user
from hongmian.identity.states import CITY_WIDE_ROLES, PUBLIC_ROLES, Role

if TYPE_CHECKING:
    from hongmian.hotline.models import Assignment, WorkOrder
    from hongmian.identity.models import OrgUnit, User

# The 12345 centre's own staff.
CENTRE_ROLES = frozenset({Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR})
# Members of a handling unit who see and handle its orders. Hall staff and data stewards
# belong to units too, but the hotline's orders are not theirs to read.
UNIT_HANDLER_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})
# Channels the public may use themselves; the others are an agent's (phone, letter …).
PUBLIC_CHANNELS = frozenset(
    {Channel.WEB, Channel.WECHAT, Channel.APP, Channel.MINI_PROGRAM, Channel.OPEN311}
)
# Assignments still in a unit's hands.
ACTIVE_ASSIGNMENT_STATUSES = frozenset({AssignmentStatus.PENDING, AssignmentStatus.ACKNOWLEDGED})


def is_system_actor(actor: Actor) -> bool:
    """The platform itself (a job, a management command). An anonymous web or API request
    also has no user, and must never count as the system."""
    return actor.user is None and actor.via in ("system", "cli")


def is_centre_staff(user: User | Any) -> bool:
    return is_active_user(user) and user.role in CENTRE_ROLES


def is_supervisor(user: User | Any) -> bool:
    return is_active_user(user) and user.role == Role.HOTLINE_SUPERVISOR


def is_unit_handler(user: User | Any) -> bool:
    return is_active_user(user) and user.role in UNIT_HANDLER_ROLES and user.org_unit_id is not None


def handler_unit_path(user: User | Any) -> str | None:
    """The tree path of a unit handler's unit ("/1/7/"); None for everyone else."""
    if not is_unit_handler(user) or user.org_unit is None:
        return None
    return str(user.org_unit.path)


def acts_for_unit(user: User | Any, unit: OrgUnit | None) -> bool:
    """A handler of `unit` itself or of a unit above it (its path starts with theirs)."""
    path = handler_unit_path(user)
    return unit is not None and path is not None and unit.path.startswith(path)


def is_caller(user: User | Any, order: WorkOrder) -> bool:
    """A member of the public who filed the order, or whom the order names as its caller.
    An agent's account is on every order it typed in (`submitted_by` scopes idempotency keys),
    which makes the agent its recorder, not its caller."""
    if not is_active_user(user) or user.role not in PUBLIC_ROLES:
        return False
    if order.submitted_by_id is not None and order.submitted_by_id == user.pk:
        return True
    person = order.caller_person
    return person is not None and person.user_id is not None and person.user_id == user.pk


def current_assignments(order: WorkOrder) -> list[Assignment]:
    """The order's assignments that were not withdrawn, lead first (one query). A unit that
    has replied is still the order's unit: asked to act again, it hears "not now" (409) from
    the status, not "not yours" (403)."""
    rows = order.assignments.exclude(status=AssignmentStatus.WITHDRAWN).select_related("unit")
    return sorted(rows, key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))


def _acts_for_any(user: User | Any, assignments: Iterable[Assignment], role: str | None) -> bool:
    return any(acts_for_unit(user, a.unit) for a in assignments if role is None or a.role == role)


# --- reading --------------------------------------------------------------------------------


def can_view_work_order(user: User | Any, order: WorkOrder) -> bool:
    """The same rule as `selectors.work_orders_visible_to`, for one order in hand."""
    if not is_active_user(user):
        return False
    if user.role in CITY_WIDE_ROLES:
        return True
    if (path := handler_unit_path(user)) is not None:
        # Past assignments count: a unit keeps seeing what it once handled.
        return order.assignments.filter(unit__path__startswith=path).exists()
    return user.role in PUBLIC_ROLES and is_caller(user, order)


def caller_in_full(user: User | Any, order: WorkOrder) -> bool:
    """Agents and supervisors address and call back the caller; the caller sees themself."""
    return is_centre_staff(user) or is_caller(user, order)


def caller_hidden(user: User | Any, order: WorkOrder) -> bool:
    """A confidential (保密) caller is invisible to everyone outside the centre — not even a
    masked name or phone, which in a small street can be enough to tell who complained."""
    return order.confidential and not caller_in_full(user, order)


def timeline_visibilities(user: User | Any, order: WorkOrder) -> frozenset[str]:
    """Which timeline entries `user` reads: internal ones are the centre's alone."""
    if is_centre_staff(user):
        return frozenset(Visibility.values)
    if is_active_user(user) and (user.role in CITY_WIDE_ROLES or is_unit_handler(user)):
        return frozenset({Visibility.PUBLIC, Visibility.STAFF})
    if is_caller(user, order):
        return frozenset({Visibility.PUBLIC})
    return frozenset()


# --- the centre's acts ----------------------------------------------------------------------


def can_intake(user: User | Any, channel: str) -> bool:
    """Agents record any channel; the public file online for themselves."""
    if is_centre_staff(user):
        return True
    return is_active_user(user) and user.role in PUBLIC_ROLES and channel in PUBLIC_CHANNELS


def can_direct_answer(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


def can_dispatch(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


def can_review_return(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


def can_decide_extension(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


def can_supervise(user: User | Any, order: WorkOrder, kind: str = "urge") -> bool:
    """Any centre member may urge (催办); formal supervision (督办) is the supervisor's."""
    return is_supervisor(user) if kind == "supervise" else is_centre_staff(user)


def can_callback(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


def can_review_callback(user: User | Any, order: WorkOrder) -> bool:
    """Whether a dissatisfied answer was fair decides a reopen: a supervisor's judgement."""
    return is_supervisor(user)


def can_merge(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


def can_hold_joint_meeting(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


def can_archive(user: User | Any, order: WorkOrder) -> bool:
    return is_centre_staff(user)


# --- the handling unit's acts ---------------------------------------------------------------


def can_acknowledge(user: User | Any, order: WorkOrder) -> bool:
    """A handler of any unit the order is in the hands of (lead or co-handler)."""
    return _acts_for_any(user, current_assignments(order), None)


def can_progress(user: User | Any, order: WorkOrder) -> bool:
    """A handling note: the centre, or a unit the order is in the hands of."""
    return is_centre_staff(user) or _acts_for_any(user, current_assignments(order), None)


def can_reply(user: User | Any, order: WorkOrder) -> bool:
    """The answer to the caller is the lead unit's (主办); co-handlers give their part."""
    return _acts_for_any(user, current_assignments(order), AssignmentRole.LEAD)


def can_co_reply(user: User | Any, order: WorkOrder) -> bool:
    return _acts_for_any(user, current_assignments(order), AssignmentRole.CO)


def can_subdispatch(user: User | Any, order: WorkOrder) -> bool:
    """The lead unit passes the order down to one of its own units (下派)."""
    return can_reply(user, order)


def can_request_return(user: User | Any, order: WorkOrder) -> bool:
    return can_reply(user, order)


def can_request_extension(user: User | Any, order: WorkOrder) -> bool:
    return can_reply(user, order)


# --- the unit manager's sign-off (本单位负责人审批) ----------------------------------------


def is_unit_manager(user: User | Any) -> bool:
    return is_unit_handler(user) and user.role == Role.DEPT_MANAGER


def manages_unit(user: User | Any, unit: OrgUnit | None) -> bool:
    """A manager of `unit` itself or of a unit above it."""
    return is_unit_manager(user) and acts_for_unit(user, unit)


def can_decide_sign_off(user: User | Any, order: WorkOrder) -> bool:
    """Approve or send back a handler's act on an order its unit holds: a manager who acts
    for the order's current units. Which request, the service then checks against the
    request's own unit (`manages_unit`)."""
    return is_unit_manager(user) and _acts_for_any(user, current_assignments(order), None)


def can_withdraw_sign_off(user: User | Any, order: WorkOrder) -> bool:
    """Take back one's own pending request (the service checks it is theirs)."""
    return _acts_for_any(user, current_assignments(order), None)


def can_configure_sign_off(user: User | Any, unit: OrgUnit) -> bool:
    """A unit's policy is set by its own manager (a district manager does not set a
    street's); system administrators set any in the admin."""
    if is_active_user(user) and user.role == Role.SYSTEM_ADMIN:
        return True
    return is_unit_manager(user) and user.org_unit_id == unit.pk


# --- attachments (附件) ------------------------------------------------------------------------


def can_attach(user: User | Any, order: WorkOrder) -> bool:
    """Files on their own (添加附件), outside an act: the centre on any order; a unit while
    the order is in its hands; the caller on their own order until it is closed."""
    if is_centre_staff(user):
        return True
    if order.status not in OPEN_STATUSES:
        return False
    return _acts_for_any(user, current_assignments(order), None) or is_caller(user, order)


def attachment_visibilities(user: User | Any, order: WorkOrder) -> frozenset[str]:
    """How `user` may mark a file they attach: the caller only public (they could not read
    it back otherwise), a unit public or staff (internal is the centre's), the centre all."""
    if is_centre_staff(user):
        return frozenset(Visibility.values)
    if is_unit_handler(user):
        return frozenset({Visibility.PUBLIC, Visibility.STAFF})
    return frozenset({Visibility.PUBLIC})


# --- inside a unit --------------------------------------------------------------------------


def can_assign_handler(user: User | Any, assignment: Assignment, handler: User | None) -> bool:
    """经办人: the unit's manager (or a manager above it) names anyone of the unit, changes
    or clears it; a handler takes (领取) an assignment nobody holds, for themself only."""
    if not is_unit_handler(user) or not acts_for_unit(user, assignment.unit):
        return False
    if user.role == Role.DEPT_MANAGER:
        return True
    return handler is not None and handler.pk == user.pk and assignment.handler_id is None
