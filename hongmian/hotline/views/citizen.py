"""市民 — the public's pages: submit a request online (no login needed), track it by number
and phone, rate the reply, and a logged-in citizen's own list. They show the public
timeline only, never a member of staff's name, and never another caller's data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hongmian.core.actors import client_address
from hongmian.core.errors import ValidationFailed
from hongmian.hotline import forms as hf
from hongmian.hotline import selectors
from hongmian.hotline.models import SlaClock, TimelineEntry, WorkOrder
from hongmian.hotline.services import lifecycle
from hongmian.hotline.services.intake import validate_caller_phone, work_order_intake
from hongmian.hotline.states import Channel, ClockKind, Status, Visibility
from hongmian.hotline.views.common import (
    actor,
    call_service,
    error_status,
    order_or_404,
    role_required,
)
from hongmian.hotline.views.common import timeline_label as label_of
from hongmian.identity.states import PUBLIC_ROLES

# The orders this browser session submitted (idempotency key → number), so that a double
# click or a reload of the POST shows the same order instead of filing it twice; and the
# last number, which only the session that filed it is shown.
SUBMITTED_SESSION_KEY = "hotline_submitted"
LAST_NUMBER_SESSION_KEY = "hotline_last_number"
# Tracking needs a number and its phone; more than this many misses from one address in
# the window looks like guessing, and is refused for the rest of the window.
TRACK_MISSES_ALLOWED = 10
TRACK_WINDOW_SECONDS = 15 * 60
# Statuses of a service that refuses the visitor as such (not their input).
REFUSED = frozenset({401, 403, 404})


def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = hf.CitizenSubmitForm(initial={"idempotency_key": hf.new_idempotency_key()})
        return render(request, "hotline/citizen/submit.html", {"form": form})
    form = hf.CitizenSubmitForm(request.POST)
    if not form.is_valid():
        return render(request, "hotline/citizen/submit.html", {"form": form}, status=400)
    data = form.cleaned_data
    key = data["idempotency_key"] or None
    submitted: dict[str, str] = request.session.get(SUBMITTED_SESSION_KEY, {})
    if key and key in submitted:
        request.session[LAST_NUMBER_SESSION_KEY] = submitted[key]
        return redirect("hotline:submitted")
    ok, result = call_service(
        form,
        work_order_intake,
        actor=actor(request),
        channel=Channel.WEB,
        request_type=data["request_type"],
        title=data["title"],
        content=data["content"],
        caller_name=data["caller_name"],
        caller_phone=data["caller_phone"],
        confidential=data["confidential"],
        address=data["address"],
        # The service scopes keys to an account; a visitor's retries are caught by the
        # session above instead.
        idempotency_key=key if request.user.is_authenticated else None,
    )
    if not ok:
        status = error_status(form)
        context = {
            "form": form,
            "login_needed": status in REFUSED and not request.user.is_authenticated,
        }
        return render(request, "hotline/citizen/submit.html", context, status=status)
    order: WorkOrder = result[0]
    if key:
        submitted[key] = order.number
        request.session[SUBMITTED_SESSION_KEY] = submitted
    request.session[LAST_NUMBER_SESSION_KEY] = order.number
    return redirect("hotline:submitted")


def submitted(request: HttpRequest) -> HttpResponse:
    number = request.session.get(LAST_NUMBER_SESSION_KEY)
    if not number:
        return redirect("hotline:submit")
    return render(request, "hotline/citizen/submitted.html", {"number": number})


# --- tracking ------------------------------------------------------------------------------


def _misses_key(request: HttpRequest) -> str:
    return f"hotline:track-misses:{client_address(request) or 'unknown'}"


def _too_many_misses(request: HttpRequest) -> bool:
    return int(cache.get(_misses_key(request), 0)) >= TRACK_MISSES_ALLOWED


def _count_miss(request: HttpRequest) -> None:
    key = _misses_key(request)
    if not cache.add(key, 1, TRACK_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, TRACK_WINDOW_SECONDS)


def tracked_order(number: str, phone: str) -> WorkOrder | None:
    """The order with this number whose caller left this phone. The pair is the proof a
    visitor without an account gives; a wrong pair finds nothing, whichever half is wrong.
    The page built on it shows no personal data beyond what the visitor typed."""
    try:
        phone = validate_caller_phone(phone)
    except ValidationFailed:
        return None
    if not phone:
        return None
    return (
        WorkOrder.objects.filter(number=number, caller_phone=phone).select_related("master").first()
    )


def public_timeline(order: WorkOrder) -> list[TimelineEntry]:
    entries = list(
        TimelineEntry.objects.filter(order=order, visibility=Visibility.PUBLIC)
        .select_related("unit")
        .order_by("created_at", "id")
    )
    for entry in entries:
        entry.label = label_of(entry.kind)  # type: ignore[attr-defined]
    return entries


def awaiting_rating(order: WorkOrder) -> bool:
    """The caller may rate the reply while the centre's callback is still to be made."""
    return order.status == Status.REPLIED


def _public_context(order: WorkOrder, **extra: Any) -> dict[str, Any]:
    clock = (
        SlaClock.objects.filter(order=order, kind=ClockKind.RESOLUTION, stopped_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    return {
        "order": order,
        "timeline": public_timeline(order),
        "resolution_due": clock.due_at if clock else None,
        **extra,
    }


def _track_page(
    request: HttpRequest,
    order: WorkOrder,
    phone: str,
    *,
    rate_form: hf.RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if rate_form is None and awaiting_rating(order):
        rate_form = hf.RateForm(initial={"number": order.number, "phone": phone})
    context = _public_context(order, rate_form=rate_form if awaiting_rating(order) else None)
    return render(request, "hotline/citizen/track.html", context, status=status)


def track(request: HttpRequest) -> HttpResponse:
    """Number + phone → the order's public page. POST, so the phone stays out of URLs and
    server logs; a GET may carry the number to prefill."""
    if request.method != "POST":
        form = hf.TrackForm(initial={"number": request.GET.get("number", "")[:32]})
        return render(request, "hotline/citizen/track.html", {"form": form})
    form = hf.TrackForm(request.POST)
    if _too_many_misses(request):
        form.is_valid()
        form.add_error(None, gettext("查询次数过多，请 15 分钟后再试，或致电 12345。"))
        return render(request, "hotline/citizen/track.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "hotline/citizen/track.html", {"form": form}, status=400)
    order = tracked_order(form.cleaned_data["number"], form.cleaned_data["phone"])
    if order is None:
        _count_miss(request)
        form.add_error(None, gettext("没有找到该工单。请核对工单号和手机号码。"))
        return render(request, "hotline/citizen/track.html", {"form": form}, status=404)
    return _track_page(request, order, form.cleaned_data["phone"])


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """The caller's own 回访, proved by the same number and phone as tracking."""
    form = hf.RateForm(request.POST)
    if _too_many_misses(request):
        return redirect("hotline:track")
    number, phone = request.POST.get("number", ""), request.POST.get("phone", "")
    order = tracked_order(number.strip().upper(), phone)
    if order is None:
        _count_miss(request)
        messages.error(request, gettext("没有找到该工单。请核对工单号和手机号码。"))
        return redirect("hotline:track")
    if not form.is_valid():
        return _track_page(request, order, phone, rate_form=form, status=400)
    data = form.cleaned_data
    ok, _result = call_service(
        form,
        lifecycle.work_order_callback,
        actor=actor(request),
        order=order,
        reached=True,
        satisfaction=data["satisfaction"],
        resolved=data["resolved"],
        comment=data["comment"],
    )
    if not ok:
        status = error_status(form)
        if status in REFUSED:
            # Online rating is not open to this caller: the centre's own callback (回访)
            # still comes, so say that rather than a bare refusal.
            form.errors.clear()
            form.add_error(None, gettext("暂时无法在线评价，热线中心将致电回访您。"))
        return _track_page(request, order, phone, rate_form=form, status=status)
    order.refresh_from_db()
    messages.success(request, gettext("感谢您的评价。"))
    return _track_page(request, order, phone)


# --- a logged-in citizen's own orders ------------------------------------------------------

public_required = role_required(*PUBLIC_ROLES)


@public_required
def mine(request: HttpRequest) -> HttpResponse:
    orders = selectors.work_order_list(request.user)[:100]
    return render(request, "hotline/citizen/mine.html", {"orders": orders})


@public_required
def mine_order(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_or_404(request, pk)
    return render(request, "hotline/citizen/mine_order.html", _public_context(order))
