"""The guard on the public's lookups by order number and phone (the track page, the caller's
own rating on the page and through the API).

The pair is all a visitor without an account proves, so a wrong pair must not be guessed
at leisure: TRACK_MISSES_ALLOWED misses from one client address within TRACK_WINDOW_SECONDS
lock every such lookup from that address for the rest of the window.
The web pages and the API share one count per address, so a second door gives no second
allowance. The count lives in the database (`hongmian.core.ratelimit`), shared by every
worker process: the allowance is TRACK_MISSES_ALLOWED in all, not per worker.

Doors ask `lookup_locked(request)` before they look anything up, and call
`lookup_missed(request)` when the pair found nothing (NotFound from
`selectors.work_order_track` or from `work_order_caller_rate`).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hongmian.core import ratelimit
from hongmian.core.errors import RateLimited

TRACK_MISSES_ALLOWED = 10
TRACK_WINDOW_SECONDS = 15 * 60
LOCKED_MESSAGE = _("查询次数过多，请 15 分钟后再试，或致电 12345。")


SCOPE = "hotline:track-misses"


def lookup_locked(request: HttpRequest) -> bool:
    """Whether this address has used up its wrong guesses for the window."""
    key = ratelimit.address_key(request, SCOPE)
    return not ratelimit.peek(key, limit=TRACK_MISSES_ALLOWED).allowed


def lookup_missed(request: HttpRequest) -> None:
    """Count one wrong pair from this address. The window starts at the first miss."""
    ratelimit.hit_address(request, SCOPE, limit=TRACK_MISSES_ALLOWED, window=TRACK_WINDOW_SECONDS)


def lookup_refused(request: HttpRequest | None = None) -> RateLimited:
    """The error a door raises (or shows) while the address is locked: 429, with
    Retry-After when the request is given."""
    retry_after = 0
    if request is not None:
        key = ratelimit.address_key(request, SCOPE)
        retry_after = ratelimit.peek(key, limit=TRACK_MISSES_ALLOWED).retry_after
    return RateLimited(
        str(LOCKED_MESSAGE), code="work_order.too_many_attempts", retry_after=retry_after
    )


__all__ = [
    "LOCKED_MESSAGE",
    "TRACK_MISSES_ALLOWED",
    "TRACK_WINDOW_SECONDS",
    "lookup_locked",
    "lookup_missed",
    "lookup_refused",
]
