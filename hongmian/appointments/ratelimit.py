"""Anti-bot limits of the public booking doors (web and API), in a store every process
shares: the database.

The seam is `rate_limiter()`: it builds the class named by
`settings.HONGMIAN_APPOINTMENTS_RATE_LIMITER` (this module's `DatabaseRateLimiter` by
default). When the platform's shared limiter lands (identity/core), point the setting at
it, or replace the default here; callers only use `booking_rate_check`.
"""

from __future__ import annotations

import time
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from hongmian.appointments.models import RateCounter
from hongmian.appointments.policy import appointment_policy
from hongmian.core.actors import Actor
from hongmian.core.errors import RateLimited

DEFAULT_LIMITER = "hongmian.appointments.ratelimit.DatabaseRateLimiter"
WINDOW_SECONDS = 60


class RateLimiter(Protocol):
    def hit(self, key: str, *, limit: int, per_seconds: int) -> bool:
        """Count one request under `key`; False when it is over `limit` in the window."""
        ...


class DatabaseRateLimiter:
    """Fixed windows counted in `RateCounter` rows: one conditional UPDATE per hit (an
    INSERT for the window's first)."""

    def hit(self, key: str, *, limit: int, per_seconds: int) -> bool:
        window = int(time.time() // per_seconds)
        with transaction.atomic():
            rows = RateCounter.objects.filter(key=key, window=window)
            if not rows.update(hits=F("hits") + 1):
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=key, window=window, hits=1)
                except IntegrityError:  # another process opened the window first
                    rows.update(hits=F("hits") + 1)
            hits = rows.values_list("hits", flat=True).first() or 0
        return hits <= limit


def rate_limiter() -> RateLimiter:
    path = getattr(settings, "HONGMIAN_APPOINTMENTS_RATE_LIMITER", DEFAULT_LIMITER)
    limiter: RateLimiter = import_string(path)()
    return limiter


def booking_rate_check(actor: Actor) -> None:
    """Refuse (429, `appointment.rate_limited`) a booking request over the account's or the
    address's limit. Both doors call it before the service."""
    policy = appointment_policy()
    limiter = rate_limiter()
    checks: list[tuple[str, int]] = []
    if actor.user is not None:
        checks.append((f"booking:user:{actor.user.pk}", policy.rate_per_account))
    if actor.client_address:
        checks.append((f"booking:addr:{actor.client_address}", policy.rate_per_address))
    for key, limit in checks:
        if not limiter.hit(key, limit=limit, per_seconds=WINDOW_SECONDS):
            raise RateLimited(
                _("预约操作过于频繁，请一分钟后再试"), code="appointment.rate_limited"
            )
