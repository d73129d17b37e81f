"""The guard on the public's lookups by order number and phone (the track page, the caller's
own rating on the page and through the API).

The pair is all a visitor without an account proves, so a wrong pair must not be guessed
at leisure: TRACK_MISSES_ALLOWED misses from one client address within TRACK_WINDOW_SECONDS
lock every such lookup from that address for the rest of the window.
The web pages and the API share one count per address, so a second door gives no second
allowance. The count lives in the cache (`CACHES["default"]`); with a per-process cache each
worker counts on its own, which still caps guessing at workers × allowance.

Doors ask `lookup_locked(request)` before they look anything up, and call
`lookup_missed(request)` when the pair found nothing (NotFound from
`selectors.work_order_track` or from `work_order_caller_rate`).
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hongmian.core.actors import client_address
from hongmian.core.errors import RateLimited

TRACK_MISSES_ALLOWED = 10
TRACK_WINDOW_SECONDS = 15 * 60
LOCKED_MESSAGE = _("查询次数过多，请 15 分钟后再试，或致电 12345。")


def _misses_key(request: HttpRequest) -> str:
    return f"hotline:track-misses:{client_address(request) or 'unknown'}"


def lookup_locked(request: HttpRequest) -> bool:
    """Whether this address has used up its wrong guesses for the window."""
    return int(cache.get(_misses_key(request), 0)) >= TRACK_MISSES_ALLOWED


def lookup_missed(request: HttpRequest) -> None:
    """Count one wrong pair from this address. The window starts at the first miss."""
    key = _misses_key(request)
    if not cache.add(key, 1, TRACK_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, TRACK_WINDOW_SECONDS)


def lookup_refused() -> RateLimited:
    """The error a door raises (or shows) while the address is locked: 429."""
    return RateLimited(str(LOCKED_MESSAGE), code="work_order.too_many_attempts")


__all__ = [
    "LOCKED_MESSAGE",
    "TRACK_MISSES_ALLOWED",
    "TRACK_WINDOW_SECONDS",
    "lookup_locked",
    "lookup_missed",
    "lookup_refused",
]
