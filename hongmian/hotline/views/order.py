"""The order page (工单详情) that the centre and the handling units share: the facts, the
clocks, the timeline the reader may see, and a small form for each act the reader may do
now. The acts themselves are posted to the views in inbox.py (the unit's) and board.py (the
centre's), which hand them to `perform` here; on a refusal it renders this page again with
the refused form. The panels — one form per act — are built in views/order_panels.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hongmian.core.errors import NotFound
from hongmian.geo.selectors import gazetteer
from hongmian.hotline import insights_hook, selectors, telephony_hook
from hongmian.hotline import permissions as perm
from hongmian.hotline.attachment_selectors import attach_to_entries, attachments_visible_to
from hongmian.hotline.models import ExtensionRequest, ReturnRequest, SlaClock, WorkOrder
from hongmian.hotline.services.lifecycle_dispatch import return_deadline
from hongmian.hotline.services.sla import sla_light
from hongmian.hotline.services.taxonomy import category_path_label
from hongmian.hotline.states import (
    AssignmentRole,
    ClockKind,
    ClockLight,
    ExtensionStatus,
    ReturnStatus,
    SignOffStatus,
)
from hongmian.hotline.views.common import (
    STAFF_ORDER_ROLES,
    actor,
    call_service,
    error_status,
    hotline_nav,
    order_or_404,
    role_required,
    safe_next,
    timeline_label,
)
from hongmian.hotline.views.handlers import handler_context
from hongmian.hotline.views.order_panels import (
    IN_HAND,
    MERGEABLE,
    UNIT_WORKING,
    attach_panel,
    centre_panels,
    sign_off_lines,
    unit_panels,
)
from hongmian.identity.states import CITY_WIDE_ROLES


@dataclass(frozen=True, slots=True)
class ClockRow:
    clock: SlaClock
    light: ClockLight


def clock_rows(order: WorkOrder, now: Any = None) -> list[ClockRow]:
    now = now or timezone.now()
    return [ClockRow(c, ClockLight(sla_light(c, now))) for c in current_clocks(order)]


# Worst first: the light a list shows for an order is the worst of its running clocks.
_LIGHT_RANK = {ClockLight.RED: 0, ClockLight.YELLOW: 1, ClockLight.GREEN: 2}


def order_light(rows: list[ClockRow]) -> ClockLight | None:
    """The worst light of the running clocks; once all have stopped, the resolution clock's
    (met or met late); None before dispatch."""
    running = [r.light for r in rows if r.clock.stopped_at is None]
    if running:
        return min(running, key=lambda light: _LIGHT_RANK.get(light, 3))
    resolution = next((r for r in rows if r.clock.kind == ClockKind.RESOLUTION), None)
    return resolution.light if resolution else None


def current_clocks(order: WorkOrder) -> list[SlaClock]:
    """The clocks of the current dispatch: the running ones and those stopped since. Reads
    `order.clocks.all()`, so a list that prefetched the clocks costs no query per order."""
    clocks = sorted(order.clocks.all(), key=lambda c: (c.started_at, c.pk))
    if not clocks:
        return []
    latest = max(c.started_at for c in clocks)
    return [c for c in clocks if c.started_at == latest]


def area_label(order: WorkOrder) -> str:
    """The district and street the address was read as (no door number: safe to show)."""
    names = []
    by_code = gazetteer().by_code
    for code in (order.district_code, order.street_code):
        entry = by_code.get(code) if code else None
        if entry is not None:
            names.append(entry.name)
    return " › ".join(names)


def _return_deadline(order: WorkOrder) -> Any:
    """The lead unit may return the order until this time, counted (as the service counts
    it) from when the order was given to that unit — after 下派, from the street's turn."""
    if order.status not in UNIT_WORKING:
        return None
    lead = (
        order.assignments.filter(role=AssignmentRole.LEAD, status__in=IN_HAND)
        .order_by("-created_at")
        .first()
    )
    return return_deadline(lead.created_at) if lead is not None else None


def order_context(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    """Everything the order page shows, for this reader."""
    user = request.user
    now = timezone.now()
    clocks = clock_rows(order, now)
    timeline = list(selectors.timeline_for(user, order))
    for entry in timeline:
        entry.label = timeline_label(entry.kind)  # type: ignore[attr-defined]
    attach_to_entries(timeline, attachments_visible_to(user, order))
    resolution = next((c.clock for c in clocks if c.clock.kind == "resolution"), None)
    ctx: dict[str, Any] = {
        "order": order,
        "caller": selectors.work_order_caller_view(user, order),
        "category_label": category_path_label(order.category) if order.category else "",
        "area_label": area_label(order),
        "clocks": clocks,
        "order_light": order_light(clocks),
        "assignments": list(
            order.assignments.select_related("unit", "handler").order_by("created_at")
        ),
        **handler_context(user, order),
        "timeline": timeline,
        "pending_return": ReturnRequest.objects.filter(order=order, status=ReturnStatus.PENDING)
        .select_related("unit", "suggested_unit")
        .first(),
        "pending_extension": ExtensionRequest.objects.filter(
            order=order, status=ExtensionStatus.PENDING
        )
        .select_related("unit")
        .first(),
        "clock_unit_label": resolution.get_unit_display() if resolution else "",
        "return_deadline": _return_deadline(order),
        "hotline_nav": hotline_nav(request, ""),
        "telephony_url": telephony_hook.order_panel_url(order),
        "reader_is_centre": perm.is_centre_staff(user),
    }
    sign_off = selectors.sign_off_current(order)
    ctx["sign_off"] = sign_off
    ctx["sign_off_waiting"] = sign_off is not None and sign_off.status == SignOffStatus.PENDING
    ctx["sign_off_lines"] = sign_off_lines(sign_off) if sign_off is not None else []
    if perm.is_centre_staff(user):
        ctx["panels"] = centre_panels(request, order, ctx)
        if order.status in MERGEABLE:
            ctx["duplicates_url"] = insights_hook.order_duplicates_url(order)
    else:
        ctx["panels"] = unit_panels(request, order, ctx)
    if perm.can_attach(user, order):
        ctx["panels"].append(attach_panel(user, order))
    return ctx


def render_order(
    request: HttpRequest,
    order: WorkOrder,
    *,
    refused: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The order page; `refused` (a bound form with its errors) replaces the panel of the
    same prefix, so the reader sees the message where they acted."""
    ctx = order_context(request, order)
    if refused is not None:
        panel = next((p for p in ctx["panels"] if p.key == refused.prefix), None)
        if panel is not None:
            panel.form = refused
        else:
            # The act is no longer offered (the order moved on meanwhile): say why on top.
            for error in refused.non_field_errors() or [_("该操作当前不可用，请刷新后重试。")]:
                messages.error(request, str(error))
    return render(request, "hotline/order.html", ctx, status=status)


# City-wide readers (leaders, the chief data officer) follow the dashboard's figures to
# here through the order list: the page read-only, callers masked (work_order_caller_view).
@role_required(*STAFF_ORDER_ROLES, *CITY_WIDE_ROLES)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_order(request, order_or_404(request, pk))


# --- the acts posted from the page -----------------------------------------------------------


def perform(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    service: Callable[..., Any],
    arguments: Callable[[dict[str, Any], WorkOrder], dict[str, Any]],
    done: str | Promise | Callable[[Any], str | Promise],
    form_kwargs: Callable[[WorkOrder], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One act on one order from the order page: the form (prefixed with the panel's key),
    then the service with the actor and the version the reader saw. Success: a message and
    back to the order (or `next`); refusal: the order page again with the form's errors.

    The service is called as the API calls it, so the same act leaves the same audit entries
    through either door (decision 0025): the order is found here without the audited read
    of `access_work_order` (it only names the order for the form and the service; no caller
    field of it is shown), and the act is audited by the service. Showing the page again
    after a refusal is a read, audited as every showing of the page is."""
    try:
        order = selectors.work_order_get(request.user, pk)
    except NotFound:
        raise Http404 from None
    prefix = _prefix_of(request, form_class)
    form = form_class(
        request.POST, request.FILES, prefix=prefix, **(form_kwargs(order) if form_kwargs else {})
    )
    if not form.is_valid():
        return render_order(request, order_or_404(request, pk), refused=form, status=400)
    data = form.cleaned_data
    kwargs = arguments(data, order)
    if "version" in data:
        kwargs.setdefault("expected_version", data["version"])
    ok, _result = call_service(form, service, actor=actor(request), **kwargs)
    if not ok:
        shown = order_or_404(request, pk)
        return render_order(request, shown, refused=form, status=error_status(form))
    # `done` may depend on what happened (a handler's act done, or waiting for sign-off).
    text = done(_result) if callable(done) else done
    messages.success(request, text % {"number": order.number})
    return redirect(safe_next(request, reverse("hotline:order", args=(order.pk,))))


def _prefix_of(request: HttpRequest, form_class: type[forms.Form]) -> str:
    # The panel's key is the URL name's last part (hotline:reply → "reply").
    match = request.resolver_match
    return match.url_name if match and match.url_name else form_class.__name__.lower()
