"""The unit handles the order: notes, the reply (主办) and co-handlers' parts (协办),
extensions (延期) and the centre's urging and supervision (催办 / 督办)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict
from hongmian.hotline import notifications, permissions
from hongmian.hotline.models import ExtensionRequest, SlaClock, Supervision, WorkOrder
from hongmian.hotline.services import sla
from hongmian.hotline.services.lifecycle_common import (
    begin,
    illegal,
    invalid,
    lead_assignment,
    move,
    notify,
    now,
    record,
    require_status,
    save,
    settle_merged,
)
from hongmian.hotline.services.lifecycle_common import text as clean_text
from hongmian.hotline.states import (
    OPEN_STATUSES,
    WITH_UNIT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    ClockKind,
    ExtensionStatus,
    Status,
    SupervisionKind,
    Visibility,
)

# The most an extension may add, in the resolution clock's unit (the field holds 9999.99).
EXTENSION_MAX = Decimal("999")


def _unit_acts(actor: Actor, order: WorkOrder) -> bool:
    """Whether the actor writes as a handling unit (not as the centre or the system)."""
    user = actor.user
    return user is not None and permissions.is_unit_handler(user)


def work_order_progress(
    *,
    actor: Actor,
    order: WorkOrder | int,
    text: str,
    visibility: str = Visibility.PUBLIC,
    expected_version: int | None = None,
) -> WorkOrder:
    """A handling note (办理过程). The lead unit's first note after 签收 is its first
    response and stops that clock. Internal notes are the centre's: a unit may not write
    what it could not read back."""
    note = clean_text(text, "text")
    if visibility not in Visibility.values:
        raise invalid("visibility", gettext("可见范围无效"))
    with transaction.atomic():
        order = begin(actor, order, permissions.can_progress, expected_version=expected_version)
        require_status(order, OPEN_STATUSES, "记录办理过程")
        as_unit = _unit_acts(actor, order)
        if as_unit and visibility == Visibility.INTERNAL:
            raise invalid("visibility", gettext("承办单位不能填写内部记录"))
        if as_unit:
            mine = [
                a
                for a in permissions.current_assignments(order)
                if permissions.acts_for_unit(actor.user, a.unit)
            ]
            if all(a.status == AssignmentStatus.PENDING for a in mine):
                # The order is in a unit's hands only once it has 签收 it.
                raise Conflict(
                    gettext("请先签收工单"), code="work_order.not_acknowledged", fields={}
                )
            if any(a.role == AssignmentRole.LEAD for a in mine):
                sla.sla_clock_stop(order=order, kind=ClockKind.FIRST_RESPONSE, at=now())
        save(order)
        record(
            actor,
            order,
            action="work_order.progress",
            kind="progress",
            visibility=visibility,
            text=note,
            after={"visibility": visibility},
        )
    return order


def work_order_reply(
    *,
    actor: Actor,
    order: WorkOrder | int,
    reply: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """答复: the lead unit's answer to the caller. Stops the first-response and resolution
    clocks, closes orders merged under this one with the same answer, and tells the callers."""
    reply = clean_text(reply, "reply")
    with transaction.atomic():
        order = begin(actor, order, permissions.can_reply, expected_version=expected_version)
        before = move(order, Status.REPLIED)
        at = now()
        order.reply, order.replied_at = reply, at
        save(order, "status", "reply", "replied_at")
        lead = lead_assignment(order)
        if lead is not None:
            lead.status, lead.replied_at, lead.reply = AssignmentStatus.REPLIED, at, reply
            lead.save(update_fields=["status", "replied_at", "reply", "updated_at"])
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
            sla.sla_clock_stop(order=order, kind=kind, at=at)
        record(
            actor,
            order,
            action="work_order.reply",
            kind="replied",
            visibility=Visibility.PUBLIC,
            text=reply,
            before={"status": before},
            after={"status": order.status},
        )
        settle_merged(actor, order, at=at)
        notify(notifications.reply_ready, order.pk)
    return order


def work_order_co_reply(
    *,
    actor: Actor,
    order: WorkOrder | int,
    reply: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """协办答复: a co-handler gives its part to the lead unit (staff only; the caller gets
    the lead's reply). Once per assignment, while the lead still handles the order."""
    reply = clean_text(reply, "reply")
    with transaction.atomic():
        order = begin(actor, order, permissions.can_co_reply, expected_version=expected_version)
        require_status(order, WITH_UNIT_STATUSES, "提交协办意见")
        mine = next(
            (
                a
                for a in permissions.current_assignments(order)
                if a.role == AssignmentRole.CO
                and (
                    permissions.is_system_actor(actor)
                    or permissions.acts_for_unit(actor.user, a.unit)
                )
            ),
            None,
        )
        if mine is None or mine.status == AssignmentStatus.REPLIED:
            raise illegal(order, Status.REPLIED)
        at = now()
        mine.status, mine.replied_at, mine.reply = AssignmentStatus.REPLIED, at, reply
        mine.acknowledged_at = mine.acknowledged_at or at
        mine.save(update_fields=["status", "replied_at", "reply", "acknowledged_at", "updated_at"])
        save(order)
        record(
            actor,
            order,
            action="work_order.co_reply",
            kind="co_replied",
            visibility=Visibility.STAFF,
            text=f"{mine.unit.name}（协办）：{reply}",
            after={"unit": mine.unit_id},
            data={"unit": mine.unit_id},
        )
    return order


def _amount(value: object) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid("amount", gettext("延期时长应为数字")) from None
    if not amount.is_finite() or amount <= 0 or amount > EXTENSION_MAX:
        raise invalid(
            "amount",
            gettext("延期时长应大于 0 且不超过 %(EXTENSION_MAX)s")
            % {"EXTENSION_MAX": EXTENSION_MAX},
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid("amount", gettext("延期时长最多两位小数"))
    return amount


def work_order_extension_request(
    *,
    actor: Actor,
    order: WorkOrder | int,
    reason: str,
    amount: Decimal | int | str,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """延期申请: before the resolution deadline, with a reason, in the resolution clock's
    unit; one pending request at a time. Returns the request; the centre decides."""
    reason = clean_text(reason, "reason")
    extra = _amount(amount)
    with transaction.atomic():
        order = begin(
            actor, order, permissions.can_request_extension, expected_version=expected_version
        )
        require_status(order, {Status.ACKNOWLEDGED}, "申请延期")
        clock = SlaClock.objects.filter(
            order=order, kind=ClockKind.RESOLUTION, stopped_at__isnull=True
        ).first()
        if clock is not None and now() >= clock.due_at:
            raise Conflict(
                gettext("办结时限已过，不能再申请延期"),
                code="work_order.extension_too_late",
                fields={},
            )
        if order.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise Conflict(
                gettext("已有待审批的延期申请"), code="work_order.extension_pending", fields={}
            )
        lead = lead_assignment(order)
        if lead is None:
            raise illegal(order, order.status)
        extension = ExtensionRequest.objects.create(
            order=order, unit=lead.unit, requested_by=actor.user, reason=reason, amount=extra
        )
        save(order)
        record(
            actor,
            order,
            action="work_order.extension_request",
            kind="extension_requested",
            visibility=Visibility.STAFF,
            text=f"{lead.unit.name}申请延期 {extra}：{reason}",
            after={"extension": extension.pk, "amount": extra},
            data={"extension": extension.pk, "amount": str(extra)},
        )
    return extension


def work_order_extension_decide(
    *,
    actor: Actor,
    extension: ExtensionRequest | int,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """延期审批: approval moves the resolution clock's deadline (and warning) by the amount;
    refusal leaves it. A request is decided once. `expected_version` is the order's."""
    note = clean_text(note, "note", required=False)
    extension_id = extension.pk if isinstance(extension, ExtensionRequest) else extension
    order_id = (
        ExtensionRequest.objects.filter(pk=extension_id).values_list("order_id", flat=True).first()
    )
    if order_id is None:
        raise invalid("extension", gettext("延期申请不存在"))
    with transaction.atomic():
        order = begin(
            actor, order_id, permissions.can_decide_extension, expected_version=expected_version
        )
        row = ExtensionRequest.objects.select_for_update().get(pk=extension_id)
        if row.status != ExtensionStatus.PENDING:
            raise Conflict(
                gettext("该延期申请已审批"), code="work_order.extension_decided", fields={}
            )
        require_status(order, WITH_UNIT_STATUSES, "审批延期")
        at = now()
        row.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        row.decided_by, row.decided_at, row.decision_note = actor.user, at, note
        row.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
        )
        if approve:
            sla.sla_clocks_extend(order=order, amount=row.amount)
            order.extension_count += 1
            save(order, "extension_count")
        else:
            save(order)
        verdict = "同意" if approve else "不同意"
        record(
            actor,
            order,
            action="work_order.extension_decide",
            kind="extension_approved" if approve else "extension_refused",
            visibility=Visibility.STAFF,
            text=f"{verdict}延期 {row.amount}。{note}".strip(),
            after={"extension": row.pk, "status": row.status},
            data={"extension": row.pk},
        )
    return order


def work_order_supervise(
    *,
    actor: Actor,
    order: WorkOrder | int,
    kind: str,
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """催办 (`urge`, any centre member) or 督办 (`supervise`, a supervisor) of the lead unit
    while the order is in its hands. The SLA sweep does the same by itself at yellow and red."""
    if kind not in SupervisionKind.values:
        raise invalid("kind", gettext("督办类型无效"))
    note = clean_text(note, "note", required=False)

    def allowed(user: object, row: WorkOrder) -> bool:
        return permissions.can_supervise(user, row, kind)

    with transaction.atomic():
        order = begin(actor, order, allowed, expected_version=expected_version)
        require_status(order, WITH_UNIT_STATUSES, str(SupervisionKind(kind).label))
        unit = order.lead_unit
        if unit is None:
            raise illegal(order, order.status)
        Supervision.objects.create(order=order, kind=kind, unit=unit, by=actor.user, note=note)
        save(order)
        record(
            actor,
            order,
            action=f"work_order.{kind}",
            kind=kind,
            visibility=Visibility.STAFF,
            text=f"{SupervisionKind(kind).label}{unit.name}。{note}".strip(),
            after={"unit": unit.pk, "kind": kind},
            data={"unit": unit.pk},
        )
    return order


__all__ = [
    "work_order_co_reply",
    "work_order_extension_decide",
    "work_order_extension_request",
    "work_order_progress",
    "work_order_reply",
    "work_order_supervise",
]
