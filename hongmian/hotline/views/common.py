"""What every hotline screen shares: role guards, turning a service's error into a form
error, the sub-navigation, and fetching an order the way the access rule says.

The screens import from here; this module imports no screen (the order page's acts, which
render that page again on a refusal, live with it in order.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.hotline import selectors
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.permissions import CENTRE_ROLES, UNIT_HANDLER_ROLES
from hongmian.identity.states import Role

View = TypeVar("View", bound=Callable[..., HttpResponse])

# Roles that may open the order page: the centre and the handling units. (The public read
# their orders on the citizen pages, which show the public timeline only.)
STAFF_ORDER_ROLES = CENTRE_ROLES | UNIT_HANDLER_ROLES


def role_required(*roles: Role | str) -> Callable[[View], View]:
    """Logged in (else the login page) and of one of `roles` (else 403: the screen exists,
    it is just not this role's)."""
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in allowed:
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)  # type: ignore[return-value]

    return decorate


def actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def order_or_404(request: HttpRequest, pk: int) -> WorkOrder:
    """The order through its access function; missing and not-yours are the same 404."""
    try:
        return selectors.access_work_order(request.user, pk, actor=actor(request))
    except NotFound:
        raise Http404 from None


def put_error_on(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: on the fields it names, and its message on
    top, so nothing the service said is lost."""
    for name, texts in exc.fields.items():
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
    form.add_error(None, exc.message)


def call_service(form: forms.Form, service: Callable[..., Any], **kwargs: Any) -> tuple[bool, Any]:
    """Run `service(**kwargs)`: `(True, result)`, or on an ApplicationError `(False, None)`
    with the error put on `form`; the caller then shows the form again with the error's
    status (never a 500)."""
    try:
        return True, service(**kwargs)
    except ApplicationError as exc:
        put_error_on(form, exc)
        form.service_status = exc.status_code  # type: ignore[attr-defined]
        return False, None


def error_status(form: forms.Form) -> int:
    """The status of a page that shows a refused form: the service's, else 400."""
    return int(getattr(form, "service_status", 400))


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str | Promise
    url: str
    current: bool


_NAV: tuple[tuple[str, str | Promise, frozenset[str]], ...] = (
    ("hotline:console", _("坐席工作台"), frozenset(CENTRE_ROLES)),
    ("hotline:board", _("督办台"), frozenset({Role.HOTLINE_SUPERVISOR})),
    ("hotline:search", _("工单查询"), frozenset(STAFF_ORDER_ROLES)),
    ("hotline:inbox", _("待办工单"), frozenset(UNIT_HANDLER_ROLES)),
    ("hotline:approvals", _("待审批"), frozenset({Role.DEPT_MANAGER})),
)


def hotline_nav(request: HttpRequest, current: str) -> list[NavItem]:
    role = getattr(request.user, "role", None)
    return [
        NavItem(label, reverse(name), name == current)
        for name, label, roles in _NAV
        if role in roles
    ]


# What each timeline entry kind reads as. A kind missing here is shown as its code, so a
# new kind from the services still appears (and is noticed) rather than vanishing.
TIMELINE_LABELS: dict[str, str | Promise] = {
    "received": _("受理"),
    "imported": _("导入"),
    "direct_answer": _("直接答复"),
    "dispatched": _("派单"),
    "subdispatched": _("下派"),
    "acknowledged": _("签收"),
    "progress": _("办理进展"),
    "replied": _("答复"),
    "co_replied": _("协办意见"),
    "return_requested": _("申请退单"),
    "return_refused": _("不同意退单"),
    "joint_meeting_called": _("提请联席会商"),
    "extension_requested": _("申请延期"),
    "extension_approved": _("批准延期"),
    "extension_refused": _("不批准延期"),
    "urge": _("催办"),
    "supervise": _("督办"),
    "sla_urge": _("超时预警催办"),
    "sla_supervise": _("超时督办"),
    "callback": _("回访"),
    "callback_unreached": _("回访未联系上"),
    "caller_rating": _("市民评价"),
    "reopened": _("重办"),
    "review_closed": _("审核后办结"),
    "merged": _("并单"),
    "merged_in": _("合并重复工单"),
    "hotspot_alert": _("热点预警"),
    "closed_with_master": _("随主工单办结"),
    "archived": _("归档"),
    # Written by the telephony app through the hotline's services.
    "citizen_supplement": _("市民补充"),
    "call_linked": _("来电关联"),
    "missed_call_callback": _("未接来电回拨"),
    "sign_off_requested": _("提交本单位审批"),
    "sign_off_approved": _("本单位负责人同意"),
    "sign_off_sent_back": _("本单位负责人退回修改"),
    "sign_off_withdrawn": _("撤回审批申请"),
    "attachments": _("添加附件"),
    "media_link": _("媒体链接"),
    "handler_assigned": _("指定经办人"),
}


def timeline_label(kind: str) -> str | Promise:
    return TIMELINE_LABELS.get(kind, kind)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go after an act: `next` if it is on this site (the board's one-click acts
    come back to the board), else `fallback`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback
