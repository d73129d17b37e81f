"""Reads of collective codes (集体码, decision 0079): the codes a user administers, their
members (paged, true counts by status), each member's statuses within their consent, a
person's own invitations and memberships, and the answer of a terminal's scan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.citycode import permissions
from hongmian.citycode.models import (
    Attribute,
    CodeHolder,
    CollectiveCode,
    CollectiveMember,
    Terminal,
)
from hongmian.citycode.states import AttributeStatus, IdentityField, MemberStatus
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound
from hongmian.core.validators import parse_id
from hongmian.identity.models import Person
from hongmian.identity.states import Role


def collectives_administered(user: Any) -> QuerySet[CollectiveCode]:
    """The collective codes `user` administers (a representative's enterprises; a manager's
    unit)."""
    rows = CollectiveCode.objects.select_related("enterprise", "org_unit")
    if user.role == Role.ENTERPRISE_REP:
        return rows.filter(enterprise__representatives=user).order_by("name", "id")
    if user.role == Role.DEPT_MANAGER and user.org_unit_id is not None:
        return rows.filter(org_unit_id=user.org_unit_id)
    return rows.none()


def access_collective(user: Any, collective_id: object) -> CollectiveCode:
    """One collective code its administrator opens; anyone else: 404, as missing."""
    pk = parse_id(collective_id)
    collective = (
        CollectiveCode.objects.select_related("enterprise", "org_unit").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if collective is None or not permissions.can_administer_collective(user, collective):
        raise NotFound(gettext("集体码不存在"), code="collective.not_found")
    return collective


def member_list(collective: CollectiveCode, status: str = "") -> QuerySet[CollectiveMember]:
    rows = collective.members.select_related("person")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("status", "person__name", "id")


def member_counts(collective: CollectiveCode) -> dict[str, int]:
    """How many members in each status (every status present, zero when none)."""
    found = dict(
        collective.members.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {s.value: int(found.get(s.value, 0)) for s in MemberStatus}


@dataclass(frozen=True, slots=True)
class MemberStatusRow:
    """One member as the organisation (or a terminal) may see them."""

    member_id: int
    name: str | None
    valid: bool
    attributes: dict[str, str] = field(default_factory=dict)  # type code → value


def _shared_values(
    members: list[CollectiveMember], asked: set[int], seen_by: set[int] | None
) -> dict[int, dict[int, Attribute]]:
    """member id → {type id: active attribute} for the types the member shares (∩ asked,
    ∩ what the viewer may see)."""
    shared: dict[int, set[int]] = defaultdict(set)
    through = CollectiveMember.shared_types.through.objects.filter(
        collectivemember_id__in=[m.pk for m in members]
    )
    for member_id, type_id in through.values_list("collectivemember_id", "attributetype_id"):
        if type_id in asked and (seen_by is None or type_id in seen_by):
            shared[member_id].add(type_id)
    by_person = {m.person_id: m.pk for m in members}
    now = timezone.now()
    wanted = set().union(*shared.values()) if shared else set()
    out: dict[int, dict[int, Attribute]] = defaultdict(dict)
    if not wanted:
        return out
    rows = Attribute.objects.filter(
        holder__person_id__in=list(by_person),
        type_id__in=wanted,
        status=AttributeStatus.ACTIVE,
        valid_from__lte=now,
        valid_until__gt=now,
    ).select_related("type", "holder")
    for attribute in rows:
        member_id = by_person[attribute.holder.person_id]
        if attribute.type_id in shared[member_id]:
            out[member_id][attribute.type_id] = attribute
    return out


def member_statuses(
    collective: CollectiveCode, members: list[CollectiveMember], terminal: Terminal | None = None
) -> list[MemberStatusRow]:
    """The statuses of `members` (active ones show values; others nothing). A member is
    valid when they share every type the code asks and each has a value in force. The
    values shown are only of the types the member consented to share; for a `terminal`,
    also only those its scope allows, and the name only where both its scope and the
    person's own code consent allow it."""
    asked = set(collective.attribute_types.values_list("pk", flat=True))
    active = [m for m in members if m.status == MemberStatus.ACTIVE]
    full = _shared_values(active, asked, None)
    values = full
    names = terminal is None
    named: set[int] = set()
    if terminal is not None:
        scope = set(terminal.identity_fields)
        seen = (
            set(terminal.attribute_types.values_list("pk", flat=True))
            if IdentityField.ATTRIBUTES in scope
            else set()
        )
        values = {k: {t: a for t, a in v.items() if t in seen} for k, v in full.items()}
    if terminal is not None and IdentityField.NAME in terminal.identity_fields:
        named = {
            person_id
            for person_id, shared in CodeHolder.objects.filter(
                person_id__in=[m.person_id for m in active]
            ).values_list("person_id", "shared")
            if IdentityField.NAME.value in shared
        }
    rows = []
    for m in members:
        live = m.status == MemberStatus.ACTIVE
        rows.append(
            MemberStatusRow(
                member_id=m.pk,
                name=m.person.name if (names or m.person_id in named) else None,
                valid=live and set(full.get(m.pk, {})) == asked,
                attributes={a.type.code: a.value for a in values.get(m.pk, {}).values()}
                if live
                else {},
            )
        )
    return rows


def my_memberships(person: Person | None) -> QuerySet[CollectiveMember]:
    """A person's invitations and memberships, open ones first."""
    if person is None:
        return CollectiveMember.objects.none()
    return (
        CollectiveMember.objects.filter(person=person)
        .select_related("collective__enterprise", "collective__org_unit")
        .prefetch_related("shared_types", "collective__attribute_types")
        .order_by("-created_at", "-id")
    )


# A terminal's answer lists this many members at most; the counts are always true.
MAX_LISTED = 100


@dataclass(frozen=True, slots=True)
class CollectiveAnswer:
    """A collective code scanned by a terminal: how many active members are valid or not,
    and the first MAX_LISTED of them within consent and the terminal's scope."""

    name: str
    total: int
    valid: int
    invalid: int
    members: list[MemberStatusRow]


def collective_resolve(
    *, actor: Actor, terminal: Terminal, collective: CollectiveCode, scan_id: int
) -> CollectiveAnswer:
    """The answer for a terminal's valid scan of a collective code; audited on the code."""
    active = list(member_list(collective, MemberStatus.ACTIVE))
    rows = member_statuses(collective, active, terminal)
    valid = sum(1 for r in rows if r.valid)
    audit_record(
        actor=actor,
        action="collective.resolve",
        target=collective,
        after={"terminal": terminal.code, "scan": scan_id, "members": len(rows)},
    )
    return CollectiveAnswer(
        name=collective.name,
        total=len(rows),
        valid=valid,
        invalid=len(rows) - valid,
        members=rows[:MAX_LISTED],
    )
