"""How often the public may file a request (issue 16, item 4; decision 0057).

Staff take calls all day and are not counted. A citizen's or an enterprise's own account is
counted per account, and an Open311 client per API key account (a relay files for many
people, so its allowance is larger); the counts live in the shared store
(`hongmian.core.ratelimit`), so every worker process draws on one allowance. Each public
door — the citizen's web form, `POST /api/hotline/work-orders`, Open311's POST — calls
`intake_guard` before the intake service; the service itself is not counted, so the demo's
seeding, telephony and batch imports by staff file at full speed.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from hongmian.core import ratelimit
from hongmian.core.actors import Actor
from hongmian.hotline.states import Channel
from hongmian.identity.states import PUBLIC_ROLES

HOUR = 60 * 60


def intake_guard(actor: Actor, channel: str) -> None:
    """Count one filing by a public account or an Open311 client; raise RateLimited (429,
    `work_order.too_many_submissions`, Retry-After) once its hourly allowance is spent."""
    user = actor.user
    if user is None:
        return  # refused earlier: online intake needs an account (decision 0014)
    if channel == Channel.OPEN311:
        limit = int(settings.HONGMIAN_OPEN311_SUBMISSIONS_PER_HOUR)
    elif user.role in PUBLIC_ROLES:
        limit = int(settings.HONGMIAN_PUBLIC_SUBMISSIONS_PER_HOUR)
    else:
        return
    decision = ratelimit.hit(f"hotline:intake:{user.pk}", limit=limit, window=HOUR)
    if not decision.allowed:
        raise ratelimit.refuse(
            decision,
            code="work_order.too_many_submissions",
            message=gettext("提交过于频繁，请稍后再试；紧急情况请拨打 12345。"),
        )


__all__ = ["intake_guard"]
