"""Login, lockout (django-axes) and logout through the real views."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from hongmian.identity.models import User
from hongmian.portal.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")


def _login(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_page_is_chinese_with_labelled_fields(client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "红棉" in html
    assert "广州市政务服务和数据管理平台" in html


def test_login_succeeds_and_lands_on_home(client, citizen: User) -> None:
    response = _login(client, citizen.username, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).context["user"] == citizen


def test_login_honours_a_safe_next_and_ignores_another_host(client, citizen: User) -> None:
    response = client.post(
        LOGIN, {"username": citizen.username, "password": PASSWORD, "next": "/api/docs"}
    )
    assert response["Location"] == "/api/docs"

    client.post(reverse("portal:logout"))
    response = client.post(
        LOGIN,
        {"username": citizen.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("portal:home")


def test_wrong_password_shows_one_message_that_names_neither_field(client, citizen: User) -> None:
    response = _login(client, citizen.username, "not-the-password")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "用户名或密码不正确" in html
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, db) -> None:
    response = _login(client, "nobody", "whatever-it-is")

    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_authenticated_user_is_sent_from_login_to_home(client, citizen: User) -> None:
    client.force_login(citizen)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_lockout_after_the_failure_limit_refuses_even_the_right_password(
    client, citizen: User
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _attempt in range(limit - 1):
        assert _login(client, citizen.username, "wrong-password").status_code == 200

    locked = _login(client, citizen.username, "wrong-password")

    assert locked.status_code == 429
    assert "portal/locked_out.html" in [t.name for t in locked.templates]
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = locked.content.decode()
    assert "账号已锁定" in html
    assert f"请在 {minutes} 分钟后再试" in html

    right = _login(client, citizen.username, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_by_account_not_by_address(client, make_user, citizen: User) -> None:
    other = make_user(username="neighbour")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, citizen.username, "wrong-password")

    # Same address, another account: a whole office behind one NAT is not locked out.
    assert _login(client, other.username, PASSWORD).status_code == 302


def test_a_lockout_from_one_address_does_not_lock_the_account_elsewhere(
    client, citizen: User, settings
) -> None:
    # Knowing a username is not enough to lock its owner out from their own desk: the
    # lock holds for the username at the address that guessed (decision 0057).
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, citizen.username, "wrong-password", address="203.0.113.9")
    assert _login(client, citizen.username, PASSWORD, address="203.0.113.9").status_code == 429

    assert _login(client, citizen.username, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_account_locks_everywhere_at_the_longer_threshold(
    client, citizen: User, settings
) -> None:
    # Guessing spread over many addresses, each below the per-address limit, still ends
    # at the account-wide threshold — and then the owner's own address is refused too.
    settings.HONGMIAN_LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    for n in range(8):
        response = _login(client, citizen.username, "wrong-password", address=f"203.0.113.{n}")
        assert response.status_code == (429 if n == 7 else 200)

    assert _login(client, citizen.username, PASSWORD, address="198.51.100.7").status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_out_page_says_how_long_from_the_setting(client, citizen: User, settings) -> None:
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, citizen.username, "wrong-password")

    assert response.status_code == 429
    assert "请在 45 分钟后再试" in response.content.decode()


def test_logout_is_post_only_and_ends_the_session(client, citizen: User) -> None:
    client.force_login(citizen)

    assert client.get(reverse("portal:logout")).status_code == 405
    response = client.post(reverse("portal:logout"))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    follow = client.get(LOGIN)
    assert "您已安全退出" in follow.content.decode()
    assert client.get(reverse("portal:home")).status_code == 302


def test_home_requires_login(client, db) -> None:
    response = client.get(reverse("portal:home"))

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"
