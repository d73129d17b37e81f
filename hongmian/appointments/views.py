"""The booking screens: the booking page (choose a hall by district and level, a day, a
slot with its true free seats), a booking's page (confirm within the hold, cancel,
reschedule), 我的预约, and the hall manager's day. Views parse input and call the same
selectors and services as the API (services/requests.py for the hold)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongmian.appointments import selectors
from hongmian.appointments.forms import DayForm, FinderForm, HoldForm
from hongmian.appointments.models import Booking
from hongmian.appointments.permissions import (
    HALL_VIEW_ROLES,
    can_act_on_booking,
    can_book_for_caller,
    can_book_for_self,
    can_view_hall_day,
)
from hongmian.appointments.policy import appointment_policy
from hongmian.appointments.ratelimit import booking_rate_check
from hongmian.appointments.services.booking import (
    booking_cancel,
    booking_confirm,
    booking_reschedule,
)
from hongmian.appointments.services.requests import booking_item, booking_request
from hongmian.appointments.states import ACTIVE_STATUSES, BookingStatus
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.selectors import items_visible_to
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.masking import mask_mobile, mask_name
from hongmian.geo.selectors import district_list
from hongmian.identity.permissions import PERSON_FULL_FIELDS_BY_ROLE
from hongmian.identity.states import Role

BOOKINGS_PER_PAGE = 20
DAY_BOOKINGS_PER_PAGE = 50


def _booker(request: HttpRequest) -> None:
    if not (can_book_for_self(request.user) or can_book_for_caller(request.user)):
        raise DjangoPermissionDenied


def _booking_or_404(request: HttpRequest, booking_id: int) -> Booking:
    try:
        return selectors.access_booking(request.user, booking_id)
    except NotFound:
        raise Http404 from None


def _days(hall: Any, first: dt.date, count: int) -> list[tuple[dt.date, selectors.Opening]]:
    return [
        (day, selectors.hall_opening(hall, day))
        for day in (first + dt.timedelta(days=n) for n in range(count))
    ]


@login_required
def book(request: HttpRequest, *, hold_form: HoldForm | None = None) -> HttpResponse:
    """预约办事: the finder (GET) and its slots; the hold is posted to `hold`."""
    _booker(request)
    districts = [(d.code, d.name) for d in district_list()]
    finder = FinderForm(request.GET or None, districts=districts)
    data = finder.cleaned_data if finder.is_valid() else {}
    actor = Actor.from_request(request)
    context: dict[str, Any] = {
        "finder": finder,
        "for_caller": can_book_for_caller(request.user),
        "hold_form": hold_form or HoldForm(),
        "hold_minutes": appointment_policy().hold_minutes,
    }
    rescheduling = None
    if data.get("reschedule"):
        rescheduling = _booking_or_404(request, data["reschedule"])
        context["rescheduling"] = rescheduling
    item: ServiceItem | None = rescheduling.item if rescheduling else None
    if item is None and data.get("item"):
        try:
            item = booking_item(actor, data["item"])
        except ApplicationError as exc:
            context["item_error"] = exc.message
    context["item"] = item
    context["items"] = list(
        items_visible_to(request.user).filter(appointment_required=True).order_by("code")
    )
    halls = selectors.hall_list(
        district=data.get("district") or None,
        level=data.get("level") or None,
        item_id=item.pk if item else None,
    )
    context["halls"] = list(halls)
    hall = next((h for h in context["halls"] if h.pk == data.get("hall")), None)
    context["hall"] = hall
    if hall is not None and item is not None:
        first = timezone.localdate() + dt.timedelta(days=1)
        context["days"] = _days(hall, first, appointment_policy().days_ahead)
        day = data.get("day")
        if day is not None:
            opening = selectors.hall_opening(hall, day)
            context["day"] = day
            context["opening"] = opening
            context["slots"] = selectors.slot_list(hall=hall, day=day, item_id=item.pk)
    status = 422 if hold_form is not None and hold_form.errors else 200
    return render(request, "appointments/book.html", context, status=status)


@require_POST
@login_required
def hold(request: HttpRequest) -> HttpResponse:
    """Hold the chosen seat (or, with `reschedule`, a seat for the booking to move to)."""
    _booker(request)
    form = HoldForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actor = Actor.from_request(request)
        try:
            booking_rate_check(actor)
            if data.get("reschedule"):
                _booking_or_404(request, data["reschedule"])
                booking = booking_reschedule(
                    actor=actor, booking_id=data["reschedule"], slot_id=data["slot"]
                )
            else:
                booking = booking_request(
                    actor=actor,
                    slot_id=data["slot"],
                    item_code=data["item"],
                    caller_mobile=data["caller_mobile"],
                    caller_resident_id=data["caller_resident_id"],
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return HttpResponseRedirect(reverse("appointments:booking", args=[booking.pk]))
    request.GET = request.POST.copy()  # type: ignore[assignment]
    return book(request, hold_form=form)


def _person_label(user: Any, booking: Booking) -> tuple[str, str]:
    """The booking person's name and mobile as this user may read them."""
    full = PERSON_FULL_FIELDS_BY_ROLE.get(getattr(user, "role", ""), frozenset())
    own = booking.person.user_id == user.pk
    name = booking.person.name if own or "name" in full else mask_name(booking.person.name)
    mobile = booking.person.mobile
    return name, mobile if own or "mobile" in full else mask_mobile(mobile)


@login_required
def booking_detail(request: HttpRequest, id: int) -> HttpResponse:
    booking = _booking_or_404(request, id)
    name, mobile = _person_label(request.user, booking)
    may_act = can_act_on_booking(request.user, booking)
    context = {
        "booking": booking,
        "person_name": name,
        "person_mobile": mobile,
        "may_confirm": may_act and booking.status == BookingStatus.HELD,
        "may_cancel": may_act and booking.status in ACTIVE_STATUSES,
        "may_reschedule": may_act and booking.status == BookingStatus.BOOKED,
        "reschedule_url": reverse("appointments:book")
        + "?"
        + urlencode(
            {
                "reschedule": booking.pk,
                "hall": booking.slot.hall_id,
                "item": booking.item.code,
            }
        ),
    }
    return render(request, "appointments/booking.html", context)


def _act(request: HttpRequest, id: int, act: Any, done: str) -> HttpResponse:
    _booking_or_404(request, id)
    actor = Actor.from_request(request)
    try:
        booking_rate_check(actor)
        act(actor=actor, booking_id=id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("appointments:booking", args=[id]))


@require_POST
@login_required
def confirm(request: HttpRequest, id: int) -> HttpResponse:
    return _act(request, id, booking_confirm, _("预约成功，短信通知已发送。"))


@require_POST
@login_required
def cancel(request: HttpRequest, id: int) -> HttpResponse:
    return _act(request, id, booking_cancel, _("预约已取消，名额已释放。"))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的预约: every booking of the person, newest slot first, paged, with its true count."""
    page = Paginator(selectors.my_booking_list(request.user), BOOKINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "appointments/mine.html", {"page": page})


HALLS_PER_PAGE = 50


@login_required
def halls(request: HttpRequest) -> HttpResponse:
    """The halls whose day this user may open: a hall's staff their unit's (and the units'
    below), the city's readers every hall, by district; true count, paged."""
    if getattr(request.user, "role", "") not in HALL_VIEW_ROLES:
        raise DjangoPermissionDenied
    chosen = selectors.halls_viewable_by(request.user, district=request.GET.get("district", ""))
    page = Paginator(chosen, HALLS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "districts": [(d.code, d.name) for d in district_list()],
        "district": request.GET.get("district", ""),
        # The hall's own staff also check in and call (the halls listed are their unit's).
        "works_queue": getattr(request.user, "role", "") == Role.HALL_STAFF,
        "query": urlencode({"district": request.GET["district"]})
        if request.GET.get("district")
        else "",
    }
    return render(request, "appointments/halls.html", context)


@login_required
def hall_day(request: HttpRequest, id: int) -> HttpResponse:
    """The hall manager's day: each slot's seats, and the day's bookings, paged."""
    if getattr(request.user, "role", "") not in HALL_VIEW_ROLES:
        raise DjangoPermissionDenied
    try:
        hall = selectors.hall_get(id)
    except NotFound:
        raise Http404 from None
    if not can_view_hall_day(request.user, hall):
        raise Http404
    form = DayForm(request.GET or None)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or timezone.localdate()
    bookings = Paginator(
        selectors.hall_day_bookings(request.user, hall, day), DAY_BOOKINGS_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "hall": hall,
        "day": day,
        "query": urlencode({"day": day.isoformat()}),
        "form": form,
        "opening": selectors.hall_opening(hall, day),
        "slots": list(selectors.hall_day_slots(hall, day)),
        "bookings": bookings,
        "rows": [(b, *_person_label(request.user, b)) for b in bookings],
    }
    return render(request, "appointments/hall_day.html", context)
