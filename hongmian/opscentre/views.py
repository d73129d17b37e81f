"""The operations centre's screens: the big screen (穗智管运行大屏) with its push stream,
and the urban-village thematic view. Thin: each reads a selector and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from hongmian.core.streams import Event, event_stream_response, resume_after, rows_stream
from hongmian.opscentre import selectors, selectors_villages
from hongmian.opscentre.models import Reading
from hongmian.opscentre.permissions import can_view_ops

MAP_CODE_MAX = 64


def _viewer(request: HttpRequest) -> None:
    # Signed-out visitors were sent to the login page (login_required); citizens are refused.
    if not can_view_ops(request.user):
        raise PermissionDenied


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    """穗智管运行大屏: the indicators' tiles with their lights and trends, the district map
    of one indicator (`?map=CODE`), the open alerts. Fits a 16:9 wall at any size; follows
    each new evaluation by push (`stream`)."""
    _viewer(request)
    map_code = request.GET.get("map", "")[:MAP_CODE_MAX]
    stream = reverse("opscentre:stream")
    if map_code:
        stream += f"?map={map_code}"
    return render(
        request,
        "opscentre/screen.html",
        {"board": selectors.board(map_code=map_code), "stream": stream},
    )


@login_required
@require_GET
def stream(request: HttpRequest) -> HttpResponse:
    """text/event-stream: `event: reading` for every new indicator reading, with the board
    as it is after it; resumable by Last-Event-ID (core/streams.py)."""
    _viewer(request)
    map_code = request.GET.get("map", "")[:MAP_CODE_MAX]

    def event(row: Reading) -> Event:
        return Event(
            id=row.pk,
            name="reading",
            data={"code": row.indicator.code, "board": selectors.board(map_code=map_code)},
        )

    return event_stream_response(
        rows_stream(
            after=selectors.readings_after,
            event=event,
            last_id=resume_after(request, selectors.reading_last_id),
            seconds=float(settings.HONGMIAN_OPS_STREAM_SECONDS),
            poll=float(settings.HONGMIAN_OPS_POLL_SECONDS),
        )
    )


@login_required
@require_GET
def villages(request: HttpRequest) -> HttpResponse:
    """城中村专题: population, rental housing, hotline hot spots and grid events by village."""
    _viewer(request)
    return render(request, "opscentre/villages.html", selectors_villages.village_rows())
