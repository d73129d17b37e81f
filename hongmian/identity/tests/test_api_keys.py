"""API keys: issued once and stored as a digest, revocable, stamped on use; the command."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity import services
from hongmian.identity.auth import ApiKeyOrSession, api_key_user, bearer_token
from hongmian.identity.models import ApiKey
from hongmian.identity.services.api_keys import api_key_mark_used, api_key_prefix_of
from hongmian.identity.states import Role
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _issue(name: str = "市民APP", **user_kwargs: object) -> tuple[ApiKey, str]:
    return services.api_key_create(
        actor=Actor.cli(None, label="test"), user=UserFactory(**user_kwargs), name=name
    )


def test_create_stores_only_a_digest_and_audits_without_the_key() -> None:
    api_key, key = _issue()
    assert key.startswith(f"hm_{api_key.prefix}_")
    assert len(key) > 50
    assert api_key.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {api_key.prefix, api_key.digest, api_key.name}
    event = AuditEvent.objects.get(action="api_key.create")
    assert key not in str(event.after)
    assert event.after["prefix"] == api_key.prefix


def test_each_key_is_different() -> None:
    keys = {_issue()[1] for _ in range(5)}
    assert len(keys) == 5


@pytest.mark.parametrize("role", [Role.HOTLINE_AGENT, Role.SYSTEM_ADMIN, Role.AUDITOR])
def test_only_the_security_admin_issues_keys(role: Role) -> None:
    # 三员分立 (decision 0046): not the system administrator either.
    target = UserFactory()
    with pytest.raises(PermissionDenied):
        services.api_key_create(actor=actor_of(UserFactory(role=role)), user=target, name="x")
    with pytest.raises(NotAuthenticated):
        services.api_key_create(actor=Actor(user=None, via="api"), user=target, name="x")
    security = UserFactory(role=Role.SECURITY_ADMIN)
    api_key, _ = services.api_key_create(actor=actor_of(security), user=target, name="x")
    assert api_key.created_by == security


@pytest.mark.parametrize(
    ("name", "code"), [("  ", "name.required"), ("x" * 101, "api_key.name_too_long")]
)
def test_name_is_checked(name: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _issue(name=name)
    assert exc.value.code == code


def test_inactive_account_gets_no_key() -> None:
    with pytest.raises(ValidationFailed) as exc:
        _issue(is_active=False)
    assert exc.value.code == "api_key.user_inactive"


def test_key_authenticates_its_user_and_stamps_last_use() -> None:
    api_key, key = _issue()
    assert api_key_user(key) == api_key.user
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # wrong secret, right prefix
        lambda k: k.replace("hm_", "xx_", 1),
        lambda k: k.split("_")[0] + "_" + k.split("_")[1],  # no secret
        lambda k: "",
        lambda k: "hm_ZZZZZZZZZZZZ_secret",  # prefix not hex
    ],
)
def test_wrong_keys_authenticate_nobody(mangle) -> None:
    _, key = _issue()
    assert api_key_user(mangle(key)) is None


def test_revoked_key_and_inactive_user_authenticate_nobody() -> None:
    api_key, key = _issue()
    services.api_key_revoke(actor=Actor.cli(None), api_key=api_key)
    assert api_key_user(key) is None

    other, other_key = _issue()
    other.user.is_active = False
    other.user.save()
    assert api_key_user(other_key) is None


def test_revoke_is_audited_once_and_owner_may_revoke() -> None:
    api_key, _ = _issue()
    services.api_key_revoke(actor=actor_of(api_key.user), api_key=api_key)
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoke").count() == 1
    with pytest.raises(Conflict):
        services.api_key_revoke(actor=Actor.cli(None), api_key=api_key)


def test_someone_else_may_not_revoke() -> None:
    api_key, _ = _issue()
    with pytest.raises(PermissionDenied):
        services.api_key_revoke(
            actor=actor_of(UserFactory(role=Role.HOTLINE_SUPERVISOR)), api_key=api_key
        )


def test_last_use_is_written_at_most_once_a_minute(django_assert_num_queries) -> None:
    api_key, _ = _issue()
    now = timezone.now()
    with django_assert_num_queries(1):
        api_key_mark_used(api_key=api_key, now=now)
    with django_assert_num_queries(0):
        api_key_mark_used(api_key=api_key, now=now + dt.timedelta(seconds=30))
    # A stale copy of the row must not move the stamp backwards.
    stale = ApiKey.objects.get(pk=api_key.pk)
    stale.last_used_at = None
    api_key_mark_used(api_key=stale, now=now - dt.timedelta(minutes=5))
    api_key.refresh_from_db()
    assert api_key.last_used_at == now


def test_prefix_parsing() -> None:
    assert api_key_prefix_of("hm_0123456789ab_s3cr3t") == "0123456789ab"
    assert api_key_prefix_of("hm_0123456789ab") is None
    assert api_key_prefix_of("hm_0123456789abXs3cr3t") is None
    assert api_key_prefix_of("Bearer hm_0123456789ab_x") is None


def test_bearer_header_parsing() -> None:
    rf = RequestFactory()
    assert bearer_token(rf.get("/")) is None
    assert bearer_token(rf.get("/", HTTP_AUTHORIZATION="Bearer  abc ")) == "abc"
    assert bearer_token(rf.get("/", HTTP_AUTHORIZATION="bearer abc")) == "abc"
    assert bearer_token(rf.get("/", HTTP_AUTHORIZATION="Basic abc")) == ""


def test_a_bad_header_never_falls_back_to_the_session() -> None:
    request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer nonsense")
    request.user = UserFactory()  # as if a session cookie had come along too
    assert ApiKeyOrSession()(request) is None


def test_session_user_is_accepted_and_unsafe_methods_need_csrf() -> None:
    user = UserFactory()
    get = RequestFactory().get("/")
    get.user = user
    assert ApiKeyOrSession()(get) == user
    post = RequestFactory().post("/")
    post.user = user
    with pytest.raises(PermissionDenied) as exc:
        ApiKeyOrSession()(post)
    assert exc.value.code == "csrf_failed"


def test_command_create_prints_the_key_once_then_list_and_revoke() -> None:
    user = UserFactory(username="open311-client")
    out, err = StringIO(), StringIO()
    call_command(
        "apikey",
        "create",
        "--username",
        "open311-client",
        "--name",
        "市民APP",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().strip()
    assert api_key_user(key) == user
    assert "只显示这一次" in err.getvalue()
    api_key = ApiKey.objects.get(user=user)

    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    assert api_key.prefix in listing.getvalue()
    assert key not in listing.getvalue()

    call_command("apikey", "revoke", "--prefix", api_key.prefix, stdout=StringIO())
    assert api_key_user(key) is None
    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    assert api_key.prefix not in listing.getvalue()
    listing = StringIO()
    call_command("apikey", "list", "--all", "--username", "open311-client", stdout=listing)
    assert "已吊销" in listing.getvalue()


def test_command_errors_are_messages_not_tracebacks() -> None:
    with pytest.raises(CommandError, match="账号不存在"):
        call_command("apikey", "create", "--username", "nobody", "--name", "x")
    with pytest.raises(CommandError, match=r"api_key\.not_found"):
        call_command("apikey", "revoke", "--prefix", "000000000000")
