"""The hall's line on screen: the desk (check-in by booking number, walk-in tickets), a
window's console (call next, recall, serve, transfer, finish, no-show), the call-up screen
for the hall's TV and its push stream, the live view, and the waiting and service times.

Views parse input and call services/queue.py and services/checkin.py; the screen, the
live view and the console are refreshed by one SSE stream of the hall's ticket events
(core/streams.py), which carries ticket numbers and windows only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hongmian.appointments import selectors, selectors_queue
from hongmian.appointments.forms import CheckInForm, RangeForm, WalkInForm
from hongmian.appointments.models import Hall, ItemGroup, TicketEvent, Window
from hongmian.appointments.permissions import (
    HALL_VIEW_ROLES,
    can_view_hall_day,
    can_view_screen,
    can_work_queue,
)
from hongmian.appointments.services import queue
from hongmian.appointments.services.checkin import booking_check_in_by_number
from hongmian.appointments.states import TicketEventKind
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.streams import Event, event_stream_response, resume_after, rows_stream
from hongmian.core.validators import parse_id
from hongmian.identity.states import Role


def _hall(request: HttpRequest, hall_id: int, *, work: bool = False) -> Hall:
    """The hall, if the user may see its line (`work`: serve in it). A role that never
    does is refused (403); another unit's hall is 404, exactly as one that does not exist."""
    role = getattr(request.user, "role", "")
    if role not in ({Role.HALL_STAFF} if work else HALL_VIEW_ROLES):
        raise DjangoPermissionDenied
    try:
        hall = selectors.hall_get(hall_id)
    except NotFound:
        raise Http404 from None
    allowed = can_work_queue(request.user, hall) if work else can_view_hall_day(request.user, hall)
    if not allowed:
        raise Http404
    return hall


def _window(hall: Hall, window_id: int) -> Window:
    window = Window.objects.filter(pk=window_id, hall=hall).select_related("group").first()
    if window is None:
        raise Http404
    return window


def _today() -> dt.date:
    return timezone.localdate()


def _stream_url(hall: Hall, key: str = "") -> str:
    """The hall's stream, starting after the newest event as the page is drawn: an event
    between the page and the stream's first connection is not missed (a reconnect then
    resumes by Last-Event-ID)."""
    url = reverse("appointments:queue_stream", args=[hall.pk])
    query = {"after": str(selectors_queue.ticket_event_last_id(hall.pk))}
    if key:
        query["key"] = key
    return f"{url}?{urlencode(query)}"


# --- the desk: check-in and walk-in tickets ----------------------------------------------------


def _groups(hall: Hall) -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in ItemGroup.objects.filter(hall=hall).order_by("id")]


@login_required
def desk(request: HttpRequest, id: int) -> HttpResponse:
    """签到取号: check a booking in by its number (POST), or give a walk-in ticket
    (`walk_in`); the tickets given last below."""
    hall = _hall(request, id, work=True)
    checkin = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if checkin.is_valid():
            try:
                ticket = booking_check_in_by_number(
                    actor=Actor.from_request(request),
                    hall=hall,
                    number=checkin.cleaned_data["number"],
                    priority_reason=checkin.cleaned_data["priority_reason"],
                )
            except ApplicationError as exc:
                checkin.add_error("number", exc.message)
            else:
                note = _("签到成功，排队号 %(number)s") % {"number": ticket.number}
                if ticket.late:
                    note += _("（已超过签到时间，按现场号排队）")
                messages.success(request, note)
                return HttpResponseRedirect(reverse("appointments:queue_desk", args=[hall.pk]))
        status = 422
    elif request.method != "GET":
        return HttpResponse(status=405)
    context = {
        "hall": hall,
        "checkin": checkin,
        "walk_in": WalkInForm(groups=_groups(hall)),
        "tickets": selectors_queue.recent_tickets(hall, _today()),
        "windows": Window.objects.filter(hall=hall).order_by("number"),
    }
    return render(request, "appointments/queue/desk.html", context, status=status)


@require_POST
@login_required
def walk_in(request: HttpRequest, id: int) -> HttpResponse:
    hall = _hall(request, id, work=True)
    form = WalkInForm(request.POST, groups=_groups(hall))
    if not form.is_valid():
        messages.error(request, _("请选择事项分组"))
    else:
        group = ItemGroup.objects.get(pk=form.cleaned_data["group"], hall=hall)
        ticket = queue.ticket_issue(
            actor=Actor.from_request(request),
            group=group,
            priority_reason=form.cleaned_data["priority_reason"],
        )
        messages.success(request, _("已取号 %(number)s") % {"number": ticket.number})
    return HttpResponseRedirect(reverse("appointments:queue_desk", args=[hall.pk]))


# --- a window's console ------------------------------------------------------------------------


def _console_context(hall: Hall, window: Window, error: str = "") -> dict[str, Any]:
    return {
        "hall": hall,
        "window": window,
        "current": selectors_queue.window_current(window),
        "waiting": selectors_queue.window_waiting(window, _today()),
        "groups": ItemGroup.objects.filter(hall=hall).exclude(pk=window.group_id).order_by("id"),
        "others": Window.objects.filter(hall=hall).exclude(pk=window.pk).order_by("number"),
        "error": error,
        "stream": _stream_url(hall),
    }


@login_required
@require_GET
def console(request: HttpRequest, id: int, window_id: int) -> HttpResponse:
    """窗口叫号: the window's current ticket, its line's true count, and the buttons."""
    hall = _hall(request, id, work=True)
    window = _window(hall, window_id)
    template = (
        "appointments/queue/_console.html"
        if request.headers.get("HX-Request")
        else "appointments/queue/console.html"
    )
    return render(request, template, _console_context(hall, window))


ACTIONS = {"call_next", "recall", "start", "finish", "no_show", "transfer"}


@require_POST
@login_required
def console_act(request: HttpRequest, id: int, window_id: int) -> HttpResponse:
    """One button of the console; HTMX gets the console back, a plain form a redirect."""
    hall = _hall(request, id, work=True)
    window = _window(hall, window_id)
    action = request.POST.get("action", "")
    actor = Actor.from_request(request)
    ticket_id = parse_id(request.POST.get("ticket", ""))
    error = ""
    try:
        if action not in ACTIONS:
            raise NotFound(_("未知操作"), code="queue.unknown_action")
        if action == "call_next":
            queue.ticket_call_next(actor=actor, window_id=window.pk)
        elif ticket_id is None:
            raise NotFound(_("本窗口没有这个号"), code="queue.ticket_not_found")
        elif action == "transfer":
            target = request.POST.get("to", "")
            kind, _sep, raw = target.partition(":")
            to_id = parse_id(raw)
            queue.ticket_transfer(
                actor=actor,
                window_id=window.pk,
                ticket_id=ticket_id,
                to_group_id=to_id if kind == "group" else None,
                to_window_id=to_id if kind == "window" else None,
            )
        else:
            move = {
                "recall": queue.ticket_recall,
                "start": queue.ticket_start,
                "finish": queue.ticket_finish,
                "no_show": queue.ticket_no_show,
            }[action]
            move(actor=actor, window_id=window.pk, ticket_id=ticket_id)
    except ApplicationError as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        return render(
            request,
            "appointments/queue/_console.html",
            _console_context(hall, window, error),
            status=409 if error else 200,
        )
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(reverse("appointments:window_console", args=[hall.pk, window.pk]))


# --- the call-up screen and the stream --------------------------------------------------------


def _screen_hall(request: HttpRequest, hall_id: int) -> tuple[Hall, str]:
    key = request.GET.get("key", "")[:64]
    try:
        hall = selectors.hall_get(hall_id)
    except NotFound:
        raise Http404 from None
    if not can_view_screen(request.user, hall, key):
        raise Http404
    return hall, key


def _board(hall: Hall) -> dict[str, Any]:
    """What the screen shows: the last calls and each group's number waiting."""
    today = _today()
    return {
        "calls": [
            {
                "ticket": e.ticket.number,
                "window": e.window.number if e.window else "",
                "recall": e.kind == TicketEventKind.RECALLED,
            }
            for e in selectors_queue.last_calls(hall, today)
        ],
        "waiting": [
            {"group": line.group.name, "count": line.waiting}
            for line in selectors_queue.group_lines(hall, today, now=timezone.now())
        ],
    }


@require_GET
def screen(request: HttpRequest, id: int) -> HttpResponse:
    """叫号屏: the hall's TV (1920×1080, large type). Ticket numbers and windows only;
    opened with the hall's screen key in the URL, or by its staff."""
    hall, key = _screen_hall(request, id)
    context = {"hall": hall, "board": _board(hall), "stream": _stream_url(hall, key)}
    return render(request, "appointments/queue/screen.html", context)


@require_GET
def stream(request: HttpRequest, id: int) -> HttpResponse:
    """text/event-stream of the hall's ticket events (`event: ticket`), each with the board
    as it is after it; resumable by Last-Event-ID (core/streams.py)."""
    hall, _key = _screen_hall(request, id)

    def event(row: TicketEvent) -> Event:
        data = {
            "kind": row.kind,
            "ticket": row.ticket.number,
            "window": row.window.number if row.window else "",
            **_board(hall),
        }
        return Event(id=row.pk, name="ticket", data=data)

    return event_stream_response(
        rows_stream(
            after=lambda last_id: selectors_queue.ticket_events_after(hall.pk, last_id),
            event=event,
            last_id=resume_after(request, lambda: selectors_queue.ticket_event_last_id(hall.pk)),
            seconds=float(settings.HONGMIAN_QUEUE_STREAM_SECONDS),
            poll=float(settings.HONGMIAN_QUEUE_POLL_SECONDS),
        )
    )


@require_POST
@login_required
def screen_key(request: HttpRequest, id: int) -> HttpResponse:
    """A new screen URL for the hall's TV (the old one stops working)."""
    hall = _hall(request, id, work=True)
    queue.hall_screen_key_rotate(actor=Actor.from_request(request), hall=hall)
    messages.success(request, _("已生成新的叫号屏地址，旧地址即时失效"))
    return HttpResponseRedirect(reverse("appointments:queue_live", args=[hall.pk]))


# --- the hall manager's live view and the times ------------------------------------------------


@login_required
@require_GET
def live(request: HttpRequest, id: int) -> HttpResponse:
    """排队实况: waiting now per group, each window's ticket, the longest wait — refreshed
    by the hall's stream on every ticket event."""
    hall = _hall(request, id)
    now = timezone.now()
    context = {
        "hall": hall,
        "lines": selectors_queue.group_lines(hall, _today(), now=now),
        "windows": selectors_queue.windows_with_current(hall),
        "stream": _stream_url(hall),
        "can_work": can_work_queue(request.user, hall),
        "screen_url": (
            request.build_absolute_uri(
                reverse("appointments:hall_screen", args=[hall.pk]) + f"?key={hall.screen_key}"
            )
            if hall.screen_key and can_work_queue(request.user, hall)
            else ""
        ),
    }
    template = (
        "appointments/queue/_live.html"
        if request.headers.get("HX-Request")
        else "appointments/queue/live.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def stats(request: HttpRequest, id: int) -> HttpResponse:
    """等候与办理时长: per item group and per window, today or a date range (≤ a year)."""
    hall = _hall(request, id)
    form = RangeForm(request.GET or None)
    today = _today()
    data = form.cleaned_data if form.is_valid() else {}
    # One day given: that day; the form refuses an end before the start.
    start = data.get("start") or data.get("end") or today
    end = data.get("end") or start
    groups, windows = selectors_queue.queue_times(hall, start, end)
    context = {
        "hall": hall,
        "form": form,
        "start": start,
        "end": end,
        "groups": groups,
        "windows": windows,
    }
    return render(
        request, "appointments/queue/stats.html", context, status=200 if not form.errors else 422
    )
