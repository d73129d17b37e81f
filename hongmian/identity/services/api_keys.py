"""Writes of API keys (API 密钥): issue, revoke, and the last-use stamp.

A key looks like `hm_<prefix>_<secret>`: 12 hex characters that find the row, then 256 random
bits. Only the SHA-256 digest of the whole key is stored. A plain hash is enough (no salt, no
slow KDF) because the key is random and long, not a password a person chose; the digest only
has to keep a copy of the table from being usable as keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, ValidationFailed
from hongmian.identity import permissions
from hongmian.identity.api_key_cache import api_key_cache_forget
from hongmian.identity.models import ApiKey, User
from hongmian.identity.services._common import authorise, required, save_new

KEY_SCHEME = "hm"
PREFIX_LENGTH = 12
# Writing last_used_at on every request would turn each read into a write; once a minute
# still tells an administrator which keys are alive.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_key_prefix_of(key: str) -> str | None:
    """The lookup part of a well-formed key, or None for anything else."""
    scheme, sep, rest = key.partition("_")
    if scheme != KEY_SCHEME or not sep or len(rest) <= PREFIX_LENGTH + 1:
        return None
    prefix, sep, secret = rest[:PREFIX_LENGTH], rest[PREFIX_LENGTH], rest[PREFIX_LENGTH + 1 :]
    if sep != "_" or not secret or any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix


def api_key_create(*, actor: Actor, user: User, name: str) -> tuple[ApiKey, str]:
    """Issue a key that acts as `user`; returns the row and the key itself, which is shown
    to the caller once and cannot be recovered afterwards. Only the security administrator
    (and the command line) issues keys: a key carries all of its account's rights."""
    authorise(actor, permissions.can_manage_api_keys, "api_key.forbidden")
    name = required(name, "name", "请填写密钥用途")
    if len(name) > 100:
        message = "用途不能超过100个字符"
        raise ValidationFailed(message, code="api_key.name_too_long", fields={"name": [message]})
    if not user.is_active:
        message = "该账号已停用，不能签发密钥"
        raise ValidationFailed(message, code="api_key.user_inactive", fields={"user": [message]})
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        api_key = save_new(
            ApiKey(
                user=user,
                name=name,
                prefix=prefix,
                digest=api_key_digest(key),
                created_by=actor.user,
            ),
            # 48 random bits: a clash is practically impossible, but must not be a 500.
            conflict=Conflict(gettext("密钥前缀冲突，请重试"), code="api_key.prefix_taken"),
        )
        audit_record(
            actor=actor,
            action="api_key.create",
            target=api_key,
            after={"user": user.pk, "name": name, "prefix": prefix},
        )
    return api_key, key


def api_key_revoke(*, actor: Actor, api_key: ApiKey) -> ApiKey:
    """Revoke a key at once and for good. Its owner may revoke it too (a leaked key should
    not wait for an administrator)."""
    authorise(
        actor,
        lambda user: permissions.can_manage_api_keys(user) or user.pk == api_key.user_id,
        "api_key.forbidden",
    )
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.revoked_at is not None:
            raise Conflict(gettext("该密钥已吊销"), code="api_key.revoked")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        # This process stops honouring it now (and again once committed, in case a request
        # cached the row meanwhile); the others within the cache's few seconds.
        api_key_cache_forget(locked.prefix)
        transaction.on_commit(lambda: api_key_cache_forget(locked.prefix))
        audit_record(
            actor=actor,
            action="api_key.revoke",
            target=locked,
            after={"user": locked.user_id, "prefix": locked.prefix},
        )
    return locked


def api_key_mark_used(*, api_key: ApiKey, now: dt.datetime | None = None) -> None:
    """Stamp the key's last use, at most once per LAST_USED_RESOLUTION. A conditional
    UPDATE: concurrent requests neither lock the row nor move the stamp backwards."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    api_key.last_used_at = now
