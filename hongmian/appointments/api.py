"""/api/appointments/: halls and their free seats for everyone; bookings for the person
(and for a hotline agent booking for a caller). Operations parse input and call the same
selectors and services as the portal; the booking doors are rate-limited (ratelimit.py)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from hongmian.appointments import selectors
from hongmian.appointments.models import Booking, Hall
from hongmian.appointments.ratelimit import booking_rate_check
from hongmian.appointments.schemas import (
    BookingCreateIn,
    BookingOut,
    BookingPageOut,
    BookingRescheduleIn,
    DayOut,
    HallFilterIn,
    HallPageOut,
    PageIn,
    SlotFilterIn,
)
from hongmian.appointments.services.booking import (
    booking_cancel,
    booking_confirm,
    booking_reschedule,
)
from hongmian.appointments.services.requests import booking_item, booking_request
from hongmian.appointments.states import HallLevel
from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import ValidationFailed
from hongmian.core.masking import mask_name
from hongmian.core.schemas import DbId
from hongmian.identity.auth import ANONYMOUS_ALLOWED, api_key_session_or_anonymous

router = Router(tags=["appointments"])


def hall_out(hall: Hall) -> dict[str, Any]:
    return {
        "id": hall.pk,
        "code": hall.code,
        "name": hall.name,
        "level": hall.level,
        "district": hall.division.name,
        "address": hall.address,
        "phone": hall.phone,
    }


def booking_out(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "number": booking.number,
        "status": booking.status,
        "hall": booking.slot.hall.name,
        "item_code": booking.item.code,
        "item": booking.item.name,
        "starts_at": booking.slot.starts_at,
        "ends_at": booking.slot.ends_at,
        "held_until": booking.held_until,
        "person": mask_name(booking.person.name),
        "cancel_reason": booking.cancel_reason,
    }


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/halls",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response={200: HallPageOut, **errors(422)},
    summary="政务服务大厅",
)
def hall_list(request: HttpRequest, filters: Query[HallFilterIn]) -> dict[str, Any]:
    """Active halls by district (its 9-digit code), level and the item they book."""
    if filters.level is not None and filters.level not in HallLevel.values:
        raise ValidationFailed(
            _("层级不存在"), code="appointment.level_unknown", fields={"level": [_("层级不存在")]}
        )
    item_id = None
    if filters.item:
        item_id = booking_item(_actor(request), filters.item).pk
    halls = selectors.hall_list(district=filters.district, level=filters.level, item_id=item_id)
    page = Paginator(halls, filters.per_page).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "per_page": filters.per_page,
        "items": [hall_out(h) for h in page],
    }


@router.get(
    "/halls/{id}/slots",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response={200: DayOut, **errors(404, 422)},
    summary="大厅某日的预约时段与余量",
)
def hall_slots(request: HttpRequest, id: DbId, filters: Query[SlotFilterIn]) -> dict[str, Any]:
    hall = selectors.hall_get(id)
    item_id = None
    if filters.item:
        item_id = booking_item(_actor(request), filters.item).pk
    opening = selectors.hall_opening(hall, filters.day)
    slots = selectors.slot_list(hall=hall, day=filters.day, item_id=item_id)
    return {
        "day": filters.day,
        "open": opening.is_open,
        "reason": opening.reason,
        "slots": [
            {
                "id": s.pk,
                "group": s.group.name,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "capacity": s.capacity,
                "free": s.free,
            }
            for s in slots
        ],
    }


@router.get("/bookings", response={200: BookingPageOut, **errors(422)}, summary="我的预约")
def my_bookings(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    page = Paginator(selectors.my_booking_list(_user(request)), paging.per_page).get_page(
        paging.page
    )
    return {
        "count": page.paginator.count,
        "page": page.number,
        "per_page": paging.per_page,
        "items": [booking_out(b) for b in page],
    }


@router.post(
    "/bookings",
    response={201: BookingOut, **errors(403, 404, 409, 422, 429)},
    summary="预约（先保留名额，确认后生效）",
)
def booking_create(request: HttpRequest, payload: BookingCreateIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    booking_rate_check(actor)
    booking = booking_request(
        actor=actor,
        slot_id=payload.slot_id,
        item_code=payload.item,
        caller_mobile=payload.caller_mobile,
        caller_resident_id=payload.caller_resident_id,
    )
    return Status(201, booking_out(booking))


@router.get("/bookings/{id}", response={200: BookingOut, **errors(404)}, summary="预约详情")
def booking_detail(request: HttpRequest, id: DbId) -> dict[str, Any]:
    return booking_out(selectors.access_booking(_user(request), id))


def _act(request: HttpRequest, id: int) -> Actor:
    actor = _actor(request)
    selectors.access_booking(_user(request), id)  # someone else's: 404, as a missing one
    booking_rate_check(actor)
    return actor


@router.post(
    "/bookings/{id}/confirm",
    response={200: BookingOut, **errors(403, 404, 409, 429)},
    summary="确认预约",
)
def booking_confirm_op(request: HttpRequest, id: DbId) -> dict[str, Any]:
    return booking_out(booking_confirm(actor=_act(request, id), booking_id=id))


@router.post(
    "/bookings/{id}/cancel",
    response={200: BookingOut, **errors(403, 404, 409, 429)},
    summary="取消预约",
)
def booking_cancel_op(request: HttpRequest, id: DbId) -> dict[str, Any]:
    return booking_out(booking_cancel(actor=_act(request, id), booking_id=id))


@router.post(
    "/bookings/{id}/reschedule",
    response={201: BookingOut, **errors(403, 404, 409, 422, 429)},
    summary="改约（保留新时段，确认后原预约自动取消）",
)
def booking_reschedule_op(
    request: HttpRequest, id: DbId, payload: BookingRescheduleIn
) -> Status[dict[str, Any]]:
    booking = booking_reschedule(actor=_act(request, id), booking_id=id, slot_id=payload.slot_id)
    return Status(201, booking_out(booking))
