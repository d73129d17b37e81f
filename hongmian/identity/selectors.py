"""Reads of the identity app: the organisation tree, persons, enterprises and API keys.

Who sees which rows is not decided here: each scoped model declares it (`scopes`, see
identity/scoping.py) and one queryset method applies it, so the `*_visible_to` selectors of
every app are one line:

    def persons_visible_to(user: User) -> QuerySet[Person]:
        return Person.objects.restrict(user, "view")

Personal data is read only through `access_person` / `access_enterprise`, which mask what the
role does not need, audit the read and make "not allowed" look exactly like "not found".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.masking import mask_address, mask_mobile, mask_name, mask_resident_id
from hongmian.identity import file_fields, permissions, service_context
from hongmian.identity.models import (
    PUBLIC_ID_LENGTH,
    ApiKey,
    Consent,
    Enterprise,
    FileUse,
    FileValue,
    Mandate,
    OrgUnit,
    Person,
    User,
)
from hongmian.identity.permissions import is_active_user
from hongmian.identity.states import MandateAgent, MandateScope, MandateStatus, Role

# --- organisation tree ---------------------------------------------------------------------


def org_unit_get(unit_id: int, *, active_only: bool = True) -> OrgUnit:
    units = OrgUnit.objects.filter(is_active=True) if active_only else OrgUnit.objects.all()
    unit = units.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(gettext("机构不存在"), code="org_unit.not_found")
    return unit


def org_unit_list(*, parent: OrgUnit | None = None, active_only: bool = True) -> QuerySet[OrgUnit]:
    """The direct children of `parent` (the roots when None), each with `has_children`."""
    units = OrgUnit.objects.filter(parent=parent)
    children = OrgUnit.objects.filter(parent=OuterRef("pk"))
    if active_only:
        units = units.filter(is_active=True)
        children = children.filter(is_active=True)
    return units.annotate(has_children=Exists(children)).order_by("code")


def org_unit_subtree(unit: OrgUnit, *, include_self: bool = True) -> QuerySet[OrgUnit]:
    """`unit` and every unit below it: one indexed prefix query on the materialised path."""
    units = OrgUnit.objects.filter(path__startswith=unit.path)
    return units if include_self else units.exclude(pk=unit.pk)


def org_unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """From the root down to the parent of `unit`, read from the path (one query)."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p][:-1]
    by_id = OrgUnit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def _path_key(unit: OrgUnit) -> tuple[int, ...]:
    return tuple(int(p) for p in unit.path.strip("/").split("/") if p)


def org_unit_tree(*, active_only: bool = True) -> list[OrgUnit]:
    """Every unit, parents before children and each subtree together (depth-first order).
    Sorted here rather than in SQL: a database collation may ignore the '/' in paths."""
    units = OrgUnit.objects.filter(is_active=True) if active_only else OrgUnit.objects.all()
    return sorted(units, key=_path_key)


def org_units_managed_by(user: User | Any) -> QuerySet[OrgUnit]:
    """The units whose records `user` sees: all for city-wide roles, a subtree for the rest."""
    return OrgUnit.objects.restrict(user, "view")


# --- persons -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonView:
    """A person's file as one user may see it: fields in `masked` are masked. `id` is the
    public id (decision 0074)."""

    id: str
    name: str
    resident_id: str
    mobile: str
    address: str
    real_name_verified: bool
    assurance_level: int
    masked: tuple[str, ...]


def persons_visible_to(user: User | Any) -> QuerySet[Person]:
    """Every person for the roles of the masking table; their own file for everyone else."""
    return Person.objects.restrict(user, "view")


def person_view(user: User | Any, person: Person) -> PersonView:
    """`person` masked for `user`. No visibility check and no audit: for a caller that
    already holds the person legitimately (its creator); everyone else uses access_person."""
    full = permissions.person_fields_in_full(user, person)

    def shown(field: str, mask: Any) -> str:
        value: str = getattr(person, field)
        return value if field in full else mask(value)

    return PersonView(
        id=person.public_id,
        name=shown("name", mask_name),
        resident_id=shown("resident_id", mask_resident_id),
        mobile=shown("mobile", mask_mobile),
        address=shown("address", mask_address),
        real_name_verified=person.real_name_verified,
        assurance_level=person.assurance_level,
        masked=tuple(sorted(permissions.PERSON_FIELDS - full)),
    )


def person_by_public_id(public_id: str) -> Person | None:
    """The person the API calls `public_id`; None for anything else (a sequential number
    included: the primary key is never an API id)."""
    if not isinstance(public_id, str) or len(public_id) != PUBLIC_ID_LENGTH:
        return None
    return Person.objects.filter(public_id=public_id).first()


def person_for_in_person_check(user: User | Any, person_id: str) -> Person:
    """The person a window raises by the card reader: hall staff reach anyone by public id
    here (the card's chip proves the person is present, and the answer is only the level);
    the lookup roles and the person themself as for any read. NotFound otherwise."""
    person = person_by_public_id(person_id)
    if person is not None and (
        (is_active_user(user) and user.role == Role.HALL_STAFF)
        or persons_visible_to(user).filter(pk=person.pk).exists()
    ):
        return person
    raise NotFound(gettext("对象不存在"), code="person.not_found")


def access_person(
    user: User | Any,
    person_id: str,
    *,
    actor: Actor,
    context: str | None = None,
) -> PersonView:
    """The person whose public id is `person_id`, as `user` may see it. Raises NotFound — the
    same for a missing person and for one the user may not reach. The roles that see some
    field in full (permissions.PERSON_CONTEXT_ROLES) reach a person only in a service
    `context` that holds (identity.service_context); a malformed context is 422. Every read
    by someone other than the person themself is audited ("person.read"), naming the fields
    shown in full and the context."""
    checked = service_context.context_parse(context) if context else None
    person = person_by_public_id(person_id)
    reachable = person is not None and (
        persons_visible_to(user).filter(pk=person.pk).exists()
        or (
            checked is not None
            and is_active_user(user)
            and user.role in permissions.PERSON_CONTEXT_ROLES
            and service_context.context_holds(user, checked, person)
        )
    )
    if person is None or not reachable:
        raise NotFound(gettext("对象不存在"), code="person.not_found")
    view = person_view(user, person)
    if not permissions.is_self(user, person):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="person.read",
                target=person,
                after={
                    "role": user.role,
                    "in_full": sorted(permissions.PERSON_FIELDS - set(view.masked)),
                    "context": str(checked) if checked is not None else None,
                },
            )
    return view


# --- enterprises ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseView:
    """An enterprise as one user may see it. Registration facts (name, code, legal
    representative, registered address) are public record; the contact mobile is not.
    `id` is the public id (decision 0074)."""

    id: str
    name: str
    credit_code: str
    legal_representative: str
    contact_mobile: str
    address: str
    masked: tuple[str, ...]


def enterprises_visible_to(user: User | Any) -> QuerySet[Enterprise]:
    """Every enterprise for staff; the ones a representative acts for."""
    return Enterprise.objects.restrict(user, "view")


def enterprise_by_public_id(public_id: str) -> Enterprise | None:
    """The enterprise the API calls `public_id`; None for anything else. No visibility
    check: callers decide who reaches it."""
    if not isinstance(public_id, str) or len(public_id) != PUBLIC_ID_LENGTH:
        return None
    return Enterprise.objects.filter(public_id=public_id).first()


def enterprise_view(user: User | Any, enterprise: Enterprise) -> EnterpriseView:
    full_contact = permissions.enterprise_contact_in_full(user, enterprise)
    return EnterpriseView(
        id=enterprise.public_id,
        name=enterprise.name,
        credit_code=enterprise.credit_code,
        legal_representative=enterprise.legal_representative,
        contact_mobile=(
            enterprise.contact_mobile if full_contact else mask_mobile(enterprise.contact_mobile)
        ),
        address=enterprise.address,
        masked=() if full_contact else ("contact_mobile",),
    )


def access_enterprise(user: User | Any, enterprise_id: str, *, actor: Actor) -> EnterpriseView:
    """The enterprise whose public id is `enterprise_id` as `user` may see it; NotFound when
    missing or not visible. Reads by anyone but its own representatives are audited
    ("enterprise.read")."""
    enterprise = enterprise_by_public_id(enterprise_id)
    if enterprise is None or not enterprises_visible_to(user).filter(pk=enterprise.pk).exists():
        raise NotFound(gettext("对象不存在"), code="enterprise.not_found")
    view = enterprise_view(user, enterprise)
    if not permissions.is_representative(user, enterprise):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="enterprise.read",
                target=enterprise,
                after={"role": user.role, "in_full": [] if view.masked else ["contact_mobile"]},
            )
    return view


# --- API keys ------------------------------------------------------------------------------


def api_key_list(*, user: User | None = None, include_revoked: bool = False) -> QuerySet[ApiKey]:
    """Keys (never their secrets: only digests are stored), newest first."""
    keys = ApiKey.objects.select_related("user")
    if user is not None:
        keys = keys.filter(user=user)
    if not include_revoked:
        keys = keys.filter(revoked_at__isnull=True)
    return keys.order_by("-created_at", "-id")


def api_key_get(prefix: str) -> ApiKey:
    key = ApiKey.objects.select_related("user").filter(prefix=prefix.strip()).first()
    if key is None:
        raise NotFound(gettext("密钥不存在"), code="api_key.not_found")
    return key


# --- person and enterprise files (一人一档 / 一企一档, decision 0044) -----------------------


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One field of a file as a reader sees it: the value as text, where it came from."""

    key: str
    label: str
    group: str
    value: str
    source: str
    as_of: dt.datetime
    updated_at: dt.datetime
    masked: bool
    # The stored value as the department pushed it (None when masked): for services that
    # compare it, such as the applications' instant-approval rules (decision 0066).
    raw: Any = None


@dataclass(frozen=True, slots=True)
class FileGroup:
    label: str
    entries: tuple[FileEntry, ...]


def _entries(values: QuerySet[FileValue], *, in_full: Callable[[str], bool]) -> list[FileEntry]:
    """Entries in the registry's order; a value whose field has left the registry is not
    shown (it stays stored until a migration of the data decides its fate)."""
    by_key = {v.field_key: v for v in values.select_related("source")}
    out = []
    for key, spec in file_fields.FIELDS.items():
        row = by_key.get(key)
        if row is None:
            continue
        masked = bool(spec.personal) and not in_full(spec.personal)
        out.append(
            FileEntry(
                key=key,
                label=spec.label,
                group=spec.group,
                value=file_fields.display_value(spec, row.value, masked=masked),
                source=row.source.short_name or row.source.name,
                as_of=row.as_of,
                updated_at=row.updated_at,
                masked=masked,
                raw=None if masked else row.value,
            )
        )
    return out


def file_groups(entries: list[FileEntry]) -> list[FileGroup]:
    groups: dict[str, list[FileEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)
    return [FileGroup(file_fields.GROUPS[g], tuple(e)) for g, e in groups.items()]


def my_person(user: User | Any) -> Person:
    """The person linked to `user`'s account; NotFound when there is none (yet)."""
    if not permissions.is_active_user(user):
        raise NotFound(gettext("尚未关联实名信息"), code="person.not_found")
    person = Person.objects.filter(user_id=user.pk).first()
    if person is None:
        raise NotFound(gettext("尚未关联实名信息"), code="person.not_found")
    return person


def access_my_file(user: User | Any) -> list[FileEntry]:
    """The whole file of the person signed in, unmasked: it is their own data. Not audited
    (as access_person does not audit a person reading themself); others' reads are."""
    person = my_person(user)
    return _entries(FileValue.objects.filter(person=person), in_full=lambda _f: True)


def access_enterprise_file(
    user: User | Any, enterprise_id: str, *, actor: Actor
) -> tuple[Enterprise, list[FileEntry]]:
    """An enterprise's whole file, for its authorised representatives only: everyone else
    gets NotFound, as for an enterprise that does not exist. Audited ("enterprise_file.read"):
    a colleague's look is the enterprise's business."""
    enterprise = enterprise_by_public_id(enterprise_id)
    if enterprise is None or not permissions.is_representative(user, enterprise):
        raise NotFound(gettext("对象不存在"), code="file.not_found")
    entries = _entries(FileValue.objects.filter(enterprise=enterprise), in_full=lambda _f: True)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="enterprise_file.read",
            target=enterprise,
            after={"fields": [e.key for e in entries], "purpose": "owner"},
        )
    return enterprise, entries


def _reader_label(actor: Actor, *, own: bool) -> str:
    user = actor.user
    if user is None:
        return f"系统（{actor.label}）" if actor.label else "系统"
    if own:
        return "本人"
    if user.org_unit_id is not None:
        return str(OrgUnit.objects.filter(pk=user.org_unit_id).values_list("name", flat=True)[0])
    return str(user.get_role_display())


def _file_read(
    *,
    actor: Actor,
    subject: Person | Enterprise,
    fields: Sequence[str],
    purpose: str,
    mandate: Mandate | None = None,
) -> dict[str, FileEntry]:
    is_person = isinstance(subject, Person)
    kind: file_fields.Subject = "person" if is_person else "enterprise"
    user = actor.user
    if mandate is not None:
        # An agent (帮办代办) reads the principal's file only under a usable mandate that
        # lets them read it; anyone else, or another person's file, is "not found".
        if user is None or not is_person or mandate.principal_id != subject.pk:
            raise NotFound(gettext("对象不存在"), code="file.not_found")
        mandate_check(mandate, user=user, read_file=True)
        allowed, own = True, False
    elif user is None:
        allowed = actor.via in {"system", "cli"}
        own = False
    elif isinstance(subject, Person):
        allowed, own = (
            permissions.can_read_file_with_consent(user, subject),
            permissions.is_self(user, subject),
        )
    else:
        allowed = permissions.can_read_enterprise_file_with_consent(user, subject)
        own = permissions.is_representative(user, subject)
    if not allowed:
        raise NotFound(gettext("对象不存在"), code="file.not_found")
    keys = sorted({file_fields.field_spec(f, subject=kind).key for f in fields})
    if not keys:
        raise ValidationFailed(gettext("请指定要读取的字段"), code="file.fields_required")
    now = timezone.now()
    owner = {"person": subject} if is_person else {"enterprise": subject}
    with transaction.atomic():
        # Locked: a revocation committed before this read is seen; one racing it waits.
        consents = Consent.objects.select_for_update().filter(
            **owner,
            purpose=purpose,
            revoked_at__isnull=True,
            granted_at__lte=now,
            valid_until__gt=now,
        )
        consent = next((c for c in consents if set(keys) <= set(c.fields)), None)
        if consent is None:
            raise PermissionDenied(
                gettext("未获得本人对该用途读取这些字段的有效授权"),
                code="consent.required",
                fields={"fields": keys},
            )
        if user is None or own or mandate is not None:
            # An agent fills the principal's form: the values whole, as the principal would.
            in_full: Callable[[str], bool] = lambda _f: True  # noqa: E731 (a one-line rule)
        elif isinstance(subject, Person):
            full = permissions.person_fields_in_full(user, subject)
            in_full = full.__contains__
        else:
            in_full = lambda _f: True  # noqa: E731 (an enterprise's facts are public record)
        values = FileValue.objects.filter(**owner, field_key__in=keys)
        entries = {e.key: e for e in _entries(values, in_full=in_full)}
        FileUse.objects.create(
            **owner,
            fields=keys,
            purpose=purpose,
            requester=consent.requester,
            consent=consent,
            user=user,
            reader_label=mandate_agent_label(mandate) if mandate else _reader_label(actor, own=own),
            mandate=mandate,
        )
        audit_record(
            actor=actor,
            action=f"{kind}_file.read",
            target=subject,
            after={
                "fields": keys,
                "purpose": purpose,
                "consent": consent.pk,
                "mandate": mandate.pk if mandate else None,
                "hall": mandate.hall_code if mandate else "",
                "masked": sorted(k for k, e in entries.items() if e.masked),
            },
        )
    return entries


def person_file_read(
    *,
    actor: Actor,
    person: Person,
    fields: Sequence[str],
    purpose: str,
    mandate: Mandate | None = None,
) -> dict[str, FileEntry]:
    """The one way a service reads a person's file: `fields` for `purpose`, only under a
    valid consent of the person covering them all (else 403 "consent.required"); records
    the use the person sees in 我的档案 and audits the read ("person_file.read"). Masks what
    the reader's role does not need; a reader who may not read the file gets NotFound.
    An agent passes the `mandate` they act under (帮办代办): it must be theirs, usable and
    allow reading the file; the use is recorded with it, so the person sees who read what."""
    return _file_read(actor=actor, subject=person, fields=fields, purpose=purpose, mandate=mandate)


def enterprise_file_read(
    *, actor: Actor, enterprise: Enterprise, fields: Sequence[str], purpose: str
) -> dict[str, FileEntry]:
    """person_file_read for an enterprise, under a representative's consent."""
    return _file_read(actor=actor, subject=enterprise, fields=fields, purpose=purpose)


def file_use_list(subject: Person | Enterprise) -> QuerySet[FileUse]:
    """Who used which fields of the file when, newest first (the owner's right to know)."""
    owner = {"person": subject} if isinstance(subject, Person) else {"enterprise": subject}
    return FileUse.objects.filter(**owner).order_by("-used_at", "-id")


def consent_list(subject: Person | Enterprise) -> QuerySet[Consent]:
    owner = {"person": subject} if isinstance(subject, Person) else {"enterprise": subject}
    return Consent.objects.filter(**owner).order_by("-granted_at", "-id")


def access_my_consent(user: User | Any, consent_id: int | str) -> Consent:
    """A consent the user gave (their own, or their enterprise's); NotFound otherwise."""
    try:
        consent = Consent.objects.select_related("person", "enterprise").get(pk=int(consent_id))
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("授权不存在"), code="consent.not_found") from None
    mine = (
        permissions.is_self(user, consent.person)
        if consent.person is not None
        else consent.enterprise is not None
        and permissions.is_representative(user, consent.enterprise)
    )
    if not mine:
        raise NotFound(gettext("授权不存在"), code="consent.not_found")
    return consent


# --- mandates (委托授权, 帮办代办), decision 0072 ---------------------------------------------


def _is_mandate_agent(user: User | Any, mandate: Mandate) -> bool:
    """The relative named on it, or a hall staff member of the unit that runs the hall."""
    if not permissions.is_active_user(user):
        return False
    if mandate.agent_kind == MandateAgent.RELATIVE:
        return mandate.agent_id == user.pk
    unit = mandate.agent_unit
    return (
        user.role == Role.HALL_STAFF
        and user.org_unit is not None
        and unit is not None
        and unit.path.startswith(user.org_unit.path)
    )


def mandate_covers(mandate: Mandate, item_code: str) -> bool:
    return mandate.scope == MandateScope.APPLICATIONS or item_code in mandate.item_codes


def mandate_check(
    mandate: Mandate,
    *,
    user: User | Any,
    item_code: str | None = None,
    read_file: bool = False,
    now: dt.datetime | None = None,
) -> Mandate:
    """May `user` act under `mandate` now (for `item_code`; reading the file)? NotFound
    for someone who is not its agent (it concerns another person); for its agent a coded
    403: mandate.revoked, mandate.expired, mandate.not_yet_valid, mandate.out_of_scope,
    mandate.read_not_allowed. The dates are checked here, whatever the sweep has done."""
    if not _is_mandate_agent(user, mandate):
        raise NotFound(gettext("授权不存在"), code="mandate.not_found")
    now = now or timezone.now()
    if mandate.status == MandateStatus.REVOKED:
        raise PermissionDenied(gettext("委托人已撤销该授权"), code="mandate.revoked")
    if mandate.status == MandateStatus.EXPIRED or mandate.valid_until <= now:
        raise PermissionDenied(gettext("该授权已过期"), code="mandate.expired")
    if mandate.valid_from > now:
        raise PermissionDenied(gettext("该授权尚未生效"), code="mandate.not_yet_valid")
    if item_code is not None and not mandate_covers(mandate, item_code):
        raise PermissionDenied(
            gettext("该事项不在授权范围内"),
            code="mandate.out_of_scope",
            fields={"item": [item_code]},
        )
    if read_file and not mandate.read_file:
        raise PermissionDenied(gettext("委托人未授权读取其档案"), code="mandate.read_not_allowed")
    return mandate


def access_mandate_as_agent(user: User | Any, mandate_id: int | str) -> Mandate:
    """A mandate `user` is the agent of (whatever its status: the agent is told why it no
    longer works); NotFound — the same as a missing one — for everyone else."""
    try:
        mandate = Mandate.objects.select_related("principal", "agent_unit").get(pk=int(mandate_id))
    except (Mandate.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("授权不存在"), code="mandate.not_found") from None
    if not _is_mandate_agent(user, mandate):
        raise NotFound(gettext("授权不存在"), code="mandate.not_found")
    return mandate


def access_my_mandate(user: User | Any, mandate_id: int | str) -> Mandate:
    """A mandate the signed-in person gave; NotFound for everyone else."""
    try:
        mandate = Mandate.objects.select_related("principal", "agent").get(pk=int(mandate_id))
    except (Mandate.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("授权不存在"), code="mandate.not_found") from None
    if not permissions.is_self(user, mandate.principal):
        raise NotFound(gettext("授权不存在"), code="mandate.not_found")
    return mandate


def mandates_given(person: Person) -> QuerySet[Mandate]:
    """The person's authorisations, newest first (their 我的授权 page)."""
    return (
        Mandate.objects.filter(principal=person)
        .select_related("agent", "checked_by")
        .order_by("-created_at", "-id")
    )


def mandates_received(user: User | Any) -> QuerySet[Mandate]:
    """The authorisations a relative holds, usable ones first."""
    if not permissions.is_active_user(user):
        return Mandate.objects.none()
    return (
        Mandate.objects.filter(agent_kind=MandateAgent.RELATIVE, agent_id=user.pk)
        .select_related("principal")
        .order_by("status", "-created_at", "-id")
    )


def mandates_of_hall(user: User | Any, person: Person) -> QuerySet[Mandate]:
    """A person's authorisations of the halls run by the staff member's unit."""
    if not permissions.is_active_user(user) or user.role != Role.HALL_STAFF or not user.org_unit:
        return Mandate.objects.none()
    return Mandate.objects.filter(
        principal=person,
        agent_kind=MandateAgent.HALL,
        agent_unit__path__startswith=user.org_unit.path,
    ).order_by("-created_at", "-id")


def mandate_agent_label(mandate: Mandate) -> str:
    """Who acted under it, as the person is shown: the relative's name, or the hall."""
    if mandate.agent_kind == MandateAgent.RELATIVE and mandate.agent is not None:
        name = mandate.agent.display_name or mandate.agent.get_username()
        return gettext("代办人 %(name)s（授权 #%(id)d）") % {"name": name, "id": mandate.pk}
    return gettext("%(hall)s 帮办（授权 #%(id)d）") % {"hall": mandate.hall_name, "id": mandate.pk}
