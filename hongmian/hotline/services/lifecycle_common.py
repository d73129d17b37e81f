"""What every lifecycle service does the same way: lock, authorise, check the version and
the table, save with `version += 1`, (re)assign units, settle merged orders, notify.

Not a public API: the services live in lifecycle_dispatch, lifecycle_handling and
lifecycle_closing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.transitions import assert_transition
from hongmian.hotline import notifications, permissions
from hongmian.hotline.models import Assignment, WorkOrder
from hongmian.hotline.services import sla
from hongmian.hotline.services.timeline import timeline_add
from hongmian.hotline.states import (
    WORK_ORDER_TRANSITIONS,
    AssignmentRole,
    AssignmentStatus,
    CloseReason,
    Status,
    Visibility,
)
from hongmian.identity.models import OrgUnit

TEXT_MAX = 5_000
# Fields every save touches besides the ones a service names.
_ALWAYS = ("version", "updated_at")

Predicate = Callable[[Any, WorkOrder], bool]


def now() -> dt.datetime:
    return timezone.now()


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=f"work_order.{field}", fields={field: [message]})


def text(value: Any, field: str, *, limit: int = TEXT_MAX, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, gettext("应为文本"))
    cleaned = value.strip()
    if required and not cleaned:
        raise invalid(field, gettext("不能为空"))
    if len(cleaned) > limit:
        raise invalid(field, gettext("不能超过 %(limit)s 字") % {"limit": limit})
    return cleaned


def begin(
    actor: Actor,
    order: WorkOrder | int,
    allowed: Predicate,
    *,
    expected_version: int | None = None,
) -> WorkOrder:
    """Lock the order and check who acts. Call inside `transaction.atomic()`.

    Order of the checks: an order the actor cannot see is NotFound (exactly like a missing
    one) before anything else is said about it; then PermissionDenied; then a stale
    `expected_version` (409 `work_order.stale`). The status is the caller's to check."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    locked = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("caller_person", "lead_unit")
        .filter(pk=pk)
        .first()
    )
    locked = _check_actor(actor, locked, allowed)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            gettext("工单已被他人更新，请刷新后重试"),
            code="work_order.stale",
            fields={"version": [f"当前版本 {locked.version}"]},
        )
    return locked


def _check_actor(actor: Actor, order: WorkOrder | None, allowed: Predicate) -> WorkOrder:
    if order is None:
        raise NotFound(gettext("工单不存在"), code="work_order.not_found")
    if not permissions.is_system_actor(actor):
        user = actor.user
        if not permissions.can_view_work_order(user, order):
            raise NotFound(gettext("工单不存在"), code="work_order.not_found")
        if not allowed(user, order):
            raise PermissionDenied(gettext("无权对该工单执行此操作"), code="work_order.forbidden")
    return order


def ensure_can_act(actor: Actor, order: int, allowed: Predicate) -> None:
    """begin()'s access checks without the lock, for a door that checks its other input
    against the database before the service runs: access control answers first (404, then
    403), as it does for every act; the service checks again under its lock."""
    found = WorkOrder.objects.select_related("caller_person", "lead_unit").filter(pk=order).first()
    _check_actor(actor, found, allowed)


def move(order: WorkOrder, target: str) -> str:
    """Check the table and set the new status; returns the old one."""
    before = order.status
    assert_transition(WORK_ORDER_TRANSITIONS, before, target)
    order.status = target
    return before


def illegal(order: WorkOrder, target: str) -> IllegalTransition:
    """The 409 for a move the table has but this service does not make from here (a pending
    return is settled by its review, not by a plain dispatch)."""
    return IllegalTransition(
        gettext("不能从“%(status)s”转为“%(target)s”") % {"status": order.status, "target": target},
        code="work_order.illegal_transition",
        fields={"status": [f"{order.status} → {target}"]},
    )


def require_status(order: WorkOrder, allowed: Collection[str], action: str) -> None:
    """For acts that do not change the status but only make sense in some (409)."""
    if order.status not in allowed:
        raise IllegalTransition(
            gettext("工单当前状态（%(value0)s）不能%(action)s")
            % {"value0": order.get_status_display(), "action": action},
            code="work_order.illegal_transition",
            fields={"status": [order.status]},
        )


def save(order: WorkOrder, *fields: str) -> WorkOrder:
    order.version += 1
    order.save(update_fields=[*fields, *_ALWAYS])
    return order


def actor_unit(actor: Actor, order: WorkOrder | None = None) -> OrgUnit | None:
    """The unit `actor` acts for on `order`: the order's current assignment that the actor
    handles (their own unit first, then the lead, then a co-handler; a district handler
    acting on an order held by one of its streets acts for that street), else the actor's
    home unit. The timeline and the audit name this unit, not the person's home unit."""
    user = actor.user
    if user is None or user.org_unit_id is None:
        return None
    if order is not None and order.pk is not None and permissions.is_unit_handler(user):
        held = [
            a
            for a in permissions.current_assignments(order)
            if permissions.acts_for_unit(user, a.unit)
        ]
        own = [a for a in held if a.unit_id == user.org_unit_id]
        if chosen := (own or held):
            return chosen[0].unit
    return user.org_unit


def record(
    actor: Actor,
    order: WorkOrder,
    *,
    action: str,
    kind: str,
    visibility: str,
    text: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """The audit entry and the timeline entry of one act, in its transaction, each naming
    the unit the act was done for (`actor_unit`)."""
    unit = actor_unit(actor, order)
    if unit is not None and unit.pk != getattr(actor.user, "org_unit_id", None):
        # The audit row has no unit column: a unit other than the person's own is named in
        # the entry's data, so the trail says on whose behalf the act was done.
        after = {**(after or {}), "acting_unit": {"id": unit.pk, "name": unit.name}}
    audit_record(actor=actor, action=action, target=order, before=before, after=after)
    timeline_add(
        order=order,
        actor=actor,
        kind=kind,
        visibility=visibility,
        text=text,
        data=data,
        unit=unit,
    )


def notify(send: Callable[[int], None], order_id: int) -> None:
    """Tell the caller once the change has committed (never for one that rolls back)."""
    transaction.on_commit(lambda: send(order_id))


def active_unit(unit: Any, field: str) -> OrgUnit:
    if not isinstance(unit, OrgUnit) or not unit.is_active:
        raise invalid(field, gettext("单位不存在或已停用"))
    return unit


def lead_assignment(order: WorkOrder) -> Assignment | None:
    """The current lead assignment (not withdrawn; one at a time)."""
    return (
        order.assignments.filter(role=AssignmentRole.LEAD)
        .exclude(status=AssignmentStatus.WITHDRAWN)
        .select_related("unit")
        .first()
    )


def withdraw_assignments(order: WorkOrder) -> int:
    """Take the order out of the hands of every unit that still holds it (history stays)."""
    return order.assignments.filter(status__in=permissions.ACTIVE_ASSIGNMENT_STATUSES).update(
        status=AssignmentStatus.WITHDRAWN, updated_at=timezone.now()
    )


def assign(
    actor: Actor,
    order: WorkOrder,
    *,
    lead_unit: OrgUnit,
    co_units: Iterable[OrgUnit] = (),
    at: dt.datetime,
    restart_clocks: bool = True,
) -> None:
    """Give the order to `lead_unit` (and co-handlers): withdraw the old assignments, add
    new ones, and — unless the order only moves down the same unit's tree (下派) — start
    fresh clocks. Sets the dispatch fields; the caller moves the status and saves."""
    withdraw_assignments(order)
    rows = [Assignment(order=order, unit=lead_unit, role=AssignmentRole.LEAD)]
    rows += [Assignment(order=order, unit=u, role=AssignmentRole.CO) for u in co_units]
    for row in rows:
        row.assigned_by = actor.user
    Assignment.objects.bulk_create(rows)
    order.lead_unit = lead_unit
    if order.first_unit_id is None:
        # 首接负责: the first unit is remembered whatever happens later.
        order.first_unit = lead_unit
    order.dispatched_at = at
    order.acknowledged_at = None
    order.replied_at = None
    order.reply = ""
    if restart_clocks:
        sla.sla_clocks_start(order=order, at=at)


ASSIGN_FIELDS = (
    "status",
    "lead_unit",
    "first_unit",
    "dispatched_at",
    "acknowledged_at",
    "replied_at",
    "reply",
)


def close(order: WorkOrder, *, reason: str, at: dt.datetime) -> None:
    """Mark the order closed (办结); the caller has moved the status and saves."""
    order.closed_at = at
    order.close_reason = reason
    sla.sla_clocks_stop_all(order=order, at=at)


CLOSE_FIELDS = ("status", "closed_at", "close_reason")


def settle_merged(actor: Actor, master: WorkOrder, *, at: dt.datetime) -> int:
    """并单: orders merged under `master` take its answer and close with it, and each of
    their callers is told. Call with the master locked, once it has a reply."""
    children = list(
        WorkOrder.objects.select_for_update()
        .filter(master=master, status=Status.MERGED)
        .order_by("pk")
    )
    for child in children:
        move(child, Status.CLOSED)
        child.reply = master.reply
        child.replied_at = at
        close(child, reason=CloseReason.MERGED, at=at)
        save(child, *CLOSE_FIELDS, "reply", "replied_at")
        record(
            actor,
            child,
            action="work_order.close_with_master",
            kind="closed_with_master",
            visibility=Visibility.PUBLIC,
            text=f"已随主工单 {master.number} 答复：{master.reply}",
            after={"status": child.status, "master": master.number},
            data={"master": master.number},
        )
        notify(notifications.reply_ready, child.pk)
    return len(children)
