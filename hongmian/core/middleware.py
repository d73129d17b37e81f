"""A lean path for programs calling the API with a key (docs/decisions/0011).

A request to `/api/` that carries `Authorization: Bearer …` is judged by that key alone
(`identity.auth.ApiKeyOrSession`): it never reads the session, so it has no use for the
session, locale, CSRF, user-language, messages, clickjacking, htmx and axes middleware that
a browser page needs — together about a third of the request's CPU. This middleware, placed
right after SecurityMiddleware and WhiteNoise, sends such a request straight to URL
resolution and the view, and every other request down the full stack unchanged.

Why this is safe: CSRF defends a cookie that the browser attaches by itself; a bearer key is
never attached by the browser, and a request that carries one is refused (401) if the key
is bad, never let through on the session cookie it may also carry. A request without the
header — every browser page and the web screens' HTMX calls on the session — takes the
full stack, CSRF check included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PREFIX = "/api/"


def is_api_key_request(request: HttpRequest) -> bool:
    """An API call that authenticates with a bearer key (and so cannot use the session)."""
    if not request.path_info.startswith(API_PREFIX):
        return False
    scheme, _, _ = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    return scheme.lower() == "bearer"


class _ViewOnlyHandler(BaseHandler):
    """Django's handler with an empty middleware list: resolve the URL, call the view.
    (What `load_middleware()` builds when MIDDLEWARE is empty.)"""

    def __init__(self) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._chain = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]  # BaseHandler's, missing from the stubs

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return cast(HttpResponse, self._chain(request))


class ApiKeyRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.view_only = _ViewOnlyHandler()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_key_request(request):
            return self.get_response(request)
        # What the skipped middleware would have set: no session user (the key's account
        # replaces it once authenticated) and the site's language, not whatever an earlier
        # request left active on this thread.
        request.user = AnonymousUser()
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.view_only(request)
