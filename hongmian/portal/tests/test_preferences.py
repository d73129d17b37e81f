"""Elder mode and interface language: saved on the account through the service, kept in the
session before login, and audited."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity.states import Role
from hongmian.portal.home import ELDER_MODE_MAX_ACTIONS
from hongmian.portal.preferences import ELDER_MODE_SESSION_KEY
from hongmian.portal.services import user_preferences_update
from hongmian.portal.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
LOGIN = reverse("portal:login")
ELDER = reverse("portal:elder_mode")
SET_LANGUAGE = reverse("set_language")


def _login(client: Client, username: str) -> None:
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


# ---- the service ------------------------------------------------------------------------


def test_service_saves_and_audits_the_change(citizen) -> None:
    user_preferences_update(actor=Actor(user=citizen, via="web"), user=citizen, elder_mode=True)

    citizen.refresh_from_db()
    assert citizen.elder_mode is True
    event = AuditEvent.objects.get()
    assert event.action == "user.preferences_update"
    assert event.actor == citizen
    assert event.target_type == "identity.user"
    assert event.target_id == str(citizen.pk)
    assert event.before == {"elder_mode": False}
    assert event.after == {"elder_mode": True}


def test_service_writes_nothing_when_nothing_changes(citizen) -> None:
    user_preferences_update(
        actor=Actor(user=citizen), user=citizen, elder_mode=False, language="zh-hans"
    )

    assert not AuditEvent.objects.exists()


def test_service_updates_both_and_the_callers_object(citizen) -> None:
    returned = user_preferences_update(
        actor=Actor(user=citizen), user=citizen, elder_mode=True, language="en"
    )

    assert returned is citizen
    assert (citizen.elder_mode, citizen.language) == (True, "en")
    event = AuditEvent.objects.get()
    assert event.after == {"elder_mode": True, "language": "en"}


def test_service_refuses_an_unsupported_language(citizen) -> None:
    with pytest.raises(ValidationFailed) as caught:
        user_preferences_update(actor=Actor(user=citizen), user=citizen, language="fr")

    assert "language" in caught.value.fields
    assert not AuditEvent.objects.exists()


def test_service_refuses_someone_elses_preferences(make_user, citizen) -> None:
    other = make_user(username="other")

    with pytest.raises(PermissionDenied):
        user_preferences_update(actor=Actor(user=other), user=citizen, elder_mode=True)


def test_system_admin_and_commands_may_set_anyones(make_user, citizen) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)

    user_preferences_update(actor=Actor(user=admin), user=citizen, elder_mode=True)
    user_preferences_update(actor=Actor.cli(None, "support"), user=citizen, language="en")

    assert AuditEvent.objects.count() == 2


def test_anonymous_web_actor_may_not(citizen) -> None:
    with pytest.raises(PermissionDenied):
        user_preferences_update(actor=Actor(user=None, via="web"), user=citizen, elder_mode=True)


# ---- elder mode through the web ---------------------------------------------------------


def test_elder_toggle_persists_on_the_user_and_across_a_new_login(client, citizen) -> None:
    _login(client, citizen.username)

    response = client.post(ELDER, {"elder_mode": "on", "next": HOME})

    assert response.status_code == 302
    assert response["Location"] == HOME
    citizen.refresh_from_db()
    assert citizen.elder_mode is True
    assert AuditEvent.objects.filter(action="user.preferences_update").count() == 1

    fresh = Client()
    _login(fresh, citizen.username)
    html = fresh.get(HOME).content.decode()
    assert "page--elder" in html
    assert 'aria-pressed="true"' in html
    assert html.count('<li class="card') <= ELDER_MODE_MAX_ACTIONS

    client.post(ELDER, {"elder_mode": "off", "next": HOME})
    citizen.refresh_from_db()
    assert citizen.elder_mode is False
    assert "page--elder" not in client.get(HOME).content.decode()


def test_elder_toggle_through_htmx_returns_the_page_to_swap(client, citizen) -> None:
    client.force_login(citizen)

    response = client.post(
        ELDER, {"elder_mode": "on", "next": HOME}, headers={"HX-Request": "true"}, follow=True
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="page" class="page page--elder">' in html
    assert "已开启长者模式" in html


def test_toggle_form_works_without_javascript(client, citizen) -> None:
    client.force_login(citizen)

    html = client.get(HOME).content.decode()

    # A real form with an action and a method: the HTMX attributes only enhance it.
    assert f'method="post" action="{ELDER}"' in html
    assert f'hx-post="{ELDER}"' in html
    assert 'name="elder_mode" value="on"' in html


def test_anonymous_elder_mode_lives_in_the_session(client, db) -> None:
    response = client.post(ELDER, {"elder_mode": "on", "next": LOGIN}, follow=True)

    assert client.session[ELDER_MODE_SESSION_KEY] is True
    assert "page--elder" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_elder_mode_chosen_on_the_login_page_carries_into_the_account(client, citizen) -> None:
    client.post(ELDER, {"elder_mode": "on", "next": LOGIN})

    _login(client, citizen.username)

    citizen.refresh_from_db()
    assert citizen.elder_mode is True
    assert "page--elder" in client.get(HOME).content.decode()


def test_elder_mode_survives_logout_for_the_login_page(client, make_user) -> None:
    elder = make_user(elder_mode=True)
    _login(client, elder.username)

    response = client.post(reverse("portal:logout"), follow=True)

    assert "page--elder" in response.content.decode()


def test_elder_mode_kept_over_a_logout_is_not_saved_on_the_next_account(client, make_user):
    elder = make_user(username="elder", elder_mode=True)
    neighbour = make_user(username="neighbour")
    _login(client, elder.username)
    client.post(reverse("portal:logout"))

    _login(client, neighbour.username)

    neighbour.refresh_from_db()
    assert neighbour.elder_mode is False
    assert "page--elder" not in client.get(HOME).content.decode()


def test_elder_toggle_refuses_bad_input_and_foreign_redirects(client, citizen) -> None:
    client.force_login(citizen)

    assert client.post(ELDER, {"elder_mode": "maybe"}).status_code == 400
    assert client.get(ELDER).status_code == 405
    response = client.post(ELDER, {"elder_mode": "on", "next": "https://evil.example/"})
    assert response["Location"] == HOME


# ---- language ---------------------------------------------------------------------------


def test_language_switch_persists_on_the_user(client, citizen) -> None:
    _login(client, citizen.username)

    response = client.post(SET_LANGUAGE, {"language": "en", "next": HOME})

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.language == "en"
    assert AuditEvent.objects.get().after == {"language": "en"}
    html = client.get(HOME).content.decode()
    assert '<html lang="en">' in html
    assert "Citizen" in html

    # Another browser, no language cookie: the account's language is used.
    fresh = Client()
    _login(fresh, citizen.username)
    home = fresh.get(HOME)
    assert '<html lang="en">' in home.content.decode()
    # …and the cookie follows the account, so the login page after logout is English too.
    assert fresh.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_saved_language_beats_the_cookie_and_accept_language(client, make_user) -> None:
    user = make_user(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(user)

    response = client.get(HOME, headers={"Accept-Language": "zh-CN"})

    assert '<html lang="en">' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_anonymous_language_choice_is_used_and_adopted_at_login(client, citizen) -> None:
    client.post(SET_LANGUAGE, {"language": "en", "next": LOGIN})

    page = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page

    _login(client, citizen.username)
    citizen.refresh_from_db()
    assert citizen.language == "en"


def test_unsupported_language_is_not_saved(client, citizen) -> None:
    client.force_login(citizen)

    client.post(SET_LANGUAGE, {"language": "fr", "next": HOME})

    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"
    assert not AuditEvent.objects.exists()
