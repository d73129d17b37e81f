"""The order finds its unit: direct answer, dispatch and re-dispatch, 下派, 签收, 退单 and its
review, and the joint meeting that settles an order no unit accepts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict
from hongmian.hotline import insights_hook, notifications, permissions
from hongmian.hotline.models import JointMeeting, ReturnRequest, WorkOrder
from hongmian.hotline.services import catalogue, sla
from hongmian.hotline.services.lifecycle_common import (
    ASSIGN_FIELDS,
    CLOSE_FIELDS,
    active_unit,
    assign,
    begin,
    close,
    illegal,
    invalid,
    lead_assignment,
    move,
    notify,
    now,
    record,
    save,
    settle_merged,
    text,
    withdraw_assignments,
)
from hongmian.hotline.states import (
    WITH_UNIT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    ClockKind,
    CloseReason,
    ReturnReason,
    ReturnStatus,
    Status,
    Visibility,
)
from hongmian.identity.models import OrgUnit

if TYPE_CHECKING:
    from hongmian.knowledge.models import Article

# Where the centre may (re-)dispatch from with `work_order_dispatch`. A pending return, a
# joint meeting and a callback review lead back to dispatch through their own services, which
# record the decision that justifies it.
DISPATCHABLE = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.ACKNOWLEDGED, Status.REPLIED})


def work_order_direct_answer(
    *,
    actor: Actor,
    order: WorkOrder | int,
    answer: str,
    source: str = "",
    article: Article | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """直接答复: the agent answers on the spot and the order closes without a unit.

    Answered from the knowledge base, pass the `article` (a `hongmian.knowledge` Article the
    agent may read): its use is recorded by the knowledge app's `article_used` (which
    revision answered which order) in the same transaction, so an answer and its recorded
    source are written together or not at all — a retired article refuses both. `source`
    defaults to "knowledge:<id>" then."""
    answer = text(answer, "answer")
    if article is not None and not source:
        source = f"knowledge:{article.pk}"
    source = text(source, "source", limit=100, required=False)
    with transaction.atomic():
        order = begin(
            actor, order, permissions.can_direct_answer, expected_version=expected_version
        )
        move(order, Status.CLOSED)
        at = now()
        order.reply, order.replied_at, order.answer_source = answer, at, source
        close(order, reason=CloseReason.DIRECT_ANSWER, at=at)
        save(order, *CLOSE_FIELDS, "reply", "replied_at", "answer_source")
        record(
            actor,
            order,
            action="work_order.direct_answer",
            kind="direct_answer",
            visibility=Visibility.PUBLIC,
            text=answer,
            before={"status": Status.RECEIVED},
            after={"status": order.status, "source": source},
            data={"source": source} if source else None,
        )
        if article is not None:
            # Imported here: the hotline runs without the knowledge app, which is only
            # needed once an article is given.
            from hongmian.knowledge.services import article_used

            article_used(actor=actor, article=article, order_ref=order.number)
        settle_merged(actor, order, at=at)
        notify(notifications.reply_ready, order.pk)
    return order


def _units(lead_unit: OrgUnit, co_units: Iterable[OrgUnit]) -> list[OrgUnit]:
    co = [active_unit(u, "co_units") for u in co_units]
    if lead_unit.pk in {u.pk for u in co}:
        raise invalid("co_units", gettext("主办单位不能同时是协办单位"))
    if len({u.pk for u in co}) != len(co):
        raise invalid("co_units", gettext("协办单位重复"))
    return co


def _dispatch_to(
    actor: Actor,
    order: WorkOrder,
    *,
    lead_unit: OrgUnit,
    co_units: Iterable[OrgUnit] = (),
    note: str = "",
    action: str = "work_order.dispatch",
    data: dict[str, object] | None = None,
) -> WorkOrder:
    """Move a locked order to `dispatched` with new assignments and fresh clocks."""
    co = _units(lead_unit, co_units)
    before = {"status": order.status, "lead_unit": order.lead_unit_id}
    move(order, Status.DISPATCHED)
    assign(actor, order, lead_unit=lead_unit, co_units=co, at=now())
    save(order, *ASSIGN_FIELDS)
    names = "、".join(u.name for u in co)
    record(
        actor,
        order,
        action=action,
        kind="dispatched",
        visibility=Visibility.PUBLIC,
        text=f"已转{lead_unit.name}办理" + (f"，{names}协办" if names else ""),
        before=before,
        after={"status": order.status, "lead_unit": lead_unit.pk, "co_units": [u.pk for u in co]},
        data={
            "lead_unit": lead_unit.pk,
            "co_units": [u.pk for u in co],
            "note": note,
            **(data or {}),
        },
    )
    return order


def work_order_dispatch(
    *,
    actor: Actor,
    order: WorkOrder | int,
    lead_unit: OrgUnit | None = None,
    co_units: Iterable[OrgUnit] = (),
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """派单 / 改派: the centre sends the order to a lead unit (and co-handlers), or sends it
    elsewhere before the unit has replied. Without `lead_unit` the dispatch catalogue
    decides; when it cannot, ValidationFailed `work_order.lead_unit` asks for a choice.
    The clocks start now — at dispatch, never at 签收."""
    note = text(note, "note", required=False)
    with transaction.atomic():
        order = begin(actor, order, permissions.can_dispatch, expected_version=expected_version)
        if order.status not in DISPATCHABLE:
            raise illegal(order, Status.DISPATCHED)
        data: dict[str, object] = {}
        if lead_unit is None:
            suggestion = catalogue.dispatch_suggest(order)
            if suggestion is None:
                raise invalid("lead_unit", gettext("派单目录没有适用的规则，请选择承办单位"))
            lead_unit = suggestion.lead_unit
            chosen = {u.pk: u for u in [*co_units, *suggestion.co_units]}
            co_units = [u for u in chosen.values() if u.pk != lead_unit.pk]
            data["rule"] = suggestion.rule.pk
        lead_unit = active_unit(lead_unit, "lead_unit")
        return _dispatch_to(
            actor, order, lead_unit=lead_unit, co_units=co_units, note=note, data=data
        )


def work_order_subdispatch(
    *,
    actor: Actor,
    order: WorkOrder | int,
    unit: OrgUnit,
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """下派 / 二次派单: the lead unit (a district) passes the order on to a unit below it (a
    street). The clocks keep running: the district's deadline becomes the street's, so a
    pass downwards never buys time. The district still sees and may act on the order."""
    note = text(note, "note", required=False)
    with transaction.atomic():
        order = begin(actor, order, permissions.can_subdispatch, expected_version=expected_version)
        unit = active_unit(unit, "unit")
        current = order.lead_unit
        if current is None or unit.pk == current.pk or not unit.path.startswith(current.path):
            raise invalid("unit", gettext("只能下派给本单位的下级单位"))
        before = {"status": order.status, "lead_unit": current.pk}
        if order.status != Status.ACKNOWLEDGED:
            # The table allows dispatched → dispatched for the centre; a unit passes an order
            # down only once it has 签收 it.
            raise illegal(order, Status.DISPATCHED)
        move(order, Status.DISPATCHED)
        withdraw_assignments(order)
        order.assignments.create(unit=unit, role=AssignmentRole.LEAD, assigned_by=actor.user)
        order.lead_unit, order.acknowledged_at = unit, None
        save(order, "status", "lead_unit", "acknowledged_at")
        record(
            actor,
            order,
            action="work_order.subdispatch",
            kind="subdispatched",
            visibility=Visibility.PUBLIC,
            text=f"已转{unit.name}办理",
            before=before,
            after={"status": order.status, "lead_unit": unit.pk},
            data={"from_unit": current.pk, "lead_unit": unit.pk, "note": note},
        )
    return order


def work_order_acknowledge(
    *, actor: Actor, order: WorkOrder | int, expected_version: int | None = None
) -> WorkOrder:
    """签收: the unit confirms it has the order. The lead's 签收 moves the order to
    `acknowledged` and stops the acknowledge clock; a co-handler's only marks its part."""
    with transaction.atomic():
        order = begin(actor, order, permissions.can_acknowledge, expected_version=expected_version)
        at = now()
        mine = [
            a
            for a in permissions.current_assignments(order)
            if permissions.is_system_actor(actor) or permissions.acts_for_unit(actor.user, a.unit)
        ]
        lead = next((a for a in mine if a.role == AssignmentRole.LEAD), None)
        pending = next((a for a in mine if a.status == AssignmentStatus.PENDING), None)
        if lead is not None:
            if order.status != Status.DISPATCHED:
                # The table lets return_requested → acknowledged for the centre's refusal of a
                # return; a unit's 签收 must not settle its own return request.
                raise illegal(order, Status.ACKNOWLEDGED)
            move(order, Status.ACKNOWLEDGED)
            order.acknowledged_at = at
            save(order, "status", "acknowledged_at")
            sla.sla_clock_stop(order=order, kind=ClockKind.ACKNOWLEDGE, at=at)
            target = lead
        elif pending is not None and order.status in WITH_UNIT_STATUSES:
            save(order)
            target = pending
        else:
            raise illegal(order, Status.ACKNOWLEDGED)
        target.status, target.acknowledged_at = AssignmentStatus.ACKNOWLEDGED, at
        target.save(update_fields=["status", "acknowledged_at", "updated_at"])
        record(
            actor,
            order,
            action="work_order.acknowledge",
            kind="acknowledged",
            visibility=Visibility.PUBLIC
            if target.role == AssignmentRole.LEAD
            else Visibility.STAFF,
            text=f"{target.unit.name}已签收",
            after={"status": order.status, "unit": target.unit_id, "role": target.role},
        )
    return order


def return_deadline(dispatched_at: dt.datetime) -> dt.datetime:
    """The last moment a unit may return an order dispatched to it at `dispatched_at`."""
    hours = Decimal(str(settings.HONGMIAN_HOTLINE_RETURN_WINDOW_HOURS))
    return calendar.add_work_hours(dispatched_at, hours)


def work_order_return_request(
    *,
    actor: Actor,
    order: WorkOrder | int,
    reason: str,
    legal_basis: str,
    explanation: str,
    suggested_unit: OrgUnit | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """退单: the lead unit says the order is not its duty, with a reason and the legal basis,
    within HONGMIAN_HOTLINE_RETURN_WINDOW_HOURS working hours of being given it, and once
    per assignment (first-contact rule: a refused return is not asked again)."""
    if reason not in ReturnReason.values:
        raise invalid("reason", gettext("请选择退单原因"))
    legal_basis = text(legal_basis, "legal_basis", limit=300)
    explanation = text(explanation, "explanation")
    with transaction.atomic():
        order = begin(
            actor, order, permissions.can_request_return, expected_version=expected_version
        )
        lead = lead_assignment(order)
        if suggested_unit is not None:
            suggested_unit = active_unit(suggested_unit, "suggested_unit")
        before = order.status
        move(order, Status.RETURN_REQUESTED)
        if lead is None:
            raise illegal(order, Status.RETURN_REQUESTED)
        if now() > return_deadline(lead.created_at):
            raise Conflict(
                gettext("已超过退单时限，请继续办理或申请延期"),
                code="work_order.return_window_closed",
                fields={"status": ["退单时限已过"]},
            )
        if order.returns.filter(unit=lead.unit, created_at__gte=lead.created_at).exists():
            raise Conflict(
                gettext("本单位已申请过退单"), code="work_order.return_already_requested", fields={}
            )
        ReturnRequest.objects.create(
            order=order,
            unit=lead.unit,
            requested_by=actor.user,
            reason=reason,
            legal_basis=legal_basis,
            explanation=explanation,
            suggested_unit=suggested_unit,
        )
        order.return_count += 1
        save(order, "status", "return_count")
        record(
            actor,
            order,
            action="work_order.return_request",
            kind="return_requested",
            visibility=Visibility.STAFF,
            text=f"{lead.unit.name}申请退单：{ReturnReason(reason).label}。{explanation}",
            before={"status": before},
            after={"status": order.status, "reason": reason},
            data={"reason": reason, "legal_basis": legal_basis},
        )
    return order


def work_order_return_review(
    *,
    actor: Actor,
    order: WorkOrder | int,
    accept: bool,
    note: str,
    new_unit: OrgUnit | None = None,
    to_joint_meeting: bool = False,
    expected_version: int | None = None,
) -> WorkOrder:
    """派单异议审核. Accepted: re-dispatched to `new_unit` (or the unit the return suggested).
    Refused: the same unit keeps it, as acknowledged (首接负责). `to_joint_meeting`: no unit
    can be named; the units meet (`work_order_joint_meeting`) and the clocks stop meanwhile."""
    note = text(note, "note")
    with transaction.atomic():
        order = begin(
            actor, order, permissions.can_review_return, expected_version=expected_version
        )
        pending = order.returns.filter(status=ReturnStatus.PENDING).select_related("unit").first()
        if order.status != Status.RETURN_REQUESTED or pending is None:
            raise illegal(order, Status.DISPATCHED if accept else Status.ACKNOWLEDGED)
        at = now()
        pending.status = ReturnStatus.ACCEPTED if accept else ReturnStatus.REFUSED
        pending.decided_by, pending.decided_at, pending.decision_note = actor.user, at, note
        pending.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
        )
        verdict = {"return": pending.pk, "accepted": accept, "note": note}
        if to_joint_meeting:
            move(order, Status.JOINT_MEETING)
            withdraw_assignments(order)
            sla.sla_clocks_stop_all(order=order, at=at)
            save(order, "status")
            record(
                actor,
                order,
                action="work_order.return_review",
                kind="joint_meeting_called",
                visibility=Visibility.STAFF,
                text=f"退单审核：提请联席会商。{note}",
                after={"status": order.status, **verdict},
            )
            return order
        if accept:
            unit = new_unit or pending.suggested_unit
            if unit is None:
                raise invalid("new_unit", gettext("同意退单时须指定新的承办单位"))
            unit = active_unit(unit, "new_unit")
            if unit.pk == pending.unit_id:
                raise invalid("new_unit", gettext("新的承办单位不能是退单单位"))
            # Teaches the unit classifier; guarded so that it can never fail the review.
            insights_hook.feedback_on_return(
                actor=actor, order=order, returned_unit=pending.unit, new_unit=unit
            )
            return _dispatch_to(
                actor,
                order,
                lead_unit=unit,
                note=note,
                action="work_order.return_review",
                data={"return": pending.pk, "accepted": True},
            )
        move(order, Status.ACKNOWLEDGED)
        lead = lead_assignment(order)
        if lead is not None and lead.status == AssignmentStatus.PENDING:
            # A return before 签收 that is refused leaves the unit holding it: it is 签收 now.
            lead.status, lead.acknowledged_at = AssignmentStatus.ACKNOWLEDGED, at
            lead.save(update_fields=["status", "acknowledged_at", "updated_at"])
        order.acknowledged_at = order.acknowledged_at or at
        sla.sla_clock_stop(order=order, kind=ClockKind.ACKNOWLEDGE, at=at)
        save(order, "status", "acknowledged_at")
        record(
            actor,
            order,
            action="work_order.return_review",
            kind="return_refused",
            visibility=Visibility.STAFF,
            text=f"不同意退单，由{pending.unit.name}继续办理。{note}",
            after={"status": order.status, **verdict},
        )
    return order


def work_order_joint_meeting(
    *,
    actor: Actor,
    order: WorkOrder | int,
    units: Iterable[OrgUnit],
    decided_unit: OrgUnit,
    minutes: str,
    held_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """联席会: records who met and what was decided, and dispatches the order to the unit
    the meeting named (new clocks)."""
    minutes = text(minutes, "minutes", limit=20_000)
    if held_at is not None and (held_at.tzinfo is None or held_at.utcoffset() is None):
        raise invalid("held_at", gettext("会商时间须带时区"))
    with transaction.atomic():
        order = begin(
            actor, order, permissions.can_hold_joint_meeting, expected_version=expected_version
        )
        decided = active_unit(decided_unit, "decided_unit")
        present = {u.pk: u for u in (active_unit(u, "units") for u in units)}
        present[decided.pk] = decided
        if order.status != Status.JOINT_MEETING:
            raise illegal(order, Status.DISPATCHED)
        meeting = JointMeeting.objects.create(
            order=order,
            held_at=held_at or now(),
            decided_unit=decided,
            minutes=minutes,
            recorded_by=actor.user,
        )
        meeting.units.set(list(present.values()))
        return _dispatch_to(
            actor,
            order,
            lead_unit=decided,
            note=minutes[:200],
            action="work_order.joint_meeting",
            data={"meeting": meeting.pk, "units": sorted(present)},
        )


__all__ = [
    "return_deadline",
    "work_order_acknowledge",
    "work_order_direct_answer",
    "work_order_dispatch",
    "work_order_joint_meeting",
    "work_order_return_request",
    "work_order_return_review",
    "work_order_subdispatch",
]
