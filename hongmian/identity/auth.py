"""Authentication for the API: an API key (`Authorization: Bearer hm_…`) or the session.

It is the one default of the whole API (config/api.py): every operation takes a key or the
session unless it says otherwise (`auth=None` for the public ones, `api_key_session_or_anonymous`
for those that anonymous visitors may read too). Programs send a key; the web screens' HTMX
calls ride on the logged-in session, and then Django's CSRF check applies to every unsafe
method, exactly as for a form. A request that sends an Authorization header is judged by that
header alone: a bad key never falls back to whatever session cookie the client also happens
to carry, nor to being anonymous.
"""

from __future__ import annotations

import copy
import hmac
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from hongmian.core.errors import PermissionDenied
from hongmian.identity import permissions
from hongmian.identity.api_key_cache import api_key_cached
from hongmian.identity.models import User
from hongmian.identity.services.api_keys import (
    api_key_digest,
    api_key_mark_used,
    api_key_prefix_of,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def api_key_user(key: str) -> User | None:
    """The active account a key acts for, or None for a malformed, unknown or revoked key
    (the caller cannot tell which: all are "not authenticated"). Rows come from a
    per-process cache of a few seconds (`api_key_cache`): a revocation elsewhere takes
    effect within HONGMIAN_API_KEY_CACHE_SECONDS."""
    key = key.strip()
    prefix = api_key_prefix_of(key)
    if prefix is None:
        return None
    api_key = api_key_cached(prefix)
    if (
        api_key is None
        or api_key.revoked_at is not None
        or not hmac.compare_digest(api_key.digest, api_key_digest(key))
    ):
        return None
    if not permissions.is_active_user(api_key.user):
        return None
    api_key_mark_used(api_key=api_key)
    # The cached row is shared between requests; the request gets its own account object.
    return copy.copy(api_key.user)


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header; "" for any other scheme, None when
    there is no header at all."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class ApiKeyOrSession(HttpBearer):
    """ninja auth: the key's account, or the session's user; None (→ 401) otherwise.

    With `anonymous=True` a request that brings neither key nor session passes as an
    AnonymousUser (on request.auth), for reads open to everyone; a bad key is still 401."""

    def __init__(self, *, anonymous: bool = False) -> None:
        super().__init__()
        self.anonymous = anonymous

    def __call__(self, request: HttpRequest) -> Any | None:
        token = bearer_token(request)
        if token is not None:
            return self.authenticate(request, token) if token else None
        user = getattr(request, "user", None)
        if not permissions.is_active_user(user):
            return AnonymousUser() if self.anonymous else None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise PermissionDenied("CSRF 校验失败：请刷新页面后重试", code="csrf_failed")
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_key_user(token)
        if user is not None:
            # Services build their Actor from request.user; a key acts as its account.
            request.user = user
        return user


api_key_or_session = ApiKeyOrSession()
api_key_session_or_anonymous = ApiKeyOrSession(anonymous=True)

# What an operation open to anonymous readers adds to its OpenAPI entry: the empty
# requirement says "or no credentials at all" (ninja lists only the auth class).
ANONYMOUS_ALLOWED: dict[str, Any] = {"security": [{}]}
