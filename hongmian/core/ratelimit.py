"""Rate limits and lockouts that hold across processes (issue 16, item 4; decision 0057).

One count per key lives in the database (`core.RateCounter`): every gunicorn worker, every
app server and the task worker see the same number, on SQLite (the demo) and PostgreSQL
(production) alike. A count kept in each process's memory — as the track page's was — let
N workers allow N times the limit.

A key's window starts at its first hit and lasts `window` seconds; the hit that starts a
new window counts 1 again. `hit` is one INSERT … ON CONFLICT DO UPDATE … RETURNING
statement: two processes hitting the same key at once each get their own, consecutive,
count (PostgreSQL locks the row for the upsert; SQLite runs one writer at a time).

Callers:
- `hit(key, limit=, window=)` counts and answers whether this request is still allowed
  (the count includes this hit): submissions, Open311 POST, booking, code verification.
- `peek(key, limit=)` answers without counting, for a door that counts only failures
  (the track page and the caller's rating count wrong number/phone pairs, not lookups).
- `hit_address(request, scope, …)` keys by the client's address (`core.actors`), the usual
  key for a public endpoint; `refuse(decision)` is the 429 a door raises.
Login lockout is django-axes's (`identity.lockout`): its attempts table is shared the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from hongmian.core.actors import client_address
from hongmian.core.errors import RateLimited
from hongmian.core.models import RateCounter

KEY_MAX = 200  # RateCounter.key's max_length; longer keys are refused, not cut (no clashes)

# The one statement that counts. "key" is quoted: a keyword in some SQL dialects. The SET
# expressions read the row as it was before the update (standard SQL, both databases).
_UPSERT = """
INSERT INTO core_ratecounter ("key", count, window_ends) VALUES (%s, %s, %s)
ON CONFLICT ("key") DO UPDATE SET
    count = CASE WHEN core_ratecounter.window_ends <= %s THEN excluded.count
                 ELSE core_ratecounter.count + excluded.count END,
    window_ends = CASE WHEN core_ratecounter.window_ends <= %s THEN excluded.window_ends
                       ELSE core_ratecounter.window_ends END
RETURNING count, window_ends
"""


@dataclass(frozen=True)
class Decision:
    """The answer for one key: `allowed` is False once `count` is over `limit`."""

    allowed: bool
    count: int
    limit: int
    window_ends: dt.datetime | None  # None: the key has no live window (never hit, or expired)

    @property
    def retry_after(self) -> int:
        """Whole seconds until the window ends (the Retry-After header); 0 when allowed."""
        if self.allowed or self.window_ends is None:
            return 0
        return max(1, math.ceil((self.window_ends - timezone.now()).total_seconds()))


def _check_key(key: str) -> None:
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"rate-limit key must be 1–{KEY_MAX} characters")


def _as_datetime(value: object) -> dt.datetime:
    # PostgreSQL returns an aware datetime; SQLite the text Django stored (naive UTC).
    if isinstance(value, dt.datetime):
        moment = value
    else:
        parsed = parse_datetime(str(value))
        if parsed is None:
            raise ValueError(f"unreadable window end {value!r}")
        moment = parsed
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def hit(key: str, *, limit: int, window: int, amount: int = 1) -> Decision:
    """Count one hit on `key` and say whether it is within `limit` hits per `window` seconds.
    Atomic across threads and processes. Inside a transaction that later rolls back, the hit
    rolls back too: count before the work you guard, outside its transaction. `amount`
    counts a hit as that many (a data hub call counts the rows it returns against a quota:
    `count - amount` is then what was used before this hit)."""
    _check_key(key)
    if limit < 1 or window < 1 or amount < 1:
        raise ValueError("limit, window and amount must be positive")
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    ends, current = adapt(now + dt.timedelta(seconds=window)), adapt(now)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key, amount, ends, current, current])
        count, window_ends = cursor.fetchone()
    return Decision(
        allowed=count <= limit, count=count, limit=limit, window_ends=_as_datetime(window_ends)
    )


def peek(key: str, *, limit: int) -> Decision:
    """The key's standing without counting: refused once `limit` hits were counted in the
    live window (the next one would be over)."""
    _check_key(key)
    row = RateCounter.objects.filter(key=key, window_ends__gt=timezone.now()).first()
    if row is None:
        return Decision(allowed=True, count=0, limit=limit, window_ends=None)
    return Decision(
        allowed=row.count < limit, count=row.count, limit=limit, window_ends=row.window_ends
    )


def reset(key: str) -> None:
    """Forget the key's count (a success that ends a run of failures, an operator's act)."""
    RateCounter.objects.filter(key=key).delete()


def address_key(request: HttpRequest, scope: str) -> str:
    """`scope:address` — one count per client address and endpoint family."""
    return f"{scope}:{client_address(request) or 'unknown'}"


def hit_address(request: HttpRequest, scope: str, *, limit: int, window: int) -> Decision:
    """`hit` keyed by the client's address: the usual guard of a public endpoint."""
    return hit(address_key(request, scope), limit=limit, window=window)


def refuse(decision: Decision, *, code: str = "rate_limited", message: str = "") -> RateLimited:
    """The 429 a door raises for a refused decision; `retry_after` rides along for the
    Retry-After header (core.api_errors and the web pages set it)."""
    return RateLimited(
        message or gettext("请求过于频繁，请稍后再试。"),
        code=code,
        retry_after=decision.retry_after,
    )


def prune_expired(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Delete counters whose window ended more than `older_than` ago. Returns how many."""
    return RateCounter.objects.filter(window_ends__lt=timezone.now() - older_than).delete()[0]


__all__ = [
    "Decision",
    "address_key",
    "hit",
    "hit_address",
    "peek",
    "prune_expired",
    "refuse",
    "reset",
]
