"""Login security: lockout after repeated wrong passwords (django-axes), password rules."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from hongmian.identity.tests.conftest import sign_in
from hongmian.identity.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _fail_until_locked(username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert sign_in(username, "Wrong@Pass1") is None


def test_five_wrong_passwords_lock_the_account() -> None:
    user = UserFactory(username="victim")
    assert settings.AXES_FAILURE_LIMIT == 5
    _fail_until_locked("victim")
    # Now even the right password is refused…
    assert sign_in("victim", DEFAULT_PASSWORD) is None
    # …but only for this account: another username from the same office address logs in.
    other = UserFactory(username="colleague")
    assert sign_in("colleague", DEFAULT_PASSWORD) == other

    assert reset(username="victim") >= 1
    assert sign_in("victim", DEFAULT_PASSWORD) == user


def test_lockout_ends_after_the_cool_off() -> None:
    user = UserFactory(username="patient")
    _fail_until_locked("patient")
    assert sign_in("patient", DEFAULT_PASSWORD) is None
    past = timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    AccessAttempt.objects.filter(username="patient").update(attempt_time=past)
    assert sign_in("patient", DEFAULT_PASSWORD) == user


def test_four_failures_do_not_lock_and_success_resets() -> None:
    user = UserFactory(username="clumsy")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in("clumsy", "Wrong@Pass1") is None
    signed_in = sign_in("clumsy", DEFAULT_PASSWORD)
    assert signed_in == user
    # AXES_RESET_ON_SUCCESS: the count starts again once the login view logs the user in.
    request = RequestFactory().post("/login/")
    request.session = SessionStore()
    login(request, signed_in)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in("clumsy", "Wrong@Pass1") is None
    assert sign_in("clumsy", DEFAULT_PASSWORD) == user


@pytest.mark.parametrize(
    "password", ["short1!A", "alllowercaseletters", "lowercase123456", "Password12", "2026042812"]
)
def test_password_rules_refuse(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Hongmian@2026", "Qiao9Lang!Hu", "木棉花开Spring2026"])
def test_password_rules_accept(password: str) -> None:
    validate_password(password)
