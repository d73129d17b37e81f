"""Login lockout (django-axes), keyed so that nobody can lock a known account from anywhere
(issue 16, item 4; decision 0057).

Two thresholds, both counted in axes's attempts table (the database: shared by every web
process, so the allowance is not multiplied by the number of workers):
- AXES_FAILURE_LIMIT wrong passwords for one username from one client address lock that
  username *from that address* (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]):
  someone who knows a colleague's username cannot lock them out from their own desk.
- HONGMIAN_LOGIN_ACCOUNT_FAILURE_LIMIT wrong passwords for the username from all addresses
  together lock the account everywhere: the defence against guessing spread over many
  addresses, high enough that one office cannot reach it by accident.
Both last AXES_COOLOFF_TIME; the security administrator clears both at once
(`identity.services.user_lockout_clear` deletes every attempt of the username).
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from hongmian.core.actors import client_address


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address every other guard uses (core.actors, which
    honours HONGMIAN_TRUSTED_PROXY_COUNT), not a second reading of X-Forwarded-For."""
    return client_address(request)


def account_failures(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """Wrong passwords for this request's username from every address within the cool-off."""
    username = get_client_username(request, credentials)
    if not username:
        return 0
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class LoginLockoutHandler(AxesDatabaseHandler):
    """axes's database handler with the account-wide threshold on top of the per-address one.

    axes asks `get_failures` both to decide a lock after a failure and to refuse a login
    before it is tried; answering at least the failure limit once the account-wide count is
    reached makes both apply it, with axes's own lockout page and signal."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        from_here = int(super().get_failures(request, credentials))
        limit = int(get_failure_limit(request, credentials))
        if from_here >= limit:
            return from_here
        if account_failures(request, credentials) >= settings.HONGMIAN_LOGIN_ACCOUNT_FAILURE_LIMIT:
            return limit
        return from_here


__all__ = ["LoginLockoutHandler", "account_failures", "client_ip"]
