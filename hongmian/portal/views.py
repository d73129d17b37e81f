"""Views of the web shell. They parse input and call services; the pages are templates."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongmian.core.actors import Actor
from hongmian.portal.forms import ElderModeForm, LoginForm
from hongmian.portal.preferences import (
    ELDER_MODE_CHOSEN_SESSION_KEY,
    ELDER_MODE_SESSION_KEY,
    LANGUAGE_SESSION_KEY,
    elder_mode_for,
)
from hongmian.portal.selectors import home_page_get
from hongmian.portal.services import supported_languages, user_preferences_update


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["lockout_minutes"] = _lockout_minutes(self.request)
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        _adopt_session_preferences(self.request)
        return response


def _adopt_session_preferences(request: HttpRequest) -> None:
    """Choices made on the login page (kept in the session) carry over to the account: a
    person who turned on elder mode to read the login form needs it after logging in too."""
    elder = request.session.pop(ELDER_MODE_SESSION_KEY, None)
    elder_chosen = request.session.pop(ELDER_MODE_CHOSEN_SESSION_KEY, False)
    language = request.session.pop(LANGUAGE_SESSION_KEY, None)
    if language not in supported_languages():
        language = None
    # Only turning elder mode on is adopted: turning it off before logging in is no reason
    # to turn it off for the account (it may have been someone else's choice).
    adopt_elder = elder is True and elder_chosen is True
    if not adopt_elder and language is None:
        return
    user_preferences_update(
        actor=Actor.from_request(request),
        user=request.user,  # type: ignore[arg-type]  # logged in by form_valid
        elder_mode=True if adopt_elder else None,
        language=language,
    )


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule). Elder mode outlives the logout, so that the login page a
    person comes back to is still one they can read."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        keep_elder_mode = elder_mode_for(request)
        response = super().post(request, *args, **kwargs)
        if keep_elder_mode:
            # For display only, not marked as chosen: the next person to log in on this
            # screen must not have it saved on their account.
            request.session[ELDER_MODE_SESSION_KEY] = True
        messages.info(request, _("您已安全退出。"))
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    elder_mode = elder_mode_for(request)
    page = home_page_get(request.user, elder_mode=elder_mode)  # type: ignore[arg-type]
    return render(request, "portal/home.html", {"page": page})


@require_POST
def elder_mode_update(request: HttpRequest) -> HttpResponse:
    """Turn elder mode on or off and go back to where the person was.

    Works as a plain form POST (a redirect) and through HTMX: the browser's request follows
    the redirect, and HTMX swaps the returned page's #page into the current one."""
    form = ElderModeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("请求无效。"))
    enabled: bool = form.cleaned_data["elder_mode"]
    if request.user.is_authenticated:
        user_preferences_update(
            actor=Actor.from_request(request),
            user=request.user,
            elder_mode=enabled,
        )
    else:
        request.session[ELDER_MODE_SESSION_KEY] = enabled
        request.session[ELDER_MODE_CHOSEN_SESSION_KEY] = True
    messages.success(request, _("已开启长者模式。") if enabled else _("已关闭长者模式。"))
    return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("portal:home")


def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) instead of the login page once an
    account has had too many wrong passwords; it also answers every later attempt, the
    right password included, until the cool-off ends. axes 8 passes
    (request, original_response, credentials), older releases (request, credentials):
    neither is needed to say how long to wait, so both are accepted and ignored."""
    context = {"lockout_minutes": _lockout_minutes(request)}
    return render(request, "portal/locked_out.html", context, status=429)


def _lockout_minutes(request: HttpRequest) -> int | None:
    """AXES_COOLOFF_TIME in whole minutes (rounded up); None when a lock never expires."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    seconds = int(cool_off.total_seconds())
    return max(1, -(-seconds // 60))
