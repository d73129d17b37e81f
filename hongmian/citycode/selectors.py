"""Reads of the city code app: the published key set (and the server's parsed copy of it),
terminals and their scan logs as the reader may see them, and a person's attributes as an
authorised unit may see them."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.citycode import permissions
from hongmian.citycode.models import Attribute, AttributeType, KeyRevocation, Scan, Terminal
from hongmian.citycode.states import KEY_PURPOSE, AttributeStatus
from hongmian.citycode.verification import KeySet
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound
from hongmian.core.keyring import keyring_jwks
from hongmian.identity.models import OrgUnit, Person

# --- the key set -----------------------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[float, KeySet] | None = None
# Least seconds between two reloads caused by a code naming a kid the cached set lacks.
RELOAD_INTERVAL = 1.0


def citycode_jwks() -> dict[str, Any]:
    """keys.json: the JWK Set (RFC 7517 §5) of every key whose codes may still be valid, and
    `revoked`: the kids that must be refused even by a verifier holding an older set."""
    revoked = [
        {"kid": kid, "revoked_at": at.isoformat()}
        for kid, at in KeyRevocation.objects.values_list("kid", "revoked_at")
    ]
    return {**keyring_jwks(KEY_PURPOSE), "revoked": revoked}


def key_set_forget() -> None:
    """Forget the server's parsed key set (after a rotation, retirement or revocation)."""
    global _cached
    with _lock:
        _cached = None


def citycode_key_set(*, want: str | None = None) -> KeySet:
    """The published key set, parsed, from a per-process cache (HONGMIAN_KEYRING_CACHE_SECONDS,
    as the keyring's). A code naming a kid the cache lacks reloads it at most once a second:
    a key made by another process is found, a stream of made-up kids stays cheap."""
    global _cached
    cached, now = _cached, time.monotonic()
    ttl = float(getattr(settings, "HONGMIAN_KEYRING_CACHE_SECONDS", 300))
    if cached is not None and now - cached[0] <= ttl:
        fresh = want is None or want in cached[1].keys or want in cached[1].revoked
        if fresh or now - cached[0] <= RELOAD_INTERVAL:
            return cached[1]
    keys = KeySet.from_jwks(citycode_jwks())
    with _lock:
        _cached = (now, keys)
    return keys


# --- terminals -------------------------------------------------------------------------------


def terminals_visible_to(user: Any) -> QuerySet[Terminal]:
    if not permissions.can_read_terminals(user):
        return Terminal.objects.none()
    return Terminal.objects.restrict(user).select_related("owner_unit")


def terminal_list(user: Any, *, q: str = "", enabled: bool | None = None) -> QuerySet[Terminal]:
    rows = terminals_visible_to(user)
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(place_name__icontains=q))
    if enabled is not None:
        rows = rows.filter(is_enabled=enabled)
    return rows.order_by("code", "id")


def access_terminal(user: Any, terminal_id: int) -> Terminal:
    """A terminal `user` may read; NotFound exactly like a missing one otherwise."""
    terminal = terminals_visible_to(user).filter(pk=terminal_id).first()
    if terminal is None:
        raise NotFound(gettext("终端不存在"), code="terminal.not_found")
    return terminal


def scan_list(terminal: Terminal) -> QuerySet[Scan]:
    """The terminal's scan log, newest first (index citycode_scan_terminal)."""
    return Scan.objects.filter(terminal=terminal).order_by("-scanned_at", "-id")


# --- attributes ------------------------------------------------------------------------------


def attribute_types_of_unit(unit: OrgUnit | None) -> QuerySet[AttributeType]:
    """The types `unit` is authorised for: granted to it or to a unit above it."""
    if unit is None:
        return AttributeType.objects.none()
    ancestors = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    return AttributeType.objects.filter(authorised_units__in=ancestors).distinct().order_by("code")


def person_by_resident_id(resident_id: str) -> Person:
    person = Person.objects.filter(resident_id=resident_id.strip().upper()).first()
    if person is None:
        raise NotFound(gettext("未找到该身份证号码对应的人员"), code="person.not_found")
    return person


def access_person_attributes(
    user: Any, person: Person, *, actor: Actor, include_history: bool = True
) -> list[Attribute]:
    """The attributes of `person` of the types `user`'s unit is authorised for (others are
    not the unit's business), newest first. Audited: a unit read a person's statuses."""
    if not permissions.can_set_attributes(user):
        raise NotFound(gettext("未找到该身份证号码对应的人员"), code="person.not_found")
    types = attribute_types_of_unit(user.org_unit)
    rows = Attribute.objects.filter(holder__person=person, type__in=types).select_related(
        "type", "set_by_unit"
    )
    if not include_history:
        rows = rows.filter(status=AttributeStatus.ACTIVE)
    found = list(rows.order_by("type__code", "-valid_from", "-id"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="citycode.attributes_read",
            target=person,
            after={"unit": user.org_unit_id, "count": len(found)},
        )
    return found


def active_attributes(holder_id: int, type_ids: list[int]) -> list[Attribute]:
    """The holder's attributes of these types valid now (for a terminal's answer)."""
    if not type_ids:
        return []
    now = timezone.now()
    return list(
        Attribute.objects.filter(
            holder_id=holder_id,
            type_id__in=type_ids,
            status=AttributeStatus.ACTIVE,
            valid_from__lte=now,
            valid_until__gt=now,
        )
        .select_related("type")
        .order_by("type__code")
    )
