"""Reads of instant-approval rules (秒批规则): what a rule may name for an item, the version
in force on a day, an item's versions, the items a department keeps rules for, and the
share of applications approved at once (decision 0066)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hongmian.applications import rules as rule_defs
from hongmian.applications import selectors
from hongmian.applications.models import Application
from hongmian.applications.rule_models import RuleVersion
from hongmian.catalog import permissions as catalog_permissions
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.certificates.type_specs import SPECS
from hongmian.core.reviews import VersionState
from hongmian.identity.permissions import is_active_user, is_system_admin

SHARE_DAYS = 30


def rule_subject(item: ServiceItem) -> rule_defs.Subject:
    """What `item`'s rule may name: its form's answers and the declared certificate types."""
    definition, _revision = selectors.item_form(item)
    return rule_defs.Subject(
        answers=rule_defs.answer_kinds(definition.fields),
        certificate_types=frozenset(SPECS),
    )


def rule_in_force(item: ServiceItem | int, today: dt.date | None = None) -> RuleVersion | None:
    """The published rule that applies on `today` (Asia/Shanghai): the newest published or
    superseded version whose effective date has come. A version published with a later date
    leaves the one it replaced in force until then. Read from the process's copy of the
    item's setup (selectors.item_setup), checked against its version counter."""
    return selectors.item_setup(item).rule_on(today or timezone.localdate())


def rule_versions(item: ServiceItem) -> QuerySet[RuleVersion]:
    return RuleVersion.objects.filter(item=item).select_related(
        "edited_by", "submitted_by", "reviewed_by"
    )


def rule_pending(item: ServiceItem) -> RuleVersion | None:
    return RuleVersion.objects.filter(
        item=item, state__in=[VersionState.DRAFT, VersionState.IN_REVIEW]
    ).first()


def _city_wide(user: Any) -> bool:
    return is_system_admin(user) or (
        is_active_user(user) and user.role in catalog_permissions.CITY_CATALOGUE_ROLES
    )


def can_keep_rules(user: Any) -> bool:
    """Who opens the rules' pages: the catalogue's editors of a unit (each for the items
    catalog.permissions.can_update_item gives them) and the city's catalogue keepers."""
    if _city_wide(user):
        return True
    return bool(
        is_active_user(user)
        and user.role in catalog_permissions.EDITOR_ROLES
        and user.org_unit_id is not None
    )


def rule_items_for(user: Any) -> QuerySet[ServiceItem]:
    """The items (not retired) whose rules `user` keeps: their unit's and those below it,
    or every one for the city's catalogue keepers."""
    rows = ServiceItem.objects.exclude(status=ItemStatus.RETIRED).select_related("department")
    if _city_wide(user):
        return rows.order_by("code")
    if not can_keep_rules(user):
        return rows.none()
    return rows.filter(department__path__startswith=user.org_unit.path).order_by("code")


def rule_item_for(user: Any, code: str) -> ServiceItem | None:
    """The item `code` if `user` keeps its rules (None: the caller answers 404)."""
    return rule_items_for(user).filter(code=code).first()


@dataclass(frozen=True, slots=True)
class ShareRow:
    item: ServiceItem
    submitted: int
    instant: int

    @property
    def share(self) -> float:
        return round(100.0 * self.instant / self.submitted, 1) if self.submitted else 0.0


def instant_share(
    items: QuerySet[ServiceItem], *, days: int = SHARE_DAYS, now: dt.datetime | None = None
) -> list[ShareRow]:
    """Per item of `items` with a rule or a submission in the last `days`: applications
    submitted in the window and those approved at once (true counts, by one grouped query)."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    counts = (
        Application.objects.filter(item__in=items, submitted_at__gte=since)
        .values("item_id")
        .annotate(submitted=Count("id"), instant=Count("id", filter=Q(instant=True)))
    )
    by_item = {row["item_id"]: row for row in counts}
    ruled = set(RuleVersion.objects.filter(item__in=items).values_list("item_id", flat=True))
    wanted = ruled | set(by_item)
    rows = []
    for item in items.filter(pk__in=wanted).order_by("code"):
        row = by_item.get(item.pk, {"submitted": 0, "instant": 0})
        rows.append(ShareRow(item=item, submitted=row["submitted"], instant=row["instant"]))
    return rows
