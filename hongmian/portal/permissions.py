"""Who may change what in the web shell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hongmian.identity.states import Role

if TYPE_CHECKING:
    from hongmian.core.actors import Actor
    from hongmian.identity.models import User


def can_update_preferences(actor: Actor, user: User) -> bool:
    """A person sets their own display preferences; a system administrator and the system
    itself (commands, jobs) may set anyone's, for example to help someone over the phone."""
    if actor.user is None:
        return actor.via in {"system", "cli"}
    if actor.user.pk == user.pk:
        return True
    return actor.user.role == Role.SYSTEM_ADMIN
