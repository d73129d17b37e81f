"""市民 — the public's pages: submit a request online (a logged-in citizen or enterprise
account: decision 0014), track it by number and phone, rate the reply, and a logged-in
citizen's own list. They show the public timeline only, never a member of staff's name,
and never another caller's data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hongmian.core.errors import NotFound
from hongmian.hotline import permissions, selectors, tracking
from hongmian.hotline.attachment_selectors import (
    attach_to_entries,
    public_attachments,
    remember_tracked,
)
from hongmian.hotline.forms.attachments import CallerAttachForm
from hongmian.hotline.forms.citizen import CitizenSubmitForm, RateForm, TrackForm
from hongmian.hotline.forms.common import new_idempotency_key
from hongmian.hotline.limits import intake_guard
from hongmian.hotline.models import SlaClock, TimelineEntry, WorkOrder
from hongmian.hotline.services import lifecycle_closing
from hongmian.hotline.services.attachments import (
    attachments_add,
    work_order_intake_with_attachments,
)
from hongmian.hotline.states import Channel, ClockKind, RequestType, Status, Visibility
from hongmian.hotline.views import lists
from hongmian.hotline.views.common import (
    actor,
    call_service,
    error_status,
    order_or_404,
    role_required,
)
from hongmian.hotline.views.common import timeline_label as label_of
from hongmian.identity.states import PUBLIC_ROLES

# The orders this browser session submitted (idempotency key → number), so that a reload
# of the POST shows the same order instead of filing it twice; and the last number, which
# only the session that filed it is shown.
SUBMITTED_SESSION_KEY = "hotline_submitted"
LAST_NUMBER_SESSION_KEY = "hotline_last_number"


def _submit_page(
    request: HttpRequest, form: CitizenSubmitForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        # Online intake needs a real-name account (decision 0014); a visitor is offered the
        # login instead of a form the service would refuse.
        "login_needed": not request.user.is_authenticated,
        "may_submit": permissions.can_intake(request.user, Channel.WEB),
    }
    return render(request, "hotline/citizen/submit.html", context, status=status)


def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"idempotency_key": new_idempotency_key()}
        # "Ask 12345" on a service item's page (catalog.views) names the item as the title.
        if topic := request.GET.get("title", "").strip()[:200]:
            initial |= {"title": topic, "request_type": RequestType.INQUIRY}
        form = CitizenSubmitForm(initial=initial)
        return _submit_page(request, form)
    form = CitizenSubmitForm(request.POST, request.FILES)
    if not form.is_valid():
        return _submit_page(request, form, status=400)
    data = form.cleaned_data
    key = data["idempotency_key"] or None
    submitted: dict[str, str] = request.session.get(SUBMITTED_SESSION_KEY, {})
    if key and key in submitted:
        request.session[LAST_NUMBER_SESSION_KEY] = submitted[key]
        return redirect("hotline:submitted")
    # A citizen's filings an hour are limited (hotline.limits; 429 on the form when spent).
    who = actor(request)
    ok, _counted = call_service(form, intake_guard, actor=who, channel=Channel.WEB)
    if not ok:
        return _submit_page(request, form, status=error_status(form))
    # The service decides: a visitor without an account is refused (decision 0014).
    ok, result = call_service(
        form,
        work_order_intake_with_attachments,
        actor=who,
        request=form.to_intake(),
        uploads=data["attachments"],
        idempotency_key=key,
    )
    if not ok:
        return _submit_page(request, form, status=error_status(form))
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


def public_timeline(order: WorkOrder) -> list[TimelineEntry]:
    entries = list(
        TimelineEntry.objects.filter(order=order, visibility=Visibility.PUBLIC)
        .select_related("unit")
        .order_by("created_at", "id")
    )
    for entry in entries:
        entry.label = label_of(entry.kind)  # type: ignore[attr-defined]
    attach_to_entries(entries, public_attachments(order))
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
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if rate_form is None and awaiting_rating(order):
        rate_form = RateForm(initial={"number": order.number, "phone": phone})
    context = _public_context(order, rate_form=rate_form if awaiting_rating(order) else None)
    # Number and phone were proved: this browser may open the order's public files.
    remember_tracked(request.session, order)
    return render(request, "hotline/citizen/track.html", context, status=status)


def track(request: HttpRequest) -> HttpResponse:
    """Number + phone → the order's public page. POST, so the phone stays out of URLs and
    server logs; a GET may carry the number to prefill."""
    if request.method != "POST":
        form = TrackForm(initial={"number": request.GET.get("number", "")[:32]})
        return render(request, "hotline/citizen/track.html", {"form": form})
    form = TrackForm(request.POST)
    if tracking.lookup_locked(request):
        form.is_valid()
        form.add_error(None, str(tracking.LOCKED_MESSAGE))
        return render(request, "hotline/citizen/track.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "hotline/citizen/track.html", {"form": form}, status=400)
    try:
        order = selectors.work_order_track(form.cleaned_data["number"], form.cleaned_data["phone"])
    except NotFound:
        tracking.lookup_missed(request)
        form.add_error(None, gettext("没有找到该工单。请核对工单号和手机号码。"))
        return render(request, "hotline/citizen/track.html", {"form": form}, status=404)
    return _track_page(request, order, form.cleaned_data["phone"])


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """The caller's own 回访, proved by the same number and phone as tracking
    (`lifecycle_closing.work_order_caller_rate`)."""
    form = RateForm(request.POST)
    if tracking.lookup_locked(request):
        messages.error(request, str(tracking.LOCKED_MESSAGE))
        return redirect("hotline:track")
    number, phone = request.POST.get("number", ""), request.POST.get("phone", "")
    try:
        order = selectors.work_order_track(number.strip().upper(), phone)
    except NotFound:
        tracking.lookup_missed(request)
        messages.error(request, gettext("没有找到该工单。请核对工单号和手机号码。"))
        return redirect("hotline:track")
    if not form.is_valid():
        return _track_page(request, order, phone, rate_form=form, status=400)
    data = form.cleaned_data
    ok, rated = call_service(
        form,
        lifecycle_closing.work_order_caller_rate,
        actor=actor(request),
        order=order,
        phone=data["phone"],
        satisfaction=data["satisfaction"],
        resolved=data["resolved"],
        comment=data["comment"],
    )
    if not ok:
        order.refresh_from_db()
        if awaiting_rating(order):
            return _track_page(request, order, phone, rate_form=form, status=error_status(form))
        # Rated already, or the centre's callback came first (409): the page shows where the
        # order stands now, with the reason on top.
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return _track_page(request, order, phone, status=error_status(form))
    messages.success(request, gettext("感谢您的评价。"))
    return _track_page(request, rated, phone)


# --- a logged-in citizen's own orders ------------------------------------------------------

public_required = role_required(*PUBLIC_ROLES)


# A citizen's list sorts by date only: the deadlines are the units' business.
MINE_SORTS = ("-received", "received")


@public_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: every order the citizen filed or is named on, newest first, paged, with
    status and date filters (the queue contract's citizen part)."""
    found = lists.listing(
        request,
        selectors.work_order_list(request.user),
        now=timezone.now(),
        default_sort="-received",
        sorts=MINE_SORTS,
    )
    context = {
        "listing": found,
        "page": found.page,
        "choices": lists.filter_choices(found, fields=lists.CITIZEN_FIELDS, sorts=MINE_SORTS),
        "action": reverse("hotline:mine"),
        "base": reverse("hotline:mine"),
    }
    return render(request, "hotline/citizen/mine.html", context, status=found.status)


def _mine_order_page(
    request: HttpRequest,
    order: WorkOrder,
    form: CallerAttachForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    may_attach = permissions.can_attach(request.user, order)
    if may_attach and form is None:
        form = CallerAttachForm()
    context = _public_context(order, attach_form=form if may_attach else None)
    return render(request, "hotline/citizen/mine_order.html", context, status=status)


@public_required
def mine_order(request: HttpRequest, pk: int) -> HttpResponse:
    return _mine_order_page(request, order_or_404(request, pk))


@require_POST
@public_required
def mine_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """补充照片: the caller's files on their own open order, public like their request."""
    form = CallerAttachForm(request.POST, request.FILES)
    form.is_valid()
    ok, _rows = call_service(
        form,
        attachments_add,
        actor=actor(request),
        order=pk,
        uploads=form.cleaned_data.get("attachments", []),
        visibility=Visibility.PUBLIC,
    )
    if not ok:
        if error_status(form) == 404:
            raise Http404
        return _mine_order_page(request, order_or_404(request, pk), form, status=error_status(form))
    messages.success(request, gettext("照片已补充到您的诉求。"))
    return redirect("hotline:mine_order", pk=pk)
