"""Hall closures (闭厅): a typhoon or a move closes a hall for a range of dates."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from hongmian.appointments.models import Booking, Hall, HallClosure
from hongmian.appointments.states import ACTIVE_STATUSES, CancelReason
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ValidationFailed


def hall_closure_create(
    *, actor: Actor, hall: Hall, start: dt.date, end: dt.date, reason: str
) -> tuple[HallClosure, int]:
    """Close `hall` from `start` to `end` (inclusive). The bookings of those days are
    cancelled (reason hall_closed) and told by SMS, in the same transaction. Returns the
    closure and the number of bookings cancelled."""
    from hongmian.appointments.services.booking import booking_cancel

    reason = reason.strip()
    if end < start:
        raise ValidationFailed(
            _("结束日期不能早于开始日期"),
            code="appointment.closure_span_invalid",
            fields={"end": [_("结束日期不能早于开始日期")]},
        )
    if not reason:
        raise ValidationFailed(
            _("请填写闭厅原因"),
            code="appointment.closure_reason_required",
            fields={"reason": [_("请填写闭厅原因")]},
        )
    with transaction.atomic():
        closure = HallClosure.objects.create(hall=hall, start=start, end=end, reason=reason[:200])
        audit_record(
            actor=actor,
            action="appointment.hall_closed",
            target=hall,
            after={"start": start, "end": end, "reason": closure.reason},
        )
        affected = Booking.objects.filter(
            slot__hall=hall,
            slot__day__gte=start,
            slot__day__lte=end,
            status__in=ACTIVE_STATUSES,
        ).values_list("pk", flat=True)
        ids = list(affected)
        for booking_id in ids:
            booking_cancel(
                actor=actor, booking_id=booking_id, reason=CancelReason.HALL_CLOSED, notify=True
            )
    return closure, len(ids)
