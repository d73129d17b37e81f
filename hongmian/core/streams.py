"""Server-sent events (SSE) over "the rows after an id": one bounded stream for every push
screen (the agent's screen pop, a hall's call-up screen and live view).

A response lives for a bounded time (`seconds`), polling the selector every `poll` seconds
and sending each new row as an event whose `id:` is the row's id; then it ends, and the
browser's EventSource reconnects by itself with `Last-Event-ID`, so nothing posted in
between is missed and no worker is held for ever. A quiet stream sends a comment now and
then, because proxies close silent connections.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from hongmian.core.validators import parse_id

# Seconds of silence before a keep-alive comment.
KEEP_ALIVE_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class Event:
    """One event of the stream: `id` resumes after it, `name` is what the page listens for."""

    id: int
    name: str
    data: Mapping[str, Any]

    def encode(self) -> str:
        body = json.dumps(self.data, ensure_ascii=False, default=str)
        return f"id: {self.id}\nevent: {self.name}\ndata: {body}\n\n"


def rows_stream[Row](
    *,
    after: Callable[[int], Sequence[Row]],
    event: Callable[[Row], Event],
    last_id: int,
    seconds: float,
    poll: float,
    retry_ms: int = 500,
) -> Iterator[str]:
    """The stream: `after(last_id)` gives the rows newer than the last sent (a bounded
    batch, oldest first); `event(row)` turns one into its event (and may audit the read)."""
    deadline = time.monotonic() + seconds
    quiet_since = time.monotonic()
    # How soon the browser reconnects when this response ends.
    yield f"retry: {retry_ms}\n\n"
    while True:
        rows = after(last_id)
        for row in rows:
            sent = event(row)
            last_id = sent.id
            yield sent.encode()
        now = time.monotonic()
        if rows:
            quiet_since = now
        elif now - quiet_since > KEEP_ALIVE_SECONDS:
            quiet_since = now
            yield ": keep-alive\n\n"
        if now >= deadline:
            return
        time.sleep(poll)


def resume_after(request: HttpRequest, fresh: Callable[[], int]) -> int:
    """Where a stream starts: after the Last-Event-ID the browser sends on a reconnect (or
    `?after=`); 0 asks for every row; anything that names no id starts `fresh()` (after
    the newest row: old events do not replay on a new page)."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after", "")
    if raw == "0":
        return 0
    last_id = parse_id(raw)
    return fresh() if last_id is None else last_id


def event_stream_response(stream: Iterator[str]) -> HttpResponse:
    """The stream as a response. Typed as HttpResponse, as the views' decorators expect; a
    streaming response has the same headers and status."""
    response: HttpResponse = StreamingHttpResponse(  # type: ignore[assignment]
        stream, content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
