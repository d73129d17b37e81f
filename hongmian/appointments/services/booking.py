"""Bookings: hold a seat, confirm, cancel, reschedule, mark a no-show, release stale holds.

The seat is taken by one conditional UPDATE (`booked = booked + 1 WHERE booked <
capacity`): on PostgreSQL the row's lock makes concurrent requests for the last seats
take turns, and each re-reads `booked` before it counts, so a slot never passes its
capacity (the CHECK constraint `appointments_slot_not_overbooked` backs it). The person's
row is locked first, so one person's requests take turns too and the per-person limits
are read after the previous one committed. A partial unique index keeps one active
booking per person per slot.

Every refusal has a stable code (`appointment.*`); nothing is half-written: a refusal
raised inside the transaction rolls the seat back.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.appointments import selectors
from hongmian.appointments.models import Booking, Slot
from hongmian.appointments.permissions import can_act_on_booking
from hongmian.appointments.policy import Policy, appointment_policy
from hongmian.appointments.services.reminders import booking_sms
from hongmian.appointments.states import ACTIVE_STATUSES, BOOKING_FLOW, BookingStatus, CancelReason
from hongmian.catalog.models import ServiceItem
from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.transitions import assert_transition
from hongmian.identity.models import Person


def _number(slot: Slot) -> str:
    # The slot's date and 8 random hex digits: not guessable from a neighbour's number.
    return f"YY{slot.day:%y%m%d}{secrets.token_hex(4).upper()}"


def _check_slot(slot: Slot, *, now: dt.datetime) -> None:
    if slot.starts_at <= now:
        raise Conflict(_("该时段已过，请选择其他时段"), code="appointment.slot_past")
    opening = selectors.hall_opening(slot.hall, slot.day)
    if not opening.is_open:
        raise Conflict(
            _("%(day)s 不办理预约：%(reason)s") % {"day": slot.day, "reason": opening.reason},
            code="appointment.closed_day",
        )
    if not selectors.slot_within_hours(slot, opening):
        raise Conflict(
            _("该时段不在大厅营业时间内"),
            code="appointment.outside_hours",
        )


def _check_person(
    person: Person,
    *,
    slot: Slot,
    item: ServiceItem,
    now: dt.datetime,
    policy: Policy,
    replacing: Booking | None = None,
) -> None:
    until = selectors.no_show_suspension_until(
        person,
        now=now,
        limit=policy.no_show_limit,
        days=policy.no_show_days,
        suspension_days=policy.suspension_days,
    )
    if until is not None:
        local = until.astimezone(calendar.CALENDAR_TZ)
        raise PermissionDenied(
            _("%(days)s 天内爽约 %(limit)s 次，%(until)s 前不能预约")
            % {
                "days": policy.no_show_days,
                "limit": policy.no_show_limit,
                "until": f"{local:%Y-%m-%d}",
            },
            code="appointment.suspended",
        )
    # One read of the person's active bookings for all three limits.
    active = Booking.objects.filter(
        person=person, status__in=ACTIVE_STATUSES, slot__starts_at__gt=now
    )
    if replacing is not None:
        active = active.exclude(pk=replacing.pk)
    rows = list(active.values_list("slot_id", "item_id", "slot__day"))
    if any(slot_id == slot.pk for slot_id, _item, _day in rows):
        raise Conflict(_("您已预约该时段"), code="appointment.already_booked")
    if len(rows) >= policy.max_active:
        raise Conflict(
            _("同时最多保留 %(n)s 个有效预约，请先办理或取消已有预约") % {"n": policy.max_active},
            code="appointment.limit_active",
        )
    same = sum(1 for _slot, item_id, day in rows if item_id == item.pk and day == slot.day)
    if same >= policy.max_per_item_day:
        raise Conflict(
            _("同一事项同一天只能预约 %(n)s 次") % {"n": policy.max_per_item_day},
            code="appointment.limit_item_day",
        )


def _take_seat(slot: Slot) -> None:
    took = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not took:
        raise Conflict(_("该时段已约满，请选择其他时段"), code="appointment.slot_full")


def _release_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _move(actor: Actor, booking: Booking, target: str, *, now: dt.datetime, **extra: str) -> None:
    before = booking.status
    assert_transition(BOOKING_FLOW, before, target)
    booking.status = target
    booking.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    for name, value in extra.items():
        setattr(booking, name, value)
        fields.append(name)
    booking.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=f"appointment.booking_{target}",
        target=booking,
        before={"status": before},
        after={"status": target, **extra},
    )


def booking_hold(
    *,
    actor: Actor,
    person: Person,
    slot_id: int,
    item: ServiceItem,
    now: dt.datetime | None = None,
    replacing: Booking | None = None,
) -> Booking:
    """Hold a seat of the slot for `person` for `policy.hold_minutes` (待确认): the person
    (or the agent on the phone) confirms with `booking_confirm`, or the seat goes back."""
    policy = appointment_policy()
    now = now or timezone.now()
    with transaction.atomic():
        slot = selectors.slot_get(slot_id)
        if not slot.group.items.filter(pk=item.pk).exists():
            raise ValidationFailed(
                _("该时段不办理此事项"),
                code="appointment.item_not_handled",
                fields={"item": [_("该时段不办理此事项")]},
            )
        _check_slot(slot, now=now)
        # One person's requests take turns from here: the limits below see the last one.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        _check_person(person, slot=slot, item=item, now=now, policy=policy, replacing=replacing)
        # The booking's row first, the seat last but the audit: the slot's row stays locked
        # from its UPDATE to the commit, and that span is what concurrent requests queue on.
        try:
            booking = Booking.objects.create(
                number=_number(slot),
                slot=slot,
                item=item,
                person=person,
                status=BookingStatus.HELD,
                held_until=now + policy.hold,
                created_by=actor.user,
                via=actor.via,
                status_changed_at=now,
                rescheduled_from=replacing,
            )
        except IntegrityError:  # the whole transaction is rolled back by the raise
            raise Conflict(_("您已预约该时段"), code="appointment.already_booked") from None
        _take_seat(slot)
        audit_record(
            actor=actor,
            action="appointment.booking_held",
            target=booking,
            after={"slot": slot.pk, "item": item.code, "held_until": booking.held_until},
        )
    return booking


def _locked(booking_id: int) -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__hall", "slot__group", "item", "person")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise NotFound(_("预约不存在"), code="appointment.booking_not_found")
    return booking


def booking_confirm(*, actor: Actor, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """Confirm a held booking (待确认 → 已预约) before its hold runs out; a late confirmation
    releases the seat and is refused (`appointment.hold_expired`)."""
    now = now or timezone.now()
    expired = False
    with transaction.atomic():
        booking = _locked(booking_id)
        if not can_act_on_booking(actor.user, booking):
            raise PermissionDenied(_("不能确认他人的预约"), code="appointment.not_yours")
        if (
            booking.status == BookingStatus.HELD
            and booking.held_until
            and booking.held_until <= now
        ):
            _move(actor, booking, BookingStatus.EXPIRED, now=now)
            _release_seat(booking.slot_id)
            expired = True
        else:
            _move(actor, booking, BookingStatus.BOOKED, now=now, held_until=None)  # type: ignore[arg-type]
            old = booking.rescheduled_from
            if old is not None and old.status in ACTIVE_STATUSES:
                booking_cancel(
                    actor=actor, booking_id=old.pk, reason=CancelReason.RESCHEDULED, now=now
                )
            booking_sms(booking, kind="booked")
    if expired:
        raise Conflict(_("确认超时，名额已释放，请重新预约"), code="appointment.hold_expired")
    return booking


def booking_cancel(
    *,
    actor: Actor,
    booking_id: int,
    reason: str = CancelReason.BY_PERSON,
    now: dt.datetime | None = None,
    notify: bool = False,
) -> Booking:
    """Cancel a held or booked booking and give its seat back. The person cancels their
    own, an agent a caller's; the hall's closure cancels all of a day's (system)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking_id)
        if reason != CancelReason.HALL_CLOSED and not can_act_on_booking(actor.user, booking):
            raise PermissionDenied(_("不能取消他人的预约"), code="appointment.not_yours")
        if reason == CancelReason.BY_PERSON and booking.slot.starts_at <= now:
            raise Conflict(_("预约时段已开始，不能取消"), code="appointment.slot_past")
        _move(actor, booking, BookingStatus.CANCELLED, now=now, cancel_reason=reason)
        _release_seat(booking.slot_id)
        if notify:
            booking_sms(booking, kind="cancelled")
    return booking


def booking_reschedule(
    *, actor: Actor, booking_id: int, slot_id: int, now: dt.datetime | None = None
) -> Booking:
    """改约: hold a seat of another slot for the same person and item. The old booking
    stays until the new one is confirmed, then is cancelled (reason rescheduled) in the
    confirmation's transaction — a person never ends up with neither."""
    now = now or timezone.now()
    with transaction.atomic():
        old = _locked(booking_id)
        if not can_act_on_booking(actor.user, old):
            raise PermissionDenied(_("不能改约他人的预约"), code="appointment.not_yours")
        if old.status != BookingStatus.BOOKED:
            raise Conflict(_("只有已预约的预约可以改约"), code="appointment.not_reschedulable")
        return booking_hold(
            actor=actor, person=old.person, slot_id=slot_id, item=old.item, now=now, replacing=old
        )


def booking_mark_no_show(
    *, actor: Actor, booking_id: int, now: dt.datetime | None = None
) -> Booking:
    """A booked slot that ended without the person: 爽约 (counts toward the suspension)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.slot.ends_at > now:
            raise Conflict(_("时段尚未结束"), code="appointment.slot_not_over")
        _move(actor, booking, BookingStatus.NO_SHOW, now=now)
    return booking


def holds_release(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """Expire the holds whose time ran out and give their seats back (the job every minute)."""
    now = now or timezone.now()
    ids = list(
        Booking.objects.filter(status=BookingStatus.HELD, held_until__lte=now).values_list(
            "pk", flat=True
        )[:1000]
    )
    released = 0
    for booking_id in ids:
        with transaction.atomic():
            booking = _locked(booking_id)
            if booking.status != BookingStatus.HELD:  # confirmed meanwhile
                continue
            _move(actor, booking, BookingStatus.EXPIRED, now=now)
            _release_seat(booking.slot_id)
            released += 1
    return released


def bookings_sweep_no_shows(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """Booked slots that ended over the grace period ago become no-shows — only when the
    policy says halls check people in (`mark_no_shows`); otherwise nothing is judged."""
    policy = appointment_policy()
    if not policy.mark_no_shows:
        return 0
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=policy.no_show_grace_minutes)
    ids = list(
        Booking.objects.filter(status=BookingStatus.BOOKED, slot__ends_at__lte=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for booking_id in ids:
        booking_mark_no_show(actor=actor, booking_id=booking_id, now=now)
    return len(ids)
