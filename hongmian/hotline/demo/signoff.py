"""本单位负责人审批 in the demo: the units of `SIGN_OFF_MANAGERS` (not every unit with a demo
manager: most units in a city do without it, and the demo's other statuses must stay)
require sign-off of their handlers' replies, returns and extension requests, and a few of
their open orders wait for that manager, so the manager's home and 待审批 show real work.

Runs after the history has been replayed and dated (`seed` in this package): the requests
are made now, through `sign_off_submit` as the unit's demo handler, like any handler's (who
first 签收 an order still waiting for it). An act the order's rules refuse now (a return
window long closed, a deadline passed) is simply not asked for."""

from __future__ import annotations

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.lifecycle_dispatch import work_order_acknowledge
from hongmian.hotline.services.signoff import sign_off_policy_set, sign_off_submit
from hongmian.hotline.states import ReturnReason, SignOffAct, Status
from hongmian.identity.models import User
from hongmian.identity.states import Role

# The demo managers whose units require sign-off: 天河区 (the demo's first manager login).
SIGN_OFF_MANAGERS = ("manager_tianhe",)
# Requests left waiting per managed unit, and the acts they ask for, in turn.
WAITING_PER_UNIT = 4
ACTS = (SignOffAct.REPLY, SignOffAct.EXTENSION, SignOffAct.REPLY, SignOffAct.RETURN)


def _payload(act: str, order: WorkOrder) -> dict[str, object]:
    if act == SignOffAct.REPLY:
        return {
            "reply": f"您反映的“{order.title}”问题，经现场核查已安排处理完毕，"
            "后续将加强巡查。感谢您对我们工作的支持。"
        }
    if act == SignOffAct.EXTENSION:
        return {"reason": "涉及多个部门，需联合现场勘查后确定处置方案。", "amount": "3"}
    return {
        "reason": ReturnReason.NOT_OUR_DUTY,
        "legal_basis": "本单位权责清单",
        "explanation": "所反映事项不在本单位职责范围内，建议转交主管部门办理。",
        "suggested_unit": None,
    }


def seed_sign_offs(*, actor: Actor) -> int:
    """Policies for the units of the demo's managers and their waiting requests; how many
    requests wait. Nothing when the identity demo has no manager or handler."""
    waiting = 0
    managers = User.objects.filter(
        role=Role.DEPT_MANAGER, username__in=SIGN_OFF_MANAGERS, org_unit__isnull=False
    ).select_related("org_unit")
    for manager in managers:
        unit = manager.org_unit
        assert unit is not None  # noqa: S101  # filtered above
        sign_off_policy_set(
            actor=actor,
            unit=unit,
            require_reply=True,
            require_return=True,
            require_extension=True,
        )
        handler = User.objects.filter(role=Role.DEPT_HANDLER, org_unit=unit, is_active=True).first()
        if handler is None:
            continue
        as_handler = Actor(user=handler, via="web", client_address="127.0.0.1")
        # Orders the unit is handling, newest first; one still awaiting 签收 is signed for
        # first, as the handler would before drafting the reply.
        candidates = (
            WorkOrder.objects.filter(
                status__in=(Status.ACKNOWLEDGED, Status.DISPATCHED),
                lead_unit__path__startswith=unit.path,
            )
            .exclude(sign_offs__status="pending")
            .order_by("-dispatched_at")[:40]
        )
        made = 0
        for order in candidates:
            if made >= WAITING_PER_UNIT:
                break
            if order.status == Status.DISPATCHED:
                try:
                    work_order_acknowledge(actor=as_handler, order=order)
                except ApplicationError:
                    continue
            for act in (ACTS[made % len(ACTS)], SignOffAct.REPLY):
                try:
                    sign_off_submit(
                        actor=as_handler, order=order, act=act, payload=_payload(act, order)
                    )
                except ApplicationError:
                    continue  # refused now (window closed, deadline passed): try a reply
                made += 1
                break
        waiting += made
    return waiting


__all__ = ["seed_sign_offs"]
