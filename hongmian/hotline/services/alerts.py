"""系统预警 — an alert the platform raises about something it noticed (a city code scanned in
two places too far apart, a terminal scanning too fast; later the data hub's checks) becomes
a work order already in the hands of the unit that must look at it, with its SLA clocks
running, like any dispatched order. One service: `work_order_raise_alert`.

De-duplicated by `source_ref` (the raising app's stable name for the anomaly, kept as the
order's external_ref on the `system` channel, unique there by constraint): raising the same
alert twice — a retry, two workers racing — gives one order.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied
from hongmian.hotline import permissions
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import KEY_MAX, TITLE_MAX, IntakeRequest
from hongmian.hotline.services.lifecycle_common import active_unit, begin, invalid, text
from hongmian.hotline.services.lifecycle_dispatch import _dispatch_to
from hongmian.hotline.states import Channel, RequestType
from hongmian.identity.models import OrgUnit


def _allow_system(user: object, order: WorkOrder) -> bool:
    # `begin` skips the predicate for a system actor; this one never runs.
    return False  # pragma: no cover


def work_order_raise_alert(
    *, actor: Actor, unit: OrgUnit, subject: str, body: str, source_ref: str
) -> tuple[WorkOrder, bool]:
    """File the alert as a `system` order and dispatch it to `unit` at once; returns
    `(order, created)` — `created=False` when an order with this `source_ref` already
    exists (the alert was raised before). Only the system itself raises alerts."""
    if not permissions.is_system_actor(actor):
        raise PermissionDenied(gettext("只有系统可以发出预警"), code="work_order.alert_forbidden")
    source_ref = text(source_ref, "source_ref", limit=KEY_MAX)
    subject = text(subject, "title", limit=TITLE_MAX)
    unit = active_unit(unit, "lead_unit")
    existing = WorkOrder.objects.filter(channel=Channel.SYSTEM, external_ref=source_ref).first()
    if existing is not None:
        return existing, False
    request = IntakeRequest(
        channel=Channel.SYSTEM,
        request_type=RequestType.REPORT,
        title=subject,
        content=body,
        external_ref=source_ref,
    )
    try:
        with transaction.atomic():
            order, _ = work_order_intake(actor=actor, request=request)
            order = begin(actor, order.pk, _allow_system)
            _dispatch_to(
                actor, order, lead_unit=unit, note=gettext("系统预警自动派单"), data={"alert": True}
            )
    except IntegrityError:
        # Another worker raised the same alert between our look-up and our insert.
        existing = WorkOrder.objects.filter(channel=Channel.SYSTEM, external_ref=source_ref).first()
        if existing is None:
            raise invalid("source_ref", gettext("预警登记失败，请重试")) from None
        return existing, False
    return order, True
