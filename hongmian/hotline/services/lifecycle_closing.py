"""The end of an order: the callback (回访), the review of a dissatisfied answer (reopen /
重办, or close with a reason), merging duplicates (并单) and archiving (归档)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from hongmian.core.actors import Actor
from hongmian.core.errors import IllegalTransition
from hongmian.hotline import notifications, permissions
from hongmian.hotline.models import Callback, WorkOrder
from hongmian.hotline.services import sla
from hongmian.hotline.services.lifecycle_common import (
    ASSIGN_FIELDS,
    CLOSE_FIELDS,
    assign,
    begin,
    close,
    illegal,
    invalid,
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
    FINISHED_STATUSES,
    OPEN_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    CallbackReview,
    CloseReason,
    Satisfaction,
    Status,
    Visibility,
)

# Unanswered callbacks after one reply before the order closes as "caller unreachable".
UNREACHABLE_TRIES = 3
# An order may be the master of others while it is open, or once closed (a new duplicate of
# a settled problem takes the settled answer at once).
MASTER_STATUSES = OPEN_STATUSES | {Status.CLOSED}


def work_order_callback(
    *,
    actor: Actor,
    order: WorkOrder | int,
    reached: bool,
    satisfaction: str = "",
    resolved: bool | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """回访. Satisfied or basically satisfied: closed. Dissatisfied: a supervisor reviews
    (`work_order_callback_review`). Not reached: the caller is told a call will come; after
    UNREACHABLE_TRIES unanswered calls the order closes as unreachable."""
    comment = text(comment, "comment", required=False)
    if reached and satisfaction not in Satisfaction.values:
        raise invalid("satisfaction", "请选择满意度")
    if not reached:
        satisfaction, resolved = "", None
    with transaction.atomic():
        order = begin(actor, order, permissions.can_callback, expected_version=expected_version)
        if order.status != Status.REPLIED:
            raise illegal(order, Status.CLOSED)
        at = now()
        callback = Callback(
            order=order,
            by=actor.user,
            reached=reached,
            satisfaction=satisfaction,
            resolved=resolved,
            comment=comment,
        )
        before = order.status
        if not reached:
            callback.save()
            tries = order.callbacks.filter(reached=False, created_at__gte=order.replied_at).count()
            if tries < UNREACHABLE_TRIES:
                save(order)
                record(
                    actor,
                    order,
                    action="work_order.callback",
                    kind="callback_unreached",
                    visibility=Visibility.STAFF,
                    text=f"回访未联系上诉求人（第 {tries} 次）",
                    after={"reached": False, "tries": tries},
                )
                notify(notifications.callback_requested, order.pk)
                return order
            move(order, Status.CLOSED)
            close(order, reason=CloseReason.CALLER_UNREACHABLE, at=at)
            save(order, *CLOSE_FIELDS)
            outcome = f"回访 {tries} 次均未联系上诉求人，工单办结"
        elif satisfaction == Satisfaction.DISSATISFIED:
            move(order, Status.CALLBACK_REVIEW)
            callback.review = CallbackReview.PENDING
            callback.save()
            order.satisfaction, order.resolved = satisfaction, resolved
            save(order, "status", "satisfaction", "resolved")
            outcome = "回访不满意，待审核"
        else:
            callback.save()
            move(order, Status.CLOSED)
            close(order, reason=CloseReason.CALLBACK, at=at)
            order.satisfaction, order.resolved = satisfaction, resolved
            save(order, *CLOSE_FIELDS, "satisfaction", "resolved")
            outcome = f"回访{Satisfaction(satisfaction).label}，工单办结"
        record(
            actor,
            order,
            action="work_order.callback",
            kind="callback",
            visibility=Visibility.STAFF,
            text=outcome,
            before={"status": before},
            after={"status": order.status, "satisfaction": satisfaction, "resolved": resolved},
            data={"callback": callback.pk},
        )
        if order.status == Status.CLOSED:
            settle_merged(actor, order, at=at)
    return order


def work_order_callback_review(
    *,
    actor: Actor,
    order: WorkOrder | int,
    reopen: bool,
    reason: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """The supervisor judges a dissatisfied callback. Fair: 重办 — back to the same lead
    unit (and its co-handlers) with new clocks, `reopen_count + 1`. Not fair (the caller
    asked for what the law does not allow, say): closed with the reason."""
    reason = text(reason, "reason")
    with transaction.atomic():
        order = begin(
            actor, order, permissions.can_review_callback, expected_version=expected_version
        )
        pending = order.callbacks.filter(review=CallbackReview.PENDING).first()
        if order.status != Status.CALLBACK_REVIEW or pending is None:
            raise illegal(order, Status.DISPATCHED if reopen else Status.CLOSED)
        at = now()
        pending.review = CallbackReview.REOPENED if reopen else CallbackReview.CLOSED
        pending.reviewed_by, pending.review_reason = actor.user, reason
        pending.save(update_fields=["review", "reviewed_by", "review_reason", "updated_at"])
        if reopen:
            lead = order.lead_unit
            if lead is None:
                raise invalid("reopen", "工单没有承办单位，不能重办")
            co_units = [
                a.unit
                for a in order.assignments.filter(role=AssignmentRole.CO)
                .exclude(status=AssignmentStatus.WITHDRAWN)
                .select_related("unit")
                if a.unit.is_active
            ]
            move(order, Status.DISPATCHED)
            assign(actor, order, lead_unit=lead, co_units=co_units, at=at)
            order.reopen_count += 1
            save(order, *ASSIGN_FIELDS, "reopen_count")
            kind, visibility, outcome = "reopened", Visibility.PUBLIC, f"工单重办：{reason}"
        else:
            move(order, Status.CLOSED)
            close(order, reason=CloseReason.REVIEW, at=at)
            save(order, *CLOSE_FIELDS)
            kind, visibility, outcome = "review_closed", Visibility.STAFF, f"审核后办结：{reason}"
        record(
            actor,
            order,
            action="work_order.callback_review",
            kind=kind,
            visibility=visibility,
            text=outcome,
            before={"status": Status.CALLBACK_REVIEW},
            after={"status": order.status, "reopen_count": order.reopen_count},
        )
        if order.status == Status.CLOSED:
            settle_merged(actor, order, at=at)
    return order


def work_order_merge(
    *,
    actor: Actor,
    master: WorkOrder | int,
    duplicates: Iterable[WorkOrder | int],
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """并单: each duplicate becomes `merged` under `master`; its clocks stop and its units
    let go. Orders already merged under a duplicate move under the master too. When the
    master has an answer already, the duplicates take it and close at once; otherwise they
    close when the master is answered. `expected_version` is the master's."""
    note = text(note, "note", required=False)
    ids = sorted({d.pk if isinstance(d, WorkOrder) else int(d) for d in duplicates})
    if not ids:
        raise invalid("duplicates", "请选择要合并的工单")
    with transaction.atomic():
        # Master first, then the duplicates by id: the same order as settle_merged, so two
        # merges or a merge and a reply do not lock each other in a circle.
        master = begin(actor, master, permissions.can_merge, expected_version=expected_version)
        if master.pk in ids:
            raise invalid("duplicates", "工单不能合并到自身")
        if master.status not in MASTER_STATUSES:
            raise IllegalTransition(
                "主工单已并单或已归档，不能作为主工单",
                code="work_order.illegal_transition",
                fields={"master": [master.status]},
            )
        at = now()
        merged = []
        for dup_id in ids:
            dup = begin(actor, dup_id, permissions.can_merge)
            before = move(dup, Status.MERGED)
            dup.master = master
            withdraw_assignments(dup)
            sla.sla_clocks_stop_all(order=dup, at=at)
            save(dup, "status", "master")
            WorkOrder.objects.filter(master=dup).update(master=master, updated_at=at)
            record(
                actor,
                dup,
                action="work_order.merge",
                kind="merged",
                visibility=Visibility.PUBLIC,
                text=f"与工单 {master.number} 反映同一问题，已合并办理",
                before={"status": before},
                after={"status": dup.status, "master": master.number},
                data={"master": master.number, "note": note},
            )
            merged.append(dup.number)
        save(master)
        record(
            actor,
            master,
            action="work_order.merge_master",
            kind="merged_in",
            visibility=Visibility.STAFF,
            text=f"合并重复工单：{'、'.join(merged)}。{note}".strip(),
            after={"duplicates": merged},
            data={"duplicates": merged},
        )
        if master.replied_at is not None and master.reply:
            settle_merged(actor, master, at=at)
    return master


def work_order_archive(
    *, actor: Actor, order: WorkOrder | int, expected_version: int | None = None
) -> WorkOrder:
    """归档: the end. Only a closed or merged order; nothing changes afterwards."""
    with transaction.atomic():
        order = begin(actor, order, permissions.can_archive, expected_version=expected_version)
        if order.status not in FINISHED_STATUSES - {Status.ARCHIVED}:
            raise illegal(order, Status.ARCHIVED)
        before = move(order, Status.ARCHIVED)
        order.archived_at = now()
        save(order, "status", "archived_at")
        record(
            actor,
            order,
            action="work_order.archive",
            kind="archived",
            visibility=Visibility.STAFF,
            text="工单已归档",
            before={"status": before},
            after={"status": order.status},
        )
    return order


__all__ = [
    "work_order_archive",
    "work_order_callback",
    "work_order_callback_review",
    "work_order_merge",
]
