"""The lean path for bearer-key API calls (core.middleware.ApiKeyRequestMiddleware): such a
call runs without the session, CSRF, locale, messages, clickjacking and axes middleware;
every other request — a browser's, or an API call on the session — keeps the full stack,
CSRF check included."""

from __future__ import annotations

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client
from django.utils import translation

from hongmian.hotline.tests.http import api_key_for
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/hotline/work-orders"
ORDER = {
    "channel": "phone",
    "request_type": "complaint",
    "title": "路灯不亮",
    "content": "天河路路灯连续三晚不亮。",
}


@pytest.fixture
def agent():
    return UserFactory(role=Role.HOTLINE_AGENT)


@pytest.fixture
def no_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request that reaches the session middleware fails loudly."""

    def refuse(self, request):
        raise AssertionError(f"session middleware ran for {request.path}")

    monkeypatch.setattr(SessionMiddleware, "process_request", refuse)


@pytest.mark.usefixtures("no_sessions")
def test_a_bearer_call_works_without_the_session_middleware(agent) -> None:
    client = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {api_key_for(agent)}"}
    response = client.post(ORDERS, ORDER, content_type="application/json", headers=auth)
    assert response.status_code == 201, response.content
    assert client.get(ORDERS, headers=auth).status_code == 200
    # Nothing a browser page needs: no cookie set, no clickjacking header.
    assert not response.cookies
    assert "X-Frame-Options" not in response
    with pytest.raises(AssertionError, match="session middleware ran"):
        client.get(ORDERS)  # no bearer header: the full stack (and so the patched session)


def test_a_bad_key_is_refused_even_with_a_valid_session(agent) -> None:
    client = Client()
    client.force_login(agent)
    assert client.get(ORDERS).status_code == 200
    response = client.get(ORDERS, headers={"Authorization": "Bearer hm_0123456789ab_nope"})
    assert response.status_code == 401


def test_a_session_call_without_the_csrf_token_is_still_refused(agent) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(ORDERS, ORDER, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    # A non-bearer Authorization scheme does not take the lean path either.
    response = client.post(
        ORDERS, ORDER, content_type="application/json", headers={"Authorization": "Basic eDp5"}
    )
    assert response.status_code == 401


def test_browser_pages_keep_their_headers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"


def test_a_bearer_call_does_not_inherit_the_threads_language(agent) -> None:
    translation.activate("en")
    try:
        client = Client()
        client.get(ORDERS, headers={"Authorization": f"Bearer {api_key_for(agent)}"})
        assert translation.get_language() == "zh-hans"
    finally:
        translation.deactivate()
