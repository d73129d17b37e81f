"""Anti-bot limits of the public booking doors (web and API), counted in the platform's
shared store (core/ratelimit.py: one atomic upsert in the database, shared by every process;
decision 0057). Both doors call `booking_rate_check` before the service."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hongmian.appointments.policy import appointment_policy
from hongmian.core import ratelimit
from hongmian.core.actors import Actor

WINDOW_SECONDS = 60


def booking_rate_check(actor: Actor) -> None:
    """Refuse (429 with Retry-After, `appointment.rate_limited`) a booking request over the
    account's or the address's limit per minute."""
    policy = appointment_policy()
    checks: list[tuple[str, int]] = []
    if actor.user is not None:
        checks.append((f"booking:user:{actor.user.pk}", policy.rate_per_account))
    if actor.client_address:
        checks.append((f"booking:addr:{actor.client_address}", policy.rate_per_address))
    for key, limit in checks:
        decision = ratelimit.hit(key, limit=limit, window=WINDOW_SECONDS)
        if not decision.allowed:
            raise ratelimit.refuse(
                decision,
                code="appointment.rate_limited",
                message=_("预约操作过于频繁，请一分钟后再试"),
            )
