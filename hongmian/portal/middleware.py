"""A logged-in user's saved interface language, applied on every request and saved when
they switch.

Runs after AuthenticationMiddleware (it needs `request.user`) and so after
LocaleMiddleware, whose choice (language cookie, then Accept-Language) stands for
anonymous visitors and is overridden here for logged-in users.

Switching goes through Django's own `set_language` view, which only sets the language
cookie; this middleware sees that cookie on the way out and saves the choice: on the
User for a logged-in user, in the session for an anonymous one (the login view adopts it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from hongmian.core.actors import Actor
from hongmian.identity.models import User
from hongmian.portal.preferences import LANGUAGE_SESSION_KEY
from hongmian.portal.services import supported_languages, user_preferences_update


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _logged_in_user(request)
        if user is not None and user.language in supported_languages():
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()

        response = self.get_response(request)

        # The user may have logged in or out during the request: look again.
        user = _logged_in_user(request)
        chosen = _language_set_by(response)
        if chosen is not None:
            if user is not None:
                user_preferences_update(
                    actor=Actor.from_request(request), user=user, language=chosen
                )
            elif hasattr(request, "session"):
                request.session[LANGUAGE_SESSION_KEY] = chosen
        elif (
            user is not None and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != user.language
        ):
            # Keep the cookie in step with the account, so that the pages seen after
            # logging out (the login page) stay in the language the person reads.
            _set_language_cookie(response, user.language)
        return response


def _logged_in_user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _language_set_by(response: HttpResponse) -> str | None:
    """The language a response sets in the language cookie, if it sets a supported one."""
    morsel = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if morsel is None or morsel.value not in supported_languages():
        return None
    return morsel.value


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
