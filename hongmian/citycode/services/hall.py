"""The city code at the hall (decision 0079).

签到: a valid scan by a hall terminal checks in the person's booking for today at a hall its
owner unit runs — appointments' `booking_check_in`, the same check-in the desk's booking
number reaches — and the scan's answer names the ticket. No booking today, or a check-in
the queue refuses (too early, already checked in), is a coded answer, never an error: the
person is at the hall either way and the desk can give a walk-in ticket.

码上办: the same scan is a service context (`scan:<id>`, identity/service_context.py) for the
hall's staff for a few minutes. From it they open the person's desk, choose one of the items
flagged `code_service`, and an application opens pre-filled from the person's file — the
assisted desk's `application_create_on_behalf`, under a one-item authorisation whose
evidence is the scan instead of the ID card read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from hongmian.applications.models import Application
from hongmian.applications.services import drafts
from hongmian.applications.services.assisted import application_create_on_behalf
from hongmian.appointments.models import Booking, Hall, QueueTicket
from hongmian.appointments.selectors import halls_viewable_by
from hongmian.appointments.services.checkin import booking_check_in
from hongmian.appointments.states import BookingStatus
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.citycode.models import CodeHolder, Scan, Terminal
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.calendar import CALENDAR_TZ
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.identity.models import Person
from hongmian.identity.service_context import ServiceContext, context_holds
from hongmian.identity.services.mandates import HallPlace, mandate_grant_by_scan

# The stable codes of a scan's check-in answer (besides the queue's own refusals, e.g.
# appointment.checkin_too_early, passed through).
CHECKED_IN = "checkin.ok"
ALREADY = "checkin.already"
NO_BOOKING = "checkin.no_booking"


@dataclass(frozen=True, slots=True)
class CheckIn:
    """What the terminal shows after check-in: the ticket number, or why there is none."""

    code: str
    message: str
    ticket: str | None = None


def _halls(terminal: Terminal) -> QuerySet[Hall]:
    return Hall.objects.filter(org_unit_id=terminal.owner_unit_id, is_active=True)


def scan_check_in(*, actor: Actor, terminal: Terminal, person: Person, at: dt.datetime) -> CheckIn:
    """签到 by the scan of `terminal` (a hall's): the person's first booking still to check
    in today at a hall of the terminal's unit."""
    halls = _halls(terminal)
    today = at.astimezone(CALENDAR_TZ).date()
    booking = (
        Booking.objects.filter(
            person=person, slot__hall__in=halls, slot__day=today, status=BookingStatus.BOOKED
        )
        .order_by("slot__starts_at", "id")
        .first()
    )
    if booking is None:
        done = (
            QueueTicket.objects.filter(booking__person=person, hall__in=halls, day=today)
            .order_by("-queued_at")
            .first()
        )
        if done is not None:
            return CheckIn(
                ALREADY,
                gettext("今天已签到，排队号 %(number)s") % {"number": done.number},
                done.number,
            )
        return CheckIn(NO_BOOKING, gettext("今天在本大厅没有预约，请到服务台领取现场号"))
    try:
        ticket = booking_check_in(actor=actor, booking=booking, at=at)
    except ApplicationError as exc:
        return CheckIn(exc.code, exc.message)
    return CheckIn(
        CHECKED_IN,
        gettext("签到成功，排队号 %(number)s") % {"number": ticket.number},
        ticket.number,
    )


def desk_url(scan_id: int) -> str:
    """The hall desk's page for the person a scan found (码上办)."""
    return reverse("citycode:desk", args=[scan_id])


@dataclass(frozen=True, slots=True)
class DeskVisit:
    """The person a scan found, for the staff member it is a service context of."""

    scan: Scan
    person: Person
    hall: Hall


def desk_visit(*, actor: Actor, scan_id: int) -> DeskVisit:
    """The person a recent hall scan found, for hall staff of the terminal's unit (the
    service context `scan:<id>`); audited on the person. Anything else: 404, as missing."""
    user = actor.user
    scan = Scan.objects.select_related("terminal").filter(pk=scan_id).first()
    holder = (
        CodeHolder.objects.select_related("person").filter(code_id=scan.code_id).first()
        if scan is not None and scan.code_id
        else None
    )
    hall = (
        halls_viewable_by(user).filter(org_unit_id=scan.terminal.owner_unit_id).first()
        if scan is not None and user is not None
        else None
    )
    if (
        scan is None
        or holder is None
        or hall is None
        or not context_holds(user, ServiceContext("scan", scan.pk), holder.person)
    ):
        raise NotFound(gettext("扫码记录不存在或已过期"), code="citycode.scan_not_found")
    audit_record(
        actor=actor,
        action="citycode.desk_open",
        target=holder.person,
        after={"context": f"scan:{scan.pk}", "hall": hall.code, "terminal": scan.terminal.code},
    )
    return DeskVisit(scan=scan, person=holder.person, hall=hall)


def code_service_items(q: str = "") -> QuerySet[ServiceItem]:
    """码上办 items: published items flagged `code_service`, by name or code."""
    rows = ServiceItem.objects.filter(code_service=True, status=ItemStatus.PUBLISHED)
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(code__iexact=q)
    return rows.select_related("department").order_by("code")


def code_service_start(*, actor: Actor, visit: DeskVisit, item_code: str) -> Application:
    """Start the chosen 码上办 item for the person the scan found: a one-item authorisation
    of the hall (evidence: the scan), the application made on their behalf, and the form
    filled from their file. An item that is not a code service: 404 service_item.not_found."""
    item = code_service_items().filter(code=item_code.strip()).first()
    if item is None:
        raise NotFound(gettext("该事项不支持码上办"), code="service_item.not_found")
    if visit.hall.org_unit is None:
        raise NotFound(gettext("大厅不存在"), code="appointment.hall_not_found")
    with transaction.atomic():
        # Both or neither: a refused application (the person has no account) leaves no
        # authorisation behind.
        mandate = mandate_grant_by_scan(
            actor=actor,
            principal=visit.person,
            hall=HallPlace(code=visit.hall.code, name=visit.hall.name, unit=visit.hall.org_unit),
            item_code=item.code,
            scan_id=visit.scan.pk,
        )
        application = application_create_on_behalf(actor=actor, mandate=mandate, item=item)
    try:
        return drafts.application_prefill(actor=actor, application=application)
    except ApplicationError:
        # No standing consent of the person to fill forms from their file (an agent cannot
        # give it): the desk fills the form in with them.
        return application
