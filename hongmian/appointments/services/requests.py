"""A booking request as each door (the portal, the API, the hotline console) makes it: who
books for whom, for which item; then the hold. One function, so the doors cannot differ."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from hongmian.appointments import selectors
from hongmian.appointments.models import Booking
from hongmian.appointments.permissions import can_book_for_caller, can_book_for_self
from hongmian.appointments.services.booking import booking_hold
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.selectors import access_item
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.identity.models import Person
from hongmian.identity.selectors import my_person


def booking_item(actor: Actor, code: str) -> ServiceItem:
    """A published item that needs an appointment; another is a coded 422."""
    try:
        item = access_item(actor.user, code)
    except NotFound:
        raise ValidationFailed(
            _("事项不存在"), code="appointment.item_unknown", fields={"item": [_("事项不存在")]}
        ) from None
    if not item.appointment_required:
        raise ValidationFailed(
            _("该事项无需预约，可直接到大厅办理"),
            code="appointment.item_not_bookable",
            fields={"item": [_("该事项无需预约")]},
        )
    return item


def booking_person(
    actor: Actor, *, caller_mobile: str = "", caller_resident_id: str = ""
) -> Person:
    """Whom the booking is for: the account's own person, or — for a hotline agent — the
    caller found by ID number or mobile."""
    user = actor.user
    if can_book_for_caller(user):
        return selectors.person_for_caller(mobile=caller_mobile, resident_id=caller_resident_id)
    if not can_book_for_self(user):
        raise PermissionDenied(_("当前账号不能预约"), code="appointment.not_allowed")
    try:
        return my_person(user)
    except NotFound:
        raise ValidationFailed(
            _("请先完成实名认证再预约"), code="appointment.person_required"
        ) from None


def booking_request(
    *,
    actor: Actor,
    slot_id: int,
    item_code: str,
    caller_mobile: str = "",
    caller_resident_id: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    person = booking_person(
        actor, caller_mobile=caller_mobile, caller_resident_id=caller_resident_id
    )
    item = booking_item(actor, item_code)
    return booking_hold(actor=actor, person=person, slot_id=slot_id, item=item, now=now)
