"""Service contexts: the proof that the person a member of staff opens is in front of them.

A hall or hotline role sees some of a person's fields in full (permissions.
PERSON_CONTEXT_ROLES), so it reaches a person only while serving them (decision 0074). The
caller names the context explicitly — `?context=booking:<id>` at a hall window, `call:<id>`
on an agent's line, `scan:<id>` right after a hall terminal scanned the person's city code —
and `context_resolve` checks it on the server against the person asked
for; `selectors.access_person` audits the read with it. A context that does not hold (wrong
person, another hall, another day, a call that ended or is not the agent's) is the same as
none: the person is not found.

The kinds live in the apps that own the facts (appointments' bookings, telephony's calls,
citycode's scans);
they are read here through those models, imported when a context is resolved, because
identity sits below both apps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed
from hongmian.core.validators import parse_id
from hongmian.identity.states import Role

if TYPE_CHECKING:
    from hongmian.identity.models import Person

CONTEXT_MAX_LENGTH = 40
_SHAPE = re.compile(r"^([a-z]+):(\d{1,19})$")


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """A checked context: what it is (`booking`, `call`, `scan`) and which record."""

    kind: str
    ref: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"


def _booking(user: Any, ref: int, person: Person) -> bool:
    """A booking of this person, at a hall of the staff member's unit (the booking's own
    scope), for today, booked or already checked in."""
    from hongmian.appointments.models import Booking
    from hongmian.appointments.states import BookingStatus

    today = timezone.localdate()
    return (
        Booking.objects.restrict(user, "view")
        .filter(
            pk=ref,
            person=person,
            slot__day=today,
            status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN],
        )
        .exists()
    )


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isascii() and ch.isdigit())


def _call(user: Any, ref: int, person: Person) -> bool:
    """A call the agent is on now (answered, not ended) from the person's own mobile."""
    from hongmian.telephony.models import Call

    call = Call.objects.filter(
        pk=ref, agent=user, answered_at__isnull=False, ended_at__isnull=True
    ).first()
    if call is None or not person.mobile:
        return False
    # The PBX may send +86 or a trunk prefix; the last 11 digits are the mobile.
    return _digits(call.caller_number)[-11:] == person.mobile


def scan_context_minutes() -> int:
    """How long after a hall terminal's scan its staff may open the person's file."""
    return int(getattr(settings, "HONGMIAN_CITYCODE_SCAN_CONTEXT_MINUTES", 30))


def _scan(user: Any, ref: int, person: Person) -> bool:
    """A valid scan of the person's city code, within the last scan_context_minutes(), by a
    hall terminal of the staff member's unit (or a unit below it) — decision 0079."""
    from hongmian.citycode.models import CodeHolder, Scan
    from hongmian.citycode.states import ScanResult, TerminalKind

    unit = getattr(user, "org_unit", None)
    if unit is None:
        return False
    since = timezone.now() - dt.timedelta(minutes=scan_context_minutes())
    scan = (
        Scan.objects.select_related("terminal__owner_unit")
        .filter(
            pk=ref,
            result=ScanResult.OK,
            scanned_at__gte=since,
            terminal__kind=TerminalKind.HALL,
            terminal__is_enabled=True,
        )
        .exclude(code_id="")
        .first()
    )
    if scan is None or not scan.terminal.owner_unit.path.startswith(unit.path):
        return False
    # The code id is the person's current one: a re-issued code resolves to nobody.
    return CodeHolder.objects.filter(code_id=scan.code_id, person=person).exists()


# Which kinds each role may present, and how each is checked.
CONTEXT_KINDS: dict[str, tuple[frozenset[str], Callable[[Any, int, Person], bool]]] = {
    "booking": (frozenset({Role.HALL_STAFF}), _booking),
    "call": (frozenset({Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR}), _call),
    "scan": (frozenset({Role.HALL_STAFF}), _scan),
}


def context_parse(text: str) -> ServiceContext:
    """`kind:id` as a context, or ValidationFailed (422 `person_context.invalid`) for a text
    that is not one — a malformed parameter says so; only a well-formed one that does not
    hold is answered like a missing person."""
    found = _SHAPE.match(text.strip()) if len(text) <= CONTEXT_MAX_LENGTH else None
    ref = parse_id(found.group(2)) if found is not None else None
    if found is None or ref is None or found.group(1) not in CONTEXT_KINDS:
        raise ValidationFailed(
            gettext("服务场景应为 booking:<预约编号>、call:<通话编号> 或 scan:<扫码编号>"),
            code="person_context.invalid",
            fields={"context": [gettext("服务场景格式不正确")]},
        )
    return ServiceContext(kind=found.group(1), ref=ref)


def context_holds(user: Any, context: ServiceContext, person: Person) -> bool:
    """Whether `user` is serving `person` in `context` now."""
    roles, check = CONTEXT_KINDS[context.kind]
    return getattr(user, "role", None) in roles and check(user, context.ref, person)
