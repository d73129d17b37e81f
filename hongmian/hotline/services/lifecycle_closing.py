"""The end of an order: the callback (回访) by the centre, or the caller's own rating online;
the review of a dissatisfied answer (reopen / 重办, or close with a reason); merging
duplicates (并单); archiving (归档)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from hongmian.hotline import insights_hook, notifications, permissions
from hongmian.hotline.models import Callback, WorkOrder
from hongmian.hotline.services import sla
from hongmian.hotline.services.intake_validation import validate_caller_phone
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
# Opens the comment of a Callback the caller gave themself, so that staff reading the
# callbacks can tell it from the centre's own call.
CALLER_RATING_NOTE = "市民在线评价"
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
    if reached:
        _check_satisfaction(satisfaction)
    else:
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
        if reached:
            effect = _settle_rating(order, callback, at=at)
            label = Satisfaction(satisfaction).label
            _record_callback(actor, order, callback, f"回访{label}，{effect}")
            _settle_merged_if_closed(actor, order, at=at)
            return order
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
        _record_callback(actor, order, callback, f"回访 {tries} 次均未联系上诉求人，工单办结")
        _settle_merged_if_closed(actor, order, at=at)
    return order


def work_order_caller_rate(
    *,
    actor: Actor,
    order: WorkOrder | int,
    phone: str,
    satisfaction: str,
    resolved: bool | None,
    comment: str = "",
) -> WorkOrder:
    """市民评价: the caller rates the reply themself (online, or through the API), with the
    same effect as the centre's callback — satisfied or basically satisfied closes the order,
    dissatisfied sends it to a supervisor's review.

    Anyone may call it, an anonymous visitor too: what proves the caller is the phone left
    on the order (compared normalised). A wrong phone is NotFound, exactly like a missing
    order, so the pair cannot be used to learn which numbers exist; callers at a public
    door must also limit wrong guesses (`hotline.tracking`). Allowed only while the order
    is replied and awaits its callback (else 409 `work_order.illegal_transition`), and once
    per reply: when the reply has been rated already — by the caller or by the centre's
    callback — it is 409 `work_order.already_rated`. After a reopen the new reply may be
    rated again."""
    comment = text(comment, "comment", required=False)
    _check_satisfaction(satisfaction)
    if resolved is not None and not isinstance(resolved, bool):
        raise invalid("resolved", gettext("请选择问题是否已解决"))
    proof = _phone_or_none(phone)
    with transaction.atomic():
        pk = order.pk if isinstance(order, WorkOrder) else order
        locked = WorkOrder.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if locked is None or proof is None or _phone_or_none(locked.caller_phone) != proof:
            raise NotFound(gettext("工单不存在"), code="work_order.not_found")
        order = locked
        if (
            order.replied_at is not None
            and order.callbacks.filter(reached=True, created_at__gte=order.replied_at).exists()
        ):
            raise Conflict(
                gettext("该答复已评价过，感谢您的反馈"),
                code="work_order.already_rated",
                fields={"status": [order.status]},
            )
        if order.status != Status.REPLIED:
            raise illegal(order, Status.CLOSED)
        at = now()
        note = f"{CALLER_RATING_NOTE}：{comment}" if comment else CALLER_RATING_NOTE
        callback = Callback(
            order=order,
            by=actor.user,
            reached=True,
            satisfaction=satisfaction,
            resolved=resolved,
            comment=note,
        )
        effect = _settle_rating(order, callback, at=at)
        label = Satisfaction(satisfaction).label
        _record_callback(
            actor,
            order,
            callback,
            f"{label}，{_resolved_text(resolved)}；{effect}",
            action="work_order.caller_rate",
            kind="caller_rating",
            # The caller reads their own rating on the track page. Their comment stays on
            # the Callback, for staff: it may name people.
            visibility=Visibility.PUBLIC,
        )
        _settle_merged_if_closed(actor, order, at=at)
    return order


def _check_satisfaction(satisfaction: str) -> None:
    if satisfaction not in Satisfaction.values:
        raise invalid("satisfaction", gettext("请选择满意度"))


def _phone_or_none(phone: str) -> str | None:
    """The normalised phone, or None for an empty or malformed one (which proves nothing)."""
    try:
        return validate_caller_phone(phone) or None
    except ValidationFailed:
        return None


def _resolved_text(resolved: bool | None) -> str:
    if resolved is None:
        return "未说明是否解决"
    return "问题已解决" if resolved else "问题未解决"


def _settle_rating(order: WorkOrder, callback: Callback, *, at: dt.datetime) -> str:
    """What a rating does to a locked, replied order, whoever gave it: satisfied or basically
    satisfied closes it; dissatisfied waits for a supervisor's review. Saves the callback
    and the order; returns the effect, for the timeline. The caller then records the act
    and settles the merged orders (`_settle_merged_if_closed`)."""
    order.satisfaction, order.resolved = callback.satisfaction, callback.resolved
    if callback.satisfaction == Satisfaction.DISSATISFIED:
        move(order, Status.CALLBACK_REVIEW)
        callback.review = CallbackReview.PENDING
        callback.save()
        save(order, "status", "satisfaction", "resolved")
        return "待审核"
    callback.save()
    move(order, Status.CLOSED)
    close(order, reason=CloseReason.CALLBACK, at=at)
    save(order, *CLOSE_FIELDS, "satisfaction", "resolved")
    return "工单办结"


def _settle_merged_if_closed(actor: Actor, order: WorkOrder, *, at: dt.datetime) -> None:
    # Orders merged under this one close with it and their callers are told.
    if order.status == Status.CLOSED:
        settle_merged(actor, order, at=at)


def _record_callback(
    actor: Actor,
    order: WorkOrder,
    callback: Callback,
    outcome: str,
    *,
    action: str = "work_order.callback",
    kind: str = "callback",
    visibility: str = Visibility.STAFF,
) -> None:
    record(
        actor,
        order,
        action=action,
        kind=kind,
        visibility=visibility,
        text=outcome,
        before={"status": Status.REPLIED},
        after={
            "status": order.status,
            "satisfaction": callback.satisfaction,
            "resolved": callback.resolved,
        },
        data={"callback": callback.pk},
    )


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
                raise invalid("reopen", gettext("工单没有承办单位，不能重办"))
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
        raise invalid("duplicates", gettext("请选择要合并的工单"))
    with transaction.atomic():
        # Master first, then the duplicates by id: the same order as settle_merged, so two
        # merges or a merge and a reply do not lock each other in a circle.
        master = begin(actor, master, permissions.can_merge, expected_version=expected_version)
        if master.pk in ids:
            raise invalid("duplicates", gettext("工单不能合并到自身"))
        if master.status not in MASTER_STATUSES:
            raise IllegalTransition(
                gettext("主工单已并单或已归档，不能作为主工单"),
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
        # The board's stored duplicate groups of these orders are decided: gone at once.
        insights_hook.orders_merged(actor=actor, order_ids=[master.pk, *ids])
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
    "CALLER_RATING_NOTE",
    "work_order_archive",
    "work_order_callback",
    "work_order_callback_review",
    "work_order_caller_rate",
    "work_order_merge",
]
