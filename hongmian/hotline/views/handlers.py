"""经办人 — naming who inside a unit works an order (the unit's manager) or taking it
(领取, a handler), from the inbox or the order page. One thin view over
`services.assignment.assignment_assign_handler`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hongmian.core.errors import ApplicationError
from hongmian.core.validators import parse_id
from hongmian.hotline import selectors
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.permissions import UNIT_HANDLER_ROLES, can_assign_handler, is_unit_handler
from hongmian.hotline.services.assignment import assignment_assign_handler
from hongmian.hotline.views.common import actor, order_or_404, role_required, safe_next
from hongmian.identity.models import User


def unit_members(user: Any) -> list[User]:
    """Who a manager may name: the active handlers and managers of their own unit."""
    if getattr(user, "org_unit_id", None) is None:
        return []
    return list(
        User.objects.filter(
            org_unit_id=user.org_unit_id, is_active=True, role__in=sorted(UNIT_HANDLER_ROLES)
        ).order_by("display_name", "username")
    )


def handler_context(user: Any, order: WorkOrder) -> dict[str, Any]:
    """The order page's 经办人 form: for a member of the unit holding the order, whether they
    may take it or name someone, and whom."""
    held = selectors.assignment_held_by(user, order) if is_unit_handler(user) else None
    if held is None:
        return {"handler_assignment": None}
    may_assign = can_assign_handler(user, held, None)
    return {
        "handler_assignment": held,
        "handler_may_assign": may_assign,
        "handler_may_take": not may_assign and can_assign_handler(user, held, user),
        "handler_members": unit_members(user) if may_assign else [],
    }


@require_POST
@role_required(*UNIT_HANDLER_ROLES)
def assign_handler(request: HttpRequest, pk: int) -> HttpResponse:
    """`handler`: a user id, `me` (领取), or empty (clear)."""
    order = order_or_404(request, pk)
    back = safe_next(request, reverse("hotline:order", args=(order.pk,)))
    raw = request.POST.get("handler", "").strip()
    handler: User | None = None
    if raw == "me":
        handler = request.user  # type: ignore[assignment]
    elif raw:
        handler_id = parse_id(raw)
        handler = User.objects.filter(pk=handler_id).first() if handler_id else None
        if handler is None:
            messages.error(request, gettext("经办人须是本单位在职的承办人员"))
            return redirect(back)
    assignment = selectors.assignment_held_by(request.user, order)
    if assignment is None:
        messages.error(request, gettext("该工单已不在本单位办理中。"))
        return redirect(back)
    try:
        assignment_assign_handler(actor=actor(request), assignment=assignment, handler=handler)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if handler is None:
        text = gettext("已取消工单 %(number)s 的经办人。") % {"number": order.number}
    else:
        name = handler.display_name or handler.username
        text = gettext("工单 %(number)s 的经办人：%(name)s。") % {
            "number": order.number,
            "name": name,
        }
    messages.success(request, text)
    return redirect(back)
