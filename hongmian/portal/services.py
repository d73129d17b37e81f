"""Writes of the web shell: a user's display preferences."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied, ValidationFailed
from hongmian.core.updates import model_update
from hongmian.identity.models import User
from hongmian.portal.permissions import can_update_preferences


def supported_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def user_preferences_update(
    *,
    actor: Actor,
    user: User,
    elder_mode: bool | None = None,
    language: str | None = None,
) -> User:
    """Save `user`'s elder mode (长者模式) and/or interface language; None leaves a setting
    as it is. A change is audited; asking for what is already set writes nothing.

    `user` is updated in place as well, so a request that goes on to render a page (its
    `request.user`) shows the new settings at once."""
    if not can_update_preferences(actor, user):
        raise PermissionDenied(_("不能修改其他用户的偏好设置。"))
    if language is not None and language not in supported_languages():
        choices = ", ".join(sorted(supported_languages()))
        raise ValidationFailed(
            _("不支持该界面语言。"),
            fields={"language": [_("可选的语言：%(choices)s") % {"choices": choices}]},
        )
    wanted: dict[str, Any] = {}
    if elder_mode is not None:
        wanted["elder_mode"] = elder_mode
    if language is not None:
        wanted["language"] = language

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        model_update(
            actor=actor,
            action="user.preferences_update",
            instance=locked,
            data=wanted,
            invalid_code="user.preferences_invalid",
        )
    for name in wanted:
        setattr(user, name, getattr(locked, name))
    return user
