"""Who may do what with calls, callbacks and messages: `can_*` predicates.

- Gateways (a PBX adapter, an SMS gateway) post events through the API with their own
  account's key; only an account registered as an active gateway of that kind may.
- The 12345 centre (agents and supervisors) reads and works the missed-call queue and the
  calls; handling units never see it (a caller's number and call pattern are not theirs).
- A screen pop is its agent's alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hongmian.hotline.permissions import is_centre_staff, is_supervisor
from hongmian.identity.permissions import is_active_user

if TYPE_CHECKING:
    from hongmian.identity.models import User
    from hongmian.telephony.models import Call, Gateway


def gateway_for(user: User | Any, kind: str) -> Gateway | None:
    """The active gateway of `kind` that `user` is the account of, or None."""
    from hongmian.telephony.models import Gateway

    if not is_active_user(user):
        return None
    return Gateway.objects.filter(user=user, kind=kind, is_active=True).first()


def can_view_callbacks(user: User | Any) -> bool:
    return is_centre_staff(user)


def can_work_callbacks(user: User | Any) -> bool:
    return is_centre_staff(user)


def can_receive_pops(user: User | Any) -> bool:
    """Who has a console to pop: the centre's staff (each sees only their own pops)."""
    return is_centre_staff(user)


def can_link_call(user: User | Any, call: Call) -> bool:
    """The agent who answered, or a supervisor (a call answered by an agent whose
    extension was not mapped yet)."""
    if not is_centre_staff(user):
        return False
    return call.agent_id == user.pk or is_supervisor(user)


def can_hear_recordings(user: User | Any) -> bool:
    """Recordings hold the caller's voice: the centre only, never a handling unit."""
    return is_centre_staff(user)
