"""本单位负责人审批: a unit's manager signs off its handlers' replies, returns and extension
requests before they leave the unit, when the unit's policy asks for it.

Every door (the order page, the API) sends a handler's reply, return or extension request
through `sign_off_submit`. Without a policy that binds the handler, the act happens at once
through its lifecycle service, as it always did. With one, the act is rehearsed (the
lifecycle service runs in a savepoint that is rolled back, so the handler hears now what the
centre's rules say — the window, the deadline, the status, the text — without a second copy
of those rules) and waits as a `SignOffRequest`. The manager's approval then runs the same
lifecycle service with the stored arguments, as the manager; a refusal by that service (the
return window closed meanwhile, say) rolls the approval back and the request stays pending.

The clocks are not touched here: the time a request waits counts against the unit, and the
reply's time is the approval's. Each step is on the order's timeline (staff: the centre and
the units see it, the caller does not) and audited; the order row is locked first in every
step, so two managers deciding at once, or a withdrawal racing an approval, have exactly one
winner — the other hears 409.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, PermissionDenied
from hongmian.core.transitions import assert_transition
from hongmian.hotline import permissions
from hongmian.hotline.models import (
    Assignment,
    Attachment,
    ExtensionRequest,
    SignOffRequest,
    TimelineEntry,
    UnitSignOffPolicy,
    WorkOrder,
)
from hongmian.hotline.services.lifecycle_common import (
    begin,
    invalid,
    lead_assignment,
    now,
    record,
    save,
)
from hongmian.hotline.services.lifecycle_common import text as clean_text
from hongmian.hotline.services.lifecycle_dispatch import work_order_return_request
from hongmian.hotline.services.lifecycle_handling import (
    work_order_extension_request,
    work_order_reply,
)
from hongmian.hotline.states import (
    SIGN_OFF_TRANSITIONS,
    AssignmentStatus,
    ReturnReason,
    SignOffAct,
    SignOffStatus,
    Visibility,
)
from hongmian.identity.models import OrgUnit

# Who may ask for each act: the predicate of the act's own service.
_ASKERS: dict[str, Callable[[Any, WorkOrder], bool]] = {
    SignOffAct.REPLY: permissions.can_reply,
    SignOffAct.RETURN: permissions.can_request_return,
    SignOffAct.EXTENSION: permissions.can_request_extension,
}


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a handler's act came to: done now (`result`: the order, or the extension
    request for an extension), or waiting for the manager (`sign_off`)."""

    sign_off: SignOffRequest | None = None
    result: WorkOrder | ExtensionRequest | None = None

    @property
    def waiting(self) -> bool:
        return self.sign_off is not None


class _Rehearsed(Exception):
    """Raised inside the rehearsal's savepoint to roll it back once the act succeeded."""


# --- the policy --------------------------------------------------------------------------------


def sign_off_policy_get(unit: OrgUnit) -> UnitSignOffPolicy:
    """The unit's policy; an unsaved one requiring nothing when it has none."""
    return UnitSignOffPolicy.objects.filter(unit=unit).first() or UnitSignOffPolicy(unit=unit)


def sign_off_policy_set(
    *,
    actor: Actor,
    unit: OrgUnit,
    require_reply: bool,
    require_return: bool,
    require_extension: bool,
) -> UnitSignOffPolicy:
    """审批设置: the unit's own manager (or the system) says which acts need sign-off.
    Requests already waiting stay waiting: switching a box off does not approve them."""
    user = actor.user
    if not permissions.is_system_actor(actor) and not permissions.can_configure_sign_off(
        user, unit
    ):
        raise PermissionDenied(gettext("只有本单位负责人可以设置审批"), code="sign_off.forbidden")
    wanted = {
        "require_reply": bool(require_reply),
        "require_return": bool(require_return),
        "require_extension": bool(require_extension),
    }
    with transaction.atomic():
        policy = UnitSignOffPolicy.objects.select_for_update().filter(unit=unit).first()
        before = (
            {k: getattr(policy, k) for k in wanted}
            if policy is not None
            else dict.fromkeys(wanted, False)
        )
        if policy is None:
            policy = UnitSignOffPolicy(unit=unit)
        for name, value in wanted.items():
            setattr(policy, name, value)
        policy.updated_by = user
        policy.save()
        audit_record(
            actor=actor, action="sign_off.policy_set", target=policy, before=before, after=wanted
        )
    return policy


def sign_off_held_acts(user: Any) -> frozenset[str]:
    """The acts of `user` that would wait for the manager (the order page says so up front);
    one query."""
    policy = _binding_policy(user, None)
    if policy is None:
        return frozenset()
    return frozenset(act for act in SignOffAct.values if policy.requires(act))


def _binding_policy(user: Any, act: str | None) -> UnitSignOffPolicy | None:
    """The policy that holds this user's act (with None: any act) for sign-off, if any: a
    handler's own unit's, when it requires the act. Its managers (and the system, with no
    user) act directly."""
    if user is None or not permissions.is_unit_handler(user):
        return None
    policy = UnitSignOffPolicy.objects.filter(unit_id=user.org_unit_id).first()
    if policy is None or (act is not None and not policy.requires(act)):
        return None
    if permissions.manages_unit(user, user.org_unit):
        return None
    return policy


# --- the act's arguments -----------------------------------------------------------------------


def _text_arg(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(name, gettext("应为文本"))
    return value.strip()


def _payload(act: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The act's arguments as JSON (what a request keeps); the lifecycle service checks them."""
    if act == SignOffAct.REPLY:
        return {"reply": _text_arg(fields, "reply")}
    if act == SignOffAct.RETURN:
        unit = fields.get("suggested_unit")
        return {
            "reason": _text_arg(fields, "reason"),
            "legal_basis": _text_arg(fields, "legal_basis"),
            "explanation": _text_arg(fields, "explanation"),
            "suggested_unit": unit.pk if isinstance(unit, OrgUnit) else unit,
        }
    amount = fields.get("amount")
    return {"reason": _text_arg(fields, "reason"), "amount": "" if amount is None else str(amount)}


def _perform(actor: Actor, order_id: int, act: str, data: Mapping[str, Any]) -> Any:
    """The act itself, through its one lifecycle service."""
    if act == SignOffAct.REPLY:
        return work_order_reply(actor=actor, order=order_id, reply=data["reply"])
    if act == SignOffAct.RETURN:
        unit_id = data.get("suggested_unit")
        unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        if unit_id is not None and unit is None:
            raise invalid("suggested_unit", gettext("单位不存在或已停用"))
        return work_order_return_request(
            actor=actor,
            order=order_id,
            reason=data["reason"],
            legal_basis=data["legal_basis"],
            explanation=data["explanation"],
            suggested_unit=unit,
        )
    return work_order_extension_request(
        actor=actor, order=order_id, reason=data["reason"], amount=data["amount"]
    )


def _rehearse(actor: Actor, order_id: int, act: str, data: Mapping[str, Any]) -> None:
    """Run the act in a savepoint and roll it back: its refusal (a 4xx) reaches the handler
    now; its success leaves nothing behind (on-commit notices of a rolled-back savepoint are
    dropped by Django)."""
    try:
        with transaction.atomic():
            _perform(actor, order_id, act, data)
            raise _Rehearsed
    except _Rehearsed:
        pass


_DESCRIBED: dict[str, str] = {
    SignOffAct.REPLY: gettext_noop("答复：{reply}"),
    SignOffAct.RETURN: gettext_noop("退单：{reason}。{explanation}"),
    SignOffAct.EXTENSION: gettext_noop("延期 {amount}：{reason}"),
}


def describe(act: str, data: Mapping[str, Any], *, translated: bool = False) -> str:
    """One line for the timeline and the lists: what the handler asks for. The timeline
    keeps it in Chinese, as it keeps every entry; a list says it in its reader's language
    (`translated`)."""
    template = _DESCRIBED.get(act, _DESCRIBED[SignOffAct.EXTENSION])
    reason = data.get("reason", "")
    if act == SignOffAct.RETURN and reason in ReturnReason.values:
        reason = ReturnReason(reason).label
    return (gettext(template) if translated else template).format(
        reply=data.get("reply", ""),
        reason=reason,
        explanation=data.get("explanation", ""),
        amount=data.get("amount", ""),
    )


# --- the handler's side ------------------------------------------------------------------------


def _expire_orphans(order: WorkOrder) -> None:
    """A request whose assignment was withdrawn (re-dispatched, return accepted) can no
    longer happen: it is withdrawn, so that the order's new unit may ask."""
    stale = list(
        SignOffRequest.objects.select_for_update(of=("self",)).filter(
            order=order,
            status=SignOffStatus.PENDING,
            assignment__status=AssignmentStatus.WITHDRAWN,
        )
    )
    system = Actor.system("sign_off")
    for row in stale:
        _decide(row, SignOffStatus.WITHDRAWN, by=None, comment="工单已改派，申请失效")
        record(
            system,
            order,
            action="sign_off.expire",
            kind="sign_off_withdrawn",
            visibility=Visibility.STAFF,
            text=f"{row.get_act_display()}审批申请因工单改派失效",
            after={"sign_off": row.pk, "status": row.status},
            data={"sign_off": row.pk, "act": row.act},
        )


def sign_off_submit(
    *,
    actor: Actor,
    order: WorkOrder | int,
    act: str,
    payload: Mapping[str, Any],
    expected_version: int | None = None,
) -> Submitted:
    """A handler's reply (`act="reply"`: `reply`), return (`"return"`: `reason`,
    `legal_basis`, `explanation`, `suggested_unit`) or extension request (`"extension"`:
    `reason`, `amount`). Done at once unless the handler's unit requires sign-off for it;
    then checked (rehearsed) and left for the manager. While one request waits, no act of
    these three is taken on the order (409 `sign_off.pending`). A request after one that was
    sent back for the same act is recorded as its revision."""
    if act not in SignOffAct.values:
        raise invalid("act", gettext("审批事项无效"))
    data = _payload(act, payload)
    policy = _binding_policy(actor.user, act)
    with transaction.atomic():
        locked = begin(actor, order, _ASKERS[act], expected_version=expected_version)
        _expire_orphans(locked)
        if SignOffRequest.objects.filter(order=locked, status=SignOffStatus.PENDING).exists():
            raise Conflict(
                gettext("本工单已有待本单位负责人审批的申请，请等待审批结果"),
                code="sign_off.pending",
                fields={},
            )
        if policy is None:
            return Submitted(result=_perform(actor, locked.pk, act, data))
        _rehearse(actor, locked.pk, act, data)
        assignment = lead_assignment(locked)
        if assignment is None:  # the rehearsal passed, so the order has a lead
            raise Conflict(gettext("工单没有主办单位"), code="sign_off.no_assignment", fields={})
        previous = (
            SignOffRequest.objects.filter(
                order=locked, act=act, assignment=assignment, status=SignOffStatus.SENT_BACK
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        row = SignOffRequest.objects.create(
            order=locked,
            assignment=assignment,
            unit=policy.unit,
            act=act,
            payload=data,
            requested_by=actor.user,
            revision_of=previous,
        )
        save(locked)
        label = SignOffAct(act).label
        record(
            actor,
            locked,
            action="sign_off.request",
            kind="sign_off_requested",
            visibility=Visibility.STAFF,
            text=f"{'修改后重新提交' if previous else '提交'}{label}，待本单位负责人审批。"
            + describe(act, data),
            after={"sign_off": row.pk, "act": act, "payload": data},
            data={"sign_off": row.pk, "act": act, "revision_of": previous.pk if previous else None},
        )
    return Submitted(sign_off=row)


# --- the manager's side ------------------------------------------------------------------------


def _locked_request(order: WorkOrder, sign_off: SignOffRequest | int | None) -> SignOffRequest:
    rows = SignOffRequest.objects.select_for_update().filter(order=order)
    if sign_off is not None:
        pk = sign_off.pk if isinstance(sign_off, SignOffRequest) else sign_off
        row = rows.filter(pk=pk).first()
        if row is None:
            raise NotFound(gettext("审批申请不存在"), code="sign_off.not_found")
        return row
    row = rows.filter(status=SignOffStatus.PENDING).first()
    if row is None:
        raise Conflict(gettext("本工单没有待审批的申请"), code="sign_off.none_pending", fields={})
    return row


def _decide(row: SignOffRequest, target: str, *, by: Any, comment: str) -> None:
    assert_transition(SIGN_OFF_TRANSITIONS, row.status, target)
    row.status, row.decided_by, row.decided_at, row.comment = target, by, now(), comment
    row.save(update_fields=["status", "decided_by", "decided_at", "comment", "updated_at"])


def _require_manager(actor: Actor, row: SignOffRequest) -> None:
    if permissions.is_system_actor(actor):
        return
    unit = OrgUnit.objects.get(pk=row.unit_id)
    if not permissions.manages_unit(actor.user, unit):
        raise PermissionDenied(gettext("只有申请单位的负责人可以审批"), code="sign_off.forbidden")


def sign_off_approve(
    *,
    actor: Actor,
    order: WorkOrder | int,
    sign_off: SignOffRequest | int | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> SignOffRequest:
    """同意: the act happens now, as the manager, through its lifecycle service (the reply
    stops the clocks now; the return goes to the centre's review; the extension request to
    the centre's decision). `sign_off` names the request the manager saw (default: the
    order's pending one); a decided one is 409 `sign_off.illegal_transition`."""
    comment = clean_text(comment, "comment", required=False)
    with transaction.atomic():
        locked = begin(
            actor, order, permissions.can_decide_sign_off, expected_version=expected_version
        )
        row = _locked_request(locked, sign_off)
        _require_manager(actor, row)
        assert_transition(SIGN_OFF_TRANSITIONS, row.status, SignOffStatus.APPROVED)
        assignment = Assignment.objects.get(pk=row.assignment_id)
        if assignment.status == AssignmentStatus.WITHDRAWN:
            raise Conflict(
                gettext("工单已改派，该申请已失效，请退回"),
                code="sign_off.assignment_withdrawn",
                fields={},
            )
        _decide(row, SignOffStatus.APPROVED, by=actor.user, comment=comment)
        label = SignOffAct(row.act).label
        record(
            actor,
            locked,
            action="sign_off.approve",
            kind="sign_off_approved",
            visibility=Visibility.STAFF,
            text=f"本单位负责人同意{label}。{comment}".strip(),
            before={"sign_off": row.pk, "status": SignOffStatus.PENDING},
            after={"sign_off": row.pk, "status": row.status},
            data={"sign_off": row.pk, "act": row.act},
        )
        _perform(actor, locked.pk, row.act, row.payload)
        _carry_files_to_reply(locked, row)
    return row


def _carry_files_to_reply(order: WorkOrder, row: SignOffRequest) -> None:
    """Files sent with a held reply wait on the request's entry, which only staff read; once
    the reply is approved they are its evidence (the caller's "fixed" photo), so they move
    to the reply's entry and take its marking, as files sent with an unheld reply do."""
    if row.act != SignOffAct.REPLY:
        return
    held = TimelineEntry.objects.filter(
        order=order, kind="sign_off_requested", data__sign_off=row.pk
    ).values("pk")
    reply = TimelineEntry.objects.filter(order=order, kind="replied").order_by("-pk").first()
    if reply is None:
        return
    Attachment.objects.filter(order=order, entry__in=held).update(
        entry=reply, visibility=reply.visibility
    )


def sign_off_send_back(
    *,
    actor: Actor,
    order: WorkOrder | int,
    comment: str,
    sign_off: SignOffRequest | int | None = None,
    expected_version: int | None = None,
) -> SignOffRequest:
    """退回修改: back to the handler with a comment (required: the handler must know what to
    change). Nothing else happens to the order; the handler may revise and submit again."""
    comment = clean_text(comment, "comment")
    with transaction.atomic():
        locked = begin(
            actor, order, permissions.can_decide_sign_off, expected_version=expected_version
        )
        row = _locked_request(locked, sign_off)
        _require_manager(actor, row)
        _decide(row, SignOffStatus.SENT_BACK, by=actor.user, comment=comment)
        save(locked)
        record(
            actor,
            locked,
            action="sign_off.send_back",
            kind="sign_off_sent_back",
            visibility=Visibility.STAFF,
            text=f"本单位负责人退回{row.get_act_display()}申请，请修改：{comment}",
            before={"sign_off": row.pk, "status": SignOffStatus.PENDING},
            after={"sign_off": row.pk, "status": row.status, "comment": comment},
            data={"sign_off": row.pk, "act": row.act},
        )
    return row


def sign_off_withdraw(
    *,
    actor: Actor,
    order: WorkOrder | int,
    sign_off: SignOffRequest | int | None = None,
    expected_version: int | None = None,
) -> SignOffRequest:
    """撤回: the handler who asked takes the request back before the manager decides."""
    with transaction.atomic():
        locked = begin(
            actor, order, permissions.can_withdraw_sign_off, expected_version=expected_version
        )
        row = _locked_request(locked, sign_off)
        user = actor.user
        if not permissions.is_system_actor(actor) and (
            user is None or row.requested_by_id != user.pk
        ):
            raise PermissionDenied(gettext("只能撤回本人提交的申请"), code="sign_off.forbidden")
        _decide(row, SignOffStatus.WITHDRAWN, by=user, comment="")
        save(locked)
        record(
            actor,
            locked,
            action="sign_off.withdraw",
            kind="sign_off_withdrawn",
            visibility=Visibility.STAFF,
            text=f"撤回{row.get_act_display()}审批申请",
            before={"sign_off": row.pk, "status": SignOffStatus.PENDING},
            after={"sign_off": row.pk, "status": row.status},
            data={"sign_off": row.pk, "act": row.act},
        )
    return row


__all__ = [
    "Submitted",
    "describe",
    "sign_off_approve",
    "sign_off_held_acts",
    "sign_off_policy_get",
    "sign_off_policy_set",
    "sign_off_send_back",
    "sign_off_submit",
    "sign_off_withdraw",
]
