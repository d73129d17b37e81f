"""Reads of the web shell: what a user's home page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hongmian.catalog.models import ServiceItem
from hongmian.catalog.selectors import audience_of, popular_item_list
from hongmian.identity.assurance import AssuranceLevel
from hongmian.identity.models import Enterprise, OrgUnit, Person
from hongmian.identity.states import CITY_WIDE_ROLES, STAFF_ROLES, UNIT_SCOPED_ROLES, Role
from hongmian.portal.home import HomeAction, actions_for

if TYPE_CHECKING:
    from hongmian.identity.models import User

# A guard against a corrupt tree (a cycle through `parent`); real trees are about 5 deep.
_MAX_TREE_DEPTH = 32


@dataclass(frozen=True, slots=True)
class UnitPlace:
    """A member of staff's unit and where it sits in the organisation tree."""

    unit: OrgUnit
    # Root first, ending with the unit itself.
    lineage: tuple[OrgUnit, ...]
    sub_unit_count: int


@dataclass(frozen=True, slots=True)
class HomePage:
    role: Role
    actions: tuple[HomeAction, ...]
    # Staff only; None for the public and for staff not yet given a unit.
    unit_place: UnitPlace | None = None
    # Enterprise representatives: the enterprises they act for.
    enterprises: tuple[Enterprise, ...] = ()
    # Citizens: None when no person record is linked to the account yet.
    real_name_verified: bool | None = None
    # Citizens: the account's assurance level (identity/assurance.py), 1 with no person yet.
    assurance_level: int = 0
    # Citizens and representatives: popular items, those for their audience first.
    items: tuple[ServiceItem, ...] = ()

    @property
    def assurance_label(self) -> str:
        return str(AssuranceLevel(self.assurance_level or AssuranceLevel.L1).label)

    @property
    def template_name(self) -> str:
        return f"portal/home/{self.role.value}.html"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def city_wide(self) -> bool:
        return self.role in CITY_WIDE_ROLES

    @property
    def unit_scoped(self) -> bool:
        return self.role in UNIT_SCOPED_ROLES


def org_unit_lineage(unit: OrgUnit) -> tuple[OrgUnit, ...]:
    """`unit` and its ancestors, root first. Follows `parent` rather than parsing `path`, so
    it does not depend on how the path is spelled; one query per level."""
    chain = [unit]
    current = unit
    while current.parent_id is not None and len(chain) < _MAX_TREE_DEPTH:
        current = OrgUnit.objects.get(pk=current.parent_id)
        chain.append(current)
    return tuple(reversed(chain))


# How many popular items a home page lists (the finder lists more).
HOME_ITEMS = 6


def _popular_for(user: User) -> tuple[ServiceItem, ...]:
    return tuple(popular_item_list(limit=HOME_ITEMS, prefer=audience_of(user)))


def home_page_get(user: User, *, elder_mode: bool) -> HomePage:
    """What `user`'s home page shows. Only the user's own unit, enterprises and
    verification status are read; no one else's personal data."""
    role = Role(user.role)
    actions = actions_for(role, elder_mode=elder_mode)
    if role in STAFF_ROLES:
        unit_place = None
        if user.org_unit_id is not None:
            unit = OrgUnit.objects.get(pk=user.org_unit_id)
            unit_place = UnitPlace(
                unit=unit,
                lineage=org_unit_lineage(unit),
                sub_unit_count=unit.children.filter(is_active=True).count(),
            )
        return HomePage(role=role, actions=actions, unit_place=unit_place)
    if role == Role.ENTERPRISE_REP:
        enterprises = tuple(user.enterprises.order_by("name"))
        return HomePage(
            role=role, actions=actions, enterprises=enterprises, items=_popular_for(user)
        )
    level = Person.objects.filter(user=user).values_list("assurance_level", flat=True).first()
    return HomePage(
        role=role,
        actions=actions,
        real_name_verified=None if level is None else level >= AssuranceLevel.L2,
        assurance_level=level or AssuranceLevel.L1,
        items=_popular_for(user),
    )
