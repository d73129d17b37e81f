"""The acts the order page offers its reader, as panels (one small form each): the
centre's (dispatch, direct answer, return review, joint meeting, callback, supervision,
merge …), the handling unit's (acknowledge, progress, reply, return, extension, 下派), the
unit manager's sign-off decision and the handler's withdrawal, and 添加附件. Each panel's
form posts to the views in inbox.py, board.py, approvals.py and attachments.py; the page
itself (views/order.py) puts the panels in its context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hongmian.hotline import permissions as perm
from hongmian.hotline.forms.attachments import AttachForm
from hongmian.hotline.forms.board import (
    CallbackForm,
    CallbackReviewForm,
    ExtensionDecideForm,
    JointMeetingForm,
    ReturnReviewForm,
    SuperviseForm,
)
from hongmian.hotline.forms.common import HANDLING_UNIT_KINDS, VersionForm
from hongmian.hotline.forms.console import DirectAnswerForm, DispatchForm
from hongmian.hotline.forms.inbox import (
    ExtensionForm,
    ProgressForm,
    ReplyForm,
    ReturnForm,
    SubdispatchForm,
)
from hongmian.hotline.forms.signoff import SignOffDecideForm, SignOffWithdrawForm
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.catalogue import dispatch_suggest
from hongmian.hotline.services.signoff import sign_off_held_acts
from hongmian.hotline.states import (
    WITH_UNIT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    ReturnReason,
    SignOffAct,
    SignOffStatus,
    Status,
    SupervisionKind,
)
from hongmian.identity.models import OrgUnit

# Where the centre dispatches or re-dispatches from the order page (a pending return, a
# joint meeting and a callback review have their own panels that lead to dispatch).
REDISPATCH_FROM = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.ACKNOWLEDGED})
# Where the centre sees the order's duplicate candidates (insights_hook): it may merge.
MERGEABLE = REDISPATCH_FROM
UNIT_WORKING = frozenset({Status.DISPATCHED, Status.ACKNOWLEDGED})


@dataclass(frozen=True, slots=True)
class Button:
    label: str | Promise
    css: str = "button--primary"
    name: str = ""
    value: str = ""


@dataclass
class Panel:
    """One act on the order page: its form posts to `url`."""

    key: str
    heading: str | Promise
    form: forms.Form
    url: str
    buttons: list[Button] = field(default_factory=list)
    intro: str | Promise = ""
    detail_template: str = ""


def _prefixed(form_class: type[forms.Form], key: str, order: WorkOrder, **kw: Any) -> Any:
    initial = kw.pop("initial", {})
    if "version" in form_class.base_fields:
        initial.setdefault("version", order.version)
    return form_class(prefix=key, initial=initial, **kw)


# Assignments still in a unit's hands (not yet replied by a co-handler, nor withdrawn).
IN_HAND = (AssignmentStatus.PENDING, AssignmentStatus.ACKNOWLEDGED)


def _units_acting(user: Any, order: WorkOrder) -> list[Any]:
    """The reader's unit's assignments on the order that are still in its hands."""
    rows = order.assignments.filter(status__in=IN_HAND).select_related("unit")
    return [a for a in rows if perm.acts_for_unit(user, a.unit)]


def subdispatch_units(order: WorkOrder) -> Any:
    """The lead unit's own sub-units that an order can go on to (a district's streets)."""
    return OrgUnit.objects.filter(
        parent_id=order.lead_unit_id, is_active=True, kind__in=HANDLING_UNIT_KINDS
    ).order_by("path")


def centre_panels(request: HttpRequest, order: WorkOrder, ctx: dict[str, Any]) -> list[Panel]:
    user, pk, status = request.user, order.pk, order.status
    panels: list[Panel] = []

    def url(name: str, *args: Any) -> str:
        return reverse(f"hotline:{name}", args=(pk, *args))

    if status == Status.RECEIVED and perm.can_direct_answer(user, order):
        panels.append(
            Panel(
                "direct_answer",
                _("直接答复"),
                _prefixed(DirectAnswerForm, "direct_answer", order),
                url("direct_answer"),
                [Button(_("答复并办结"), "button--secondary")],
                _("能当场答复的诉求直接答复，工单即办结。"),
            )
        )
    if status in REDISPATCH_FROM and perm.can_dispatch(user, order):
        suggestion = dispatch_suggest(order) if status == Status.RECEIVED else None
        initial: dict[str, Any] = {}
        if suggestion is not None:
            initial = {
                "lead_unit": suggestion.lead_unit.pk,
                "co_units": [u.pk for u in suggestion.co_units],
            }
        ctx["suggestion"] = suggestion
        first = status == Status.RECEIVED
        panels.append(
            Panel(
                "dispatch",
                _("派单") if first else _("改派"),
                _prefixed(DispatchForm, "dispatch", order, initial=initial),
                url("dispatch"),
                [Button(_("派单") if first else _("改派"))],
                _("已按派单目录预选承办单位，可以更改。") if suggestion else "",
            )
        )
    if status == Status.RETURN_REQUESTED and perm.can_review_return(user, order):
        panels.append(
            Panel(
                "return_review",
                _("退单审核"),
                _prefixed(ReturnReviewForm, "return_review", order),
                url("return_review"),
                [Button(_("提交审核结果"))],
                detail_template="hotline/order/_return_detail.html",
            )
        )
    if status == Status.JOINT_MEETING and perm.can_hold_joint_meeting(user, order):
        panels.append(
            Panel(
                "joint_meeting",
                _("联席会商结果"),
                _prefixed(JointMeetingForm, "joint_meeting", order),
                url("joint_meeting"),
                [Button(_("记录并派单"))],
                _("记录会商确定的承办单位，工单随即派给该单位。"),
            )
        )
    extension = ctx.get("pending_extension")
    if extension is not None and perm.can_decide_extension(user, order):
        panels.append(
            Panel(
                "extension_decide",
                _("延期审批"),
                _prefixed(ExtensionDecideForm, "extension_decide", order),
                url("extension_decide", extension.pk),
                [
                    Button(_("批准延期"), name="extension_decide-approve", value="yes"),
                    Button(
                        _("不批准"),
                        "button--secondary",
                        name="extension_decide-approve",
                        value="no",
                    ),
                ],
                detail_template="hotline/order/_extension_detail.html",
            )
        )
    if status == Status.REPLIED and perm.can_callback(user, order):
        panels.append(
            Panel(
                "callback",
                _("回访"),
                _prefixed(CallbackForm, "callback", order),
                url("callback"),
                [Button(_("记录回访"))],
                _("满意或基本满意即办结；不满意交督办员审核。"),
            )
        )
    if status == Status.CALLBACK_REVIEW and perm.can_review_callback(user, order):
        panels.append(
            Panel(
                "callback_review",
                _("不满意审核"),
                _prefixed(CallbackReviewForm, "callback_review", order),
                url("callback_review"),
                [Button(_("提交审核结果"))],
            )
        )
    if status in WITH_UNIT_STATUSES and perm.can_supervise(user, order, SupervisionKind.URGE):
        form = _prefixed(SuperviseForm, "supervise", order)
        if not perm.can_supervise(user, order, SupervisionKind.SUPERVISE):
            form.fields["kind"].choices = [(SupervisionKind.URGE, SupervisionKind.URGE.label)]
        panels.append(
            Panel("supervise", _("催办 / 督办"), form, url("supervise"), [Button(_("发送"))])
        )
    return panels


def unit_panels(request: HttpRequest, order: WorkOrder, ctx: dict[str, Any]) -> list[Panel]:
    user, pk, status = request.user, order.pk, order.status
    panels: list[Panel] = []
    mine = _units_acting(user, order)
    if not mine:
        return panels

    def url(name: str) -> str:
        return reverse(f"hotline:{name}", args=(pk,))

    # The lead 签收 a dispatched order only: once it has asked to return it (退单审核中) the
    # centre's review decides, and a refused return counts as 签收. A co-handler still may.
    if any(
        a.status == AssignmentStatus.PENDING
        and (a.role != AssignmentRole.LEAD or status == Status.DISPATCHED)
        for a in mine
    ) and perm.can_acknowledge(user, order):
        panels.append(
            Panel(
                "acknowledge",
                _("签收"),
                _prefixed(VersionForm, "acknowledge", order),
                url("acknowledge"),
                [Button(_("签收"))],
                _("签收表示本单位已收到工单；办理时限从派单时已开始计算。"),
            )
        )
    acknowledged = any(a.status == AssignmentStatus.ACKNOWLEDGED for a in mine)
    if acknowledged and perm.can_progress(user, order):
        panels.append(
            Panel(
                "progress",
                _("办理进展"),
                _prefixed(ProgressForm, "progress", order),
                url("progress"),
                [Button(_("记录"), "button--secondary")],
            )
        )
    panels += sign_off_panels(user, order, ctx)
    held_acts = sign_off_held_acts(user)
    waiting = ctx.get("sign_off_waiting", False)
    if status == Status.ACKNOWLEDGED and not waiting and perm.can_reply(user, order):
        panels.append(
            Panel(
                "reply",
                _("答复诉求人"),
                _prefixed(ReplyForm, "reply", order, initial=_revising(ctx, SignOffAct.REPLY)),
                url("reply"),
                [Button(_("提交审批") if "reply" in held_acts else _("提交答复"))],
                _SIGN_OFF_NOTE if "reply" in held_acts else "",
            )
        )
    co_open = [a for a in mine if a.role == AssignmentRole.CO]
    if co_open and acknowledged and perm.can_co_reply(user, order):
        panels.append(
            Panel(
                "co_reply",
                _("协办意见"),
                _prefixed(ReplyForm, "co_reply", order),
                url("co_reply"),
                [Button(_("提交协办意见"))],
                _("协办单位的办理意见交主办单位汇总答复。"),
            )
        )
    if (
        status == Status.ACKNOWLEDGED
        and not waiting
        and ctx.get("pending_extension") is None
        and perm.can_request_extension(user, order)
    ):
        held = "extension" in held_acts
        panels.append(
            Panel(
                "extension_request",
                _("申请延期"),
                _prefixed(
                    ExtensionForm,
                    "extension_request",
                    order,
                    initial=_revising(ctx, SignOffAct.EXTENSION),
                ),
                url("extension_request"),
                [Button(_("提交审批") if held else _("提交延期申请"), "button--secondary")],
                _("须在办结时限前申请，时长单位：%(unit)s。")
                % {"unit": ctx.get("clock_unit_label") or _("工作日")}
                + (str(_SIGN_OFF_NOTE) if held else ""),
            )
        )
    if (
        status in UNIT_WORKING
        and perm.can_subdispatch(user, order)
        and subdispatch_units(order).exists()
    ):
        panels.append(
            Panel(
                "subdispatch",
                _("下派"),
                SubdispatchForm(
                    prefix="subdispatch",
                    initial={"version": order.version},
                    units=subdispatch_units(order),
                ),
                url("subdispatch"),
                [Button(_("下派"), "button--secondary")],
                _("派给本单位下属的街镇办理。"),
            )
        )
    deadline = ctx.get("return_deadline")
    if (
        status in UNIT_WORKING
        and not waiting
        and perm.can_request_return(user, order)
        and deadline
        and timezone.now() < deadline
    ):
        held = "return" in held_acts
        panels.append(
            Panel(
                "return_request",
                _("退单"),
                _prefixed(
                    ReturnForm,
                    "return_request",
                    order,
                    initial=_revising(ctx, SignOffAct.RETURN),
                ),
                url("return_request"),
                [Button(_("提交审批") if held else _("申请退单"), "button--secondary")],
                _("非本单位职责的，须在期限内写明理由和依据申请退单，由热线中心审核。")
                + (str(_SIGN_OFF_NOTE) if held else ""),
            )
        )
    return panels


_SIGN_OFF_NOTE = _("本单位要求此事项先经本单位负责人审批，审批同意后才生效。")


def _revising(ctx: dict[str, Any], act: str) -> dict[str, Any]:
    """What a form starts with after the manager sent the handler's request back: the
    request as written, to revise."""
    row = ctx.get("sign_off")
    if row is None or row.status != SignOffStatus.SENT_BACK or row.act != act:
        return {}
    return {k: v for k, v in row.payload.items() if v not in (None, "")}


def sign_off_panels(user: Any, order: WorkOrder, ctx: dict[str, Any]) -> list[Panel]:
    """同意 / 退回修改 for the manager who decides the waiting request, 撤回 for the handler
    who made it (views/approvals.py takes the posts)."""
    row = ctx.get("sign_off")
    if row is None or row.status != SignOffStatus.PENDING:
        return []
    initial = {"sign_off": row.pk}
    panels = []
    if perm.manages_unit(user, row.unit) and perm.can_decide_sign_off(user, order):
        panels.append(
            Panel(
                "sign_off_decide",
                _("本单位负责人审批"),
                _prefixed(SignOffDecideForm, "sign_off_decide", order, initial=initial),
                reverse("hotline:sign_off_decide", args=(order.pk,)),
                [
                    Button(_("同意"), name="sign_off_decide-decision", value="approve"),
                    Button(
                        _("退回修改"),
                        "button--secondary",
                        name="sign_off_decide-decision",
                        value="send_back",
                    ),
                ],
                _("同意后即按申请内容办理；退回修改须写明意见。"),
                detail_template="hotline/order/_sign_off_detail.html",
            )
        )
    elif row.requested_by_id == getattr(user, "pk", None):
        panels.append(
            Panel(
                "sign_off_withdraw",
                _("撤回审批申请"),
                _prefixed(SignOffWithdrawForm, "sign_off_withdraw", order, initial=initial),
                reverse("hotline:sign_off_withdraw", args=(order.pk,)),
                [Button(_("撤回"), "button--secondary")],
                _("撤回后可修改再提交。"),
            )
        )
    return panels


def sign_off_lines(row: Any) -> list[tuple[Any, str]]:
    """The request's content as the page lists it (label, value)."""
    data = row.payload
    if row.act == SignOffAct.RETURN:
        unit = OrgUnit.objects.filter(pk=data.get("suggested_unit") or 0).first()
        reason = data.get("reason", "")
        return [
            (
                _("退单原因"),
                str(ReturnReason(reason).label) if reason in ReturnReason.values else reason,
            ),
            (_("法律依据"), data.get("legal_basis", "")),
            (_("说明"), data.get("explanation", "")),
            (_("建议承办单位"), unit.name if unit else "—"),
        ]
    if row.act == SignOffAct.EXTENSION:
        return [(_("延期时长"), data.get("amount", "")), (_("延期理由"), data.get("reason", ""))]
    return [(_("答复意见"), data.get("reply", ""))]


def attach_panel(user: Any, order: WorkOrder) -> Panel:
    """添加附件: files outside any act, marked as the reader may mark them."""
    form = AttachForm(prefix="attach")
    allowed = perm.attachment_visibilities(user, order)
    visibility = form.fields["visibility"]
    visibility.choices = [c for c in visibility.choices if c[0] in allowed]  # type: ignore[attr-defined]
    return Panel(
        "attach",
        _("添加附件"),
        form,
        reverse("hotline:attach", args=(order.pk,)),
        [Button(_("上传"), "button--secondary")],
        _("照片和材料随工单保存；照片中的拍摄位置等信息会被去除。"),
    )
