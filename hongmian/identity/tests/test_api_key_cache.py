"""The per-process API-key cache: no query for a key seen in the last few seconds, and a
revocation made elsewhere (another process: here a direct UPDATE that bypasses the service)
honoured once the entry expires; one made here, at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.identity import api_key_cache, services
from hongmian.identity.auth import api_key_user
from hongmian.identity.models import ApiKey, User
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(api_key_cache.time, "monotonic", clock)
    return clock


def _issue() -> tuple[ApiKey, str]:
    return services.api_key_create(
        actor=Actor.cli(None, label="test"), user=UserFactory(), name="集成平台"
    )


def test_a_cached_key_costs_no_query(django_assert_num_queries) -> None:
    api_key, key = _issue()
    with django_assert_num_queries(2):  # the row with its account; the last-use stamp
        assert api_key_user(key) == api_key.user
    with django_assert_num_queries(0):  # stamped less than a minute ago: nothing to write
        user = api_key_user(key)
    assert user == api_key.user
    # Each request gets its own account object: the cached one is shared by threads.
    assert user is not api_key_user(key)


def test_the_last_use_stamp_is_written_once_a_minute_without_a_select(
    clock: Clock, django_assert_num_queries, settings
) -> None:
    settings.HONGMIAN_API_KEY_CACHE_SECONDS = 3600  # keep the row cached throughout
    api_key, key = _issue()
    api_key_user(key)
    stamped = ApiKey.objects.get(pk=api_key.pk).last_used_at
    cached = api_key_cache.api_key_cached(api_key.prefix)
    assert cached is not None
    # As if two minutes had passed since the stamp (in the database and in the cache).
    earlier = stamped - dt.timedelta(minutes=2)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=earlier)
    cached.last_used_at = earlier
    with django_assert_num_queries(1):  # the conditional UPDATE, no SELECT
        api_key_user(key)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at > earlier
    with django_assert_num_queries(0):  # and not again within the minute
        api_key_user(key)


def test_a_revocation_elsewhere_takes_effect_within_the_ttl(clock: Clock, settings) -> None:
    settings.HONGMIAN_API_KEY_CACHE_SECONDS = 5
    api_key, key = _issue()
    assert api_key_user(key) is not None
    # Another process revokes it: this process's cache does not hear of it.
    ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=timezone.now())
    clock.now += 4
    assert api_key_user(key) is not None  # still within the TTL
    clock.now += 1.5
    assert api_key_user(key) is None


def test_a_deactivated_account_is_refused_within_the_ttl(clock: Clock, settings) -> None:
    settings.HONGMIAN_API_KEY_CACHE_SECONDS = 5
    api_key, key = _issue()
    assert api_key_user(key) is not None
    User.objects.filter(pk=api_key.user_id).update(is_active=False)
    clock.now += 6
    assert api_key_user(key) is None


def test_a_revocation_here_takes_effect_at_once(clock: Clock) -> None:
    api_key, key = _issue()
    assert api_key_user(key) is not None
    services.api_key_revoke(actor=Actor.cli(None), api_key=api_key)
    assert api_key_user(key) is None


def test_a_wrong_secret_is_refused_even_when_the_prefix_is_cached() -> None:
    _, key = _issue()
    assert api_key_user(key) is not None
    assert api_key_user(key[:-1] + ("A" if key[-1] != "A" else "B")) is None


def test_ttl_zero_turns_the_cache_off(settings, django_assert_num_queries) -> None:
    settings.HONGMIAN_API_KEY_CACHE_SECONDS = 0
    _, key = _issue()
    api_key_user(key)
    with django_assert_num_queries(1):
        assert api_key_user(key) is not None


def test_unknown_prefixes_are_not_cached() -> None:
    assert api_key_user("hm_0123456789ab_" + "x" * 40) is None
    assert "0123456789ab" not in api_key_cache._entries
