"""Response headers every page and API answer carries (issue 16, item 3; decision 0057).

Django's own middleware sets the Content-Security-Policy (`django.middleware.csp`, policy in
settings.SECURE_CSP), X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy
(SecurityMiddleware). This one adds what Django has no setting for:
- Permissions-Policy: no page of ours uses a camera, a microphone, the location or payment,
  so none may — nor may a script injected into one;
- Cache-Control: `no-store` on every response that did not declare itself public. Pages and
  API answers carry personal data (a caller's phone, an order's address); neither the
  browser's disk cache nor a shared proxy may keep them. Static files (WhiteNoise) and the
  public documents that opt in with `public_cache` stay cacheable.

It sits right after SecurityMiddleware, before WhiteNoise and the API-key fast path
(core.middleware), so that every response — a static file, a key-authenticated API call,
an error page — passes through it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

View = TypeVar("View", bound=Callable[..., Any])


def _is_public(response: HttpResponseBase) -> bool:
    directives = {
        d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")
    }
    return "public" in directives


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not _is_public(response):
            # Replaces a weaker private/no-cache/max-age: the answer is not to be kept at all.
            response["Cache-Control"] = "no-store"
            if "Expires" in response:
                del response["Expires"]
        return response


def public_cache(max_age: int) -> Callable[[View], View]:
    """Mark a view's answers as a public document (the same for everyone, no personal data):
    shared caches may keep it for `max_age` seconds."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=max_age)
            return response

        return wrapper  # type: ignore[return-value]

    return decorate


__all__ = ["PERMISSIONS_POLICY", "SecurityHeadersMiddleware", "public_cache"]
