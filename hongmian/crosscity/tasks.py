"""The cross-city jobs: delivering a package, delivering a status update. Both retried with
back-off (core.jobs) so that an unreachable partner never loses one; both idempotent (a
delivered package or update is not sent again)."""

from __future__ import annotations

from hongmian.core.jobs import reliable_task
from hongmian.crosscity.services.sending import package_deliver_once
from hongmian.crosscity.services.status import status_deliver_once

# An unreachable partner is tried again for about a day and a half (core.jobs back-off).
ATTEMPTS = 60


@reliable_task(max_attempts=ATTEMPTS)
def package_deliver(*, package_pk: int) -> str:
    return package_deliver_once(package_pk=package_pk)


@reliable_task(max_attempts=ATTEMPTS)
def status_deliver(*, update_pk: int) -> bool:
    return status_deliver_once(update_pk=update_pk)
