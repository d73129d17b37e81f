"""Where an anonymous visitor's display choices are kept until they log in.

A logged-in user's choices live on the User (saved by `services.user_preferences_update`);
before login they live in the session, which Django keeps across login (it only changes
the session's key), so the login view can adopt them onto the account.
"""

from __future__ import annotations

from django.http import HttpRequest

# Session keys. The session, unlike a cookie, ends with the visit, so on a shared
# terminal (a service hall kiosk) one visitor's choices do not reach the next one's account.
ELDER_MODE_SESSION_KEY = "portal_elder_mode"
# Set when the visitor used the toggle themselves, not when elder mode was carried over a
# logout: only a choice made by the person now at the screen is adopted at login.
ELDER_MODE_CHOSEN_SESSION_KEY = "portal_elder_mode_chosen"
LANGUAGE_SESSION_KEY = "portal_language"


def elder_mode_for(request: HttpRequest) -> bool:
    """Whether the page should render in elder mode for whoever is asking."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.elder_mode)
    session = getattr(request, "session", None)
    return bool(session.get(ELDER_MODE_SESSION_KEY, False)) if session is not None else False
