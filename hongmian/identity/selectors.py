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

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound
from hongmian.core.masking import mask_address, mask_mobile, mask_name, mask_resident_id
from hongmian.identity import permissions
from hongmian.identity.models import ApiKey, Enterprise, OrgUnit, Person, User

# --- organisation tree ---------------------------------------------------------------------


def org_unit_get(unit_id: int, *, active_only: bool = True) -> OrgUnit:
    units = OrgUnit.objects.filter(is_active=True) if active_only else OrgUnit.objects.all()
    unit = units.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("机构不存在", code="org_unit.not_found")
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
    """A person's file as one user may see it: fields in `masked` are masked."""

    id: int
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
        id=person.pk,
        name=shown("name", mask_name),
        resident_id=shown("resident_id", mask_resident_id),
        mobile=shown("mobile", mask_mobile),
        address=shown("address", mask_address),
        real_name_verified=person.real_name_verified,
        assurance_level=person.assurance_level,
        masked=tuple(sorted(permissions.PERSON_FIELDS - full)),
    )


def access_person(user: User | Any, person_id: int | str, *, actor: Actor) -> PersonView:
    """The person `person_id` as `user` may see it. Raises NotFound — the same for a missing
    person and for one the user may not see. Every read by someone other than the person
    themself is audited ("person.read"), naming which fields were shown in full."""
    try:
        person = persons_visible_to(user).get(pk=int(person_id))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound("对象不存在", code="person.not_found") from None
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
                },
            )
    return view


# --- enterprises ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseView:
    """An enterprise as one user may see it. Registration facts (name, code, legal
    representative, registered address) are public record; the contact mobile is not."""

    id: int
    name: str
    credit_code: str
    legal_representative: str
    contact_mobile: str
    address: str
    masked: tuple[str, ...]


def enterprises_visible_to(user: User | Any) -> QuerySet[Enterprise]:
    """Every enterprise for staff; the ones a representative acts for."""
    return Enterprise.objects.restrict(user, "view")


def enterprise_view(user: User | Any, enterprise: Enterprise) -> EnterpriseView:
    full_contact = permissions.enterprise_contact_in_full(user, enterprise)
    return EnterpriseView(
        id=enterprise.pk,
        name=enterprise.name,
        credit_code=enterprise.credit_code,
        legal_representative=enterprise.legal_representative,
        contact_mobile=(
            enterprise.contact_mobile if full_contact else mask_mobile(enterprise.contact_mobile)
        ),
        address=enterprise.address,
        masked=() if full_contact else ("contact_mobile",),
    )


def access_enterprise(
    user: User | Any, enterprise_id: int | str, *, actor: Actor
) -> EnterpriseView:
    """The enterprise as `user` may see it; NotFound when missing or not visible. Reads by
    anyone but its own representatives are audited ("enterprise.read")."""
    try:
        enterprise = enterprises_visible_to(user).get(pk=int(enterprise_id))
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise NotFound("对象不存在", code="enterprise.not_found") from None
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
        raise NotFound("密钥不存在", code="api_key.not_found")
    return key
