"""The hall's line (排队叫号): issue a ticket, call the next one at a window, recall, serve,
finish, mark a no-show, transfer; and the call-up screen's key.

Order of the line (`_line`): priority tickets (老年人、残疾人) first, then appointments,
then walk-ins, each by the time it joined (`queued_at`, kept by a transfer, so a person
sent to another window does not start again at the back).

"Call next" from two windows at once never gives both the same ticket: the window's row is
locked first (one window's presses take turns), then the first ticket of the line is read
with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (a ticket another window is taking is
passed over, not waited for), and it is taken by a conditional UPDATE
(`WHERE status IN (waiting, transferred)`) that only one caller can win. SQLite runs one
write at a time, so there the UPDATE alone suffices.

Every move is a transition of states.TICKET_FLOW, audited, with a `TicketEvent` row that
the call-up screen and the live view stream (ticket numbers and windows only).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.appointments.models import (
    Booking,
    Hall,
    ItemGroup,
    QueueCounter,
    QueueTicket,
    TicketEvent,
    Window,
)
from hongmian.appointments.states import (
    AT_WINDOW_STATUSES,
    TICKET_FLOW,
    WAITING_TICKET_STATUSES,
    PriorityReason,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.calendar import CALENDAR_TZ
from hongmian.core.errors import Conflict, NotFound, ValidationFailed
from hongmian.core.transitions import assert_transition

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0 on a screen


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(CALENDAR_TZ).date()


def ticket_prefix(group: ItemGroup, kind: str) -> str:
    """A group's letters, by its place among the hall's groups: the first group A
    (appointments) and B (walk-ins), the second C and D, …"""
    index = list(
        ItemGroup.objects.filter(hall_id=group.hall_id).order_by("id").values_list("id", flat=True)
    ).index(group.pk)
    pair = (index * 2) % len(LETTERS)
    return LETTERS[pair] if kind == TicketKind.APPOINTMENT else LETTERS[pair + 1]


def _next_number(group: ItemGroup, kind: str, day: dt.date) -> str:
    """The group's next number of the day, under the counter row's lock."""
    counter = QueueCounter.objects.select_for_update().filter(group=group, day=day, kind=kind)
    row = counter.first()
    if row is None:
        try:
            with transaction.atomic():  # a savepoint: another desk may create it first
                QueueCounter.objects.create(
                    group=group, day=day, kind=kind, prefix=ticket_prefix(group, kind)
                )
        except IntegrityError:
            pass
        row = counter.get()
    row.last += 1
    row.save(update_fields=["last"])
    return f"{row.prefix}{row.last:03d}"


def _event(ticket: QueueTicket, kind: str, *, now: dt.datetime, window: Window | None) -> None:
    TicketEvent.objects.create(
        hall_id=ticket.hall_id, ticket=ticket, kind=kind, window=window, at=now
    )


def ticket_issue(
    *,
    actor: Actor,
    group: ItemGroup,
    kind: str = TicketKind.WALK_IN,
    priority_reason: str = "",
    booking: Booking | None = None,
    late: bool = False,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """取号: a ticket in `group`'s line today. The desk issues walk-ins (with a priority
    reason the person shows); check-in issues a booking's (services/checkin.py)."""
    now = now or timezone.now()
    if priority_reason and priority_reason not in PriorityReason.values:
        raise ValidationFailed(
            _("优先原因无效"),
            code="queue.priority_invalid",
            fields={"priority_reason": [_("优先原因无效")]},
        )
    day = _today(now)
    with transaction.atomic():
        ticket = QueueTicket.objects.create(
            hall_id=group.hall_id,
            group=group,
            day=day,
            number=_next_number(group, kind, day),
            kind=kind,
            priority_reason=priority_reason,
            booking=booking,
            late=late,
            queued_at=now,
            issued_by=actor.user,
        )
        _event(ticket, TicketEventKind.ISSUED, now=now, window=None)
        audit_record(
            actor=actor,
            action="appointment.ticket_issued",
            target=ticket,
            after={
                "number": ticket.number,
                "group": group.pk,
                "kind": kind,
                "priority": priority_reason,
                "booking": booking.pk if booking else None,
                "late": late,
            },
        )
    return ticket


def _line(window: Window, day: dt.date) -> QuerySet[QueueTicket]:
    """The tickets `window` may call, first to be called first."""
    return (
        QueueTicket.objects.filter(
            hall_id=window.hall_id,
            group_id=window.group_id,
            day=day,
            status__in=sorted(WAITING_TICKET_STATUSES),
        )
        .filter(Q(for_window__isnull=True) | Q(for_window=window))
        .annotate(
            _rank=Case(
                When(~Q(priority_reason=""), then=Value(0)),
                When(kind=TicketKind.APPOINTMENT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("_rank", "queued_at", "id")
    )


def _locked_window(window_id: int) -> Window:
    window = Window.objects.select_for_update().filter(pk=window_id).first()
    if window is None:
        raise NotFound(_("窗口不存在"), code="queue.window_not_found")
    return window


def _current(window: Window) -> QueueTicket | None:
    return (
        QueueTicket.objects.filter(window=window, status__in=sorted(AT_WINDOW_STATUSES))
        .order_by("-called_at")
        .first()
    )


def ticket_call_next(
    *, actor: Actor, window_id: int, now: dt.datetime | None = None
) -> QueueTicket:
    """叫号: the first ticket of the window's line becomes called at this window.
    `queue.window_busy` while the window still has a ticket; `queue.empty` when no one waits."""
    now = now or timezone.now()
    with transaction.atomic():
        window = _locked_window(window_id)
        if not window.is_open:
            raise Conflict(_("窗口未开放"), code="queue.window_closed")
        if _current(window) is not None:
            raise Conflict(
                _("本窗口还有未办结的号，请先办结、过号或转移"), code="queue.window_busy"
            )
        line = _line(window, _today(now))
        while True:
            ticket = line.select_for_update(skip_locked=True, of=("self",)).first()
            if ticket is None:
                raise Conflict(_("当前没有等候的号"), code="queue.empty")
            before = ticket.status
            assert_transition(TICKET_FLOW, before, TicketStatus.CALLED)
            took = QueueTicket.objects.filter(
                pk=ticket.pk, status__in=sorted(WAITING_TICKET_STATUSES)
            ).update(
                status=TicketStatus.CALLED,
                window=window,
                for_window=None,
                called_at=now,
                updated_at=now,
            )
            if took:
                break
        ticket.refresh_from_db()
        _event(ticket, TicketEventKind.CALLED, now=now, window=window)
        audit_record(
            actor=actor,
            action="appointment.ticket_called",
            target=ticket,
            before={"status": before},
            after={"status": ticket.status, "window": window.number},
        )
    return ticket


def _locked_ticket(ticket_id: int, window: Window) -> QueueTicket:
    ticket = QueueTicket.objects.select_for_update().filter(pk=ticket_id, window=window).first()
    if ticket is None:
        raise NotFound(_("本窗口没有这个号"), code="queue.ticket_not_found")
    return ticket


def _move(
    actor: Actor,
    ticket: QueueTicket,
    target: str,
    *,
    now: dt.datetime,
    window: Window,
    event: str,
    fields: dict[str, object],
) -> QueueTicket:
    before = ticket.status
    assert_transition(TICKET_FLOW, before, target)
    ticket.status = target
    names = ["status", "updated_at"]
    for name, value in fields.items():
        setattr(ticket, name, value)
        names.append(name)
    ticket.save(update_fields=names)
    _event(ticket, event, now=now, window=window)
    audit_record(
        actor=actor,
        action=f"appointment.ticket_{event}",
        target=ticket,
        before={"status": before},
        after={"status": target, "window": window.number},
    )
    return ticket


def ticket_recall(
    *, actor: Actor, window_id: int, ticket_id: int, now: dt.datetime | None = None
) -> QueueTicket:
    """重呼: call the window's called ticket again (the screen shows it anew)."""
    now = now or timezone.now()
    with transaction.atomic():
        window = _locked_window(window_id)
        ticket = _locked_ticket(ticket_id, window)
        if ticket.status != TicketStatus.CALLED:
            raise Conflict(_("只有已叫号的号可以重呼"), code="queue.not_called")
        _event(ticket, TicketEventKind.RECALLED, now=now, window=window)
        audit_record(
            actor=actor,
            action="appointment.ticket_recalled",
            target=ticket,
            after={"window": window.number},
        )
    return ticket


def ticket_start(
    *, actor: Actor, window_id: int, ticket_id: int, now: dt.datetime | None = None
) -> QueueTicket:
    """开始办理: the called person arrived at the window."""
    now = now or timezone.now()
    with transaction.atomic():
        window = _locked_window(window_id)
        ticket = _locked_ticket(ticket_id, window)
        return _move(
            actor,
            ticket,
            TicketStatus.SERVING,
            now=now,
            window=window,
            event=TicketEventKind.SERVING,
            fields={"serving_at": now},
        )


def ticket_finish(
    *, actor: Actor, window_id: int, ticket_id: int, now: dt.datetime | None = None
) -> QueueTicket:
    """办结: the person was served."""
    now = now or timezone.now()
    with transaction.atomic():
        window = _locked_window(window_id)
        ticket = _locked_ticket(ticket_id, window)
        return _move(
            actor,
            ticket,
            TicketStatus.DONE,
            now=now,
            window=window,
            event=TicketEventKind.DONE,
            fields={"finished_at": now},
        )


def ticket_no_show(
    *, actor: Actor, window_id: int, ticket_id: int, now: dt.datetime | None = None
) -> QueueTicket:
    """过号: called and did not come. A booking's ticket leaves its booking checked in —
    the person came to the hall, so it is not a booking no-show (爽约)."""
    now = now or timezone.now()
    with transaction.atomic():
        window = _locked_window(window_id)
        ticket = _locked_ticket(ticket_id, window)
        return _move(
            actor,
            ticket,
            TicketStatus.NO_SHOW,
            now=now,
            window=window,
            event=TicketEventKind.NO_SHOW,
            fields={"finished_at": now},
        )


def ticket_transfer(
    *,
    actor: Actor,
    window_id: int,
    ticket_id: int,
    to_group_id: int | None = None,
    to_window_id: int | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """转移: send the window's ticket to another group's line, or to one window. It waits
    there with the time it first joined, so it is called before those who came after it."""
    now = now or timezone.now()
    if (to_group_id is None) == (to_window_id is None):
        raise ValidationFailed(
            _("请选择转往的事项分组或窗口（二选一）"),
            code="queue.transfer_target",
            fields={"to": [_("请选择转往的事项分组或窗口（二选一）")]},
        )
    with transaction.atomic():
        window = _locked_window(window_id)
        ticket = _locked_ticket(ticket_id, window)
        target_window: Window | None = None
        if to_window_id is not None:
            target_window = Window.objects.filter(pk=to_window_id, hall_id=window.hall_id).first()
            if target_window is None or target_window.pk == window.pk:
                raise NotFound(_("转往的窗口不存在"), code="queue.transfer_target")
            group_id = target_window.group_id
        else:
            # `or 0`: one of the two is given, checked above (0 names no row).
            group = ItemGroup.objects.filter(pk=to_group_id or 0, hall_id=window.hall_id).first()
            if group is None:
                raise NotFound(_("转往的事项分组不存在"), code="queue.transfer_target")
            group_id = group.pk
        return _move(
            actor,
            ticket,
            TicketStatus.TRANSFERRED,
            now=now,
            window=window,
            event=TicketEventKind.TRANSFERRED,
            fields={
                "group_id": group_id,
                "for_window": target_window,
                "window": None,
                "called_at": None,
                "serving_at": None,
            },
        )


def hall_screen_key_rotate(*, actor: Actor, hall: Hall) -> str:
    """A new key for the hall's call-up screen URL; the old URL stops working at once."""
    key = secrets.token_urlsafe(24)
    with transaction.atomic():
        Hall.objects.filter(pk=hall.pk).update(screen_key=key, updated_at=timezone.now())
        hall.screen_key = key
        audit_record(actor=actor, action="appointment.screen_key_rotated", target=hall)
    return key
