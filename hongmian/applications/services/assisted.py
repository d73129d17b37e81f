"""帮办代办 (decision 0072): an authorised relative, or a hall's staff with the person
present, makes and submits an application for someone else. The application is the
principal's (its applicant); the agent is recorded on it with the authorisation, and every
act appears in the principal's history. The hall desk finds the person present only with a
context — the ID card read at the window, or a booking at the hall — and audits each look."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications.models import Application
from hongmian.applications.services.drafts import _REFUSED_AT_CREATE, draft_insert
from hongmian.applications.states import Applicant, Status
from hongmian.appointments.models import Hall
from hongmian.appointments.selectors import hall_day_bookings
from hongmian.appointments.states import BookingStatus
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.selectors import item_available_to
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.identity.models import Mandate, Person
from hongmian.identity.selectors import mandate_check
from hongmian.identity.verification import identity_verifier

# How the hall desk knows the person is at the window.
PRESENT_BY_CARD = "card"  # their ID card read at the window (the in-person check)
PRESENT_BY_BOOKING = "booking"  # their booking at this hall, today


def application_create_on_behalf(
    *, actor: Actor, mandate: Mandate, item: ServiceItem, answers: dict[str, Any] | None = None
) -> Application:
    """A draft for the mandate's principal, made by its agent (a relative, or hall staff of
    the hall's unit). Refused: someone who is not the agent (404), a mandate revoked,
    expired or not covering the item (403 mandate.*), a principal without an account
    (422 application.principal_no_account), an item not served for persons."""
    mandate_check(mandate, user=actor.user, item_code=item.code)
    principal = mandate.principal
    applicant = principal.user
    if applicant is None or not applicant.is_active:
        raise ValidationFailed(
            _("委托人尚未注册账号，请先为其开通账号"), code="application.principal_no_account"
        )
    availability = item_available_to(user=applicant, item=item)
    if not availability.allowed and availability.code in _REFUSED_AT_CREATE:
        raise ValidationFailed(availability.reason, code=f"application.{availability.code}")
    draft = (
        Application.objects.filter(
            applicant=applicant, item=item, status=Status.DRAFT, mandate=mandate
        )
        .order_by("-id")
        .first()
    )
    if draft is not None:
        return draft
    application, _created = draft_insert(
        actor=actor,
        applicant=applicant,
        kind=Applicant.PERSON,
        person=principal,
        enterprise=None,
        item=item,
        answers=answers,
        mandate=mandate,
    )
    return application


@dataclass(frozen=True, slots=True)
class Presence:
    """The person at the window and how the desk knows (kept in the staff's session)."""

    person_id: int
    hall_code: str
    via: str
    at: str


def assist_person_find(
    *, actor: Actor, hall: Hall, resident_id: str = "", card_reading: str = "", booking_no: str = ""
) -> Presence:
    """Find the person at the window of `hall` (one the staff member's unit runs): by their
    ID card read at the window (the number typed and the chip's reading must agree), or by
    a booking of theirs at this hall for today. Nothing else finds anyone: a number alone
    does not (NotFound, the same as no such person). Audited with its context."""
    if booking_no.strip():
        # The hall's day as its staff see it (the appointments' own scope).
        booking = (
            hall_day_bookings(actor.user, hall, timezone.localdate())
            .filter(
                number=booking_no.strip().upper(),
                status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN],
            )
            .first()
        )
        if booking is None:
            raise NotFound(_("本厅今天没有该预约"), code="assist.booking_not_found")
        person, via = booking.person, PRESENT_BY_BOOKING
    else:
        rid = resident_id.strip().upper()
        result = identity_verifier().verify_in_person(resident_id=rid, card_reading=card_reading)
        person_found = Person.objects.filter(resident_id=rid).first() if result.ok else None
        if person_found is None:
            raise NotFound(_("读卡核验未通过或该身份证号码未登记"), code="assist.person_not_found")
        person, via = person_found, PRESENT_BY_CARD
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="assist.person_find",
            target=person,
            after={"hall": hall.code, "via": via},
        )
    return Presence(person.pk, hall.code, via, timezone.now().isoformat())
