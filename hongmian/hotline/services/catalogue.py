"""The dispatch catalogue (派单目录): versions, rules, and which unit an order goes to.

A catalogue is edited as a whole: an administrator drafts a new version from the active one,
changes rules in the draft, and activates it, which retires the old version in the same
transaction. Dispatch reads only the active version, so it never sees half an edit.

`dispatch_suggest(order)` is what `work_order_dispatch(..., lead_unit=None)` asks.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, ValidationFailed
from hongmian.geo.selectors import gazetteer
from hongmian.geo.states import DivisionLevel
from hongmian.hotline.models import Category, DispatchCatalogue, DispatchRule, WorkOrder
from hongmian.hotline.services.taxonomy import DATA_DIR, authorise_admin, category_chain
from hongmian.hotline.states import CatalogueStatus
from hongmian.identity.models import OrgUnit


@dataclass(frozen=True, slots=True)
class DispatchSuggestion:
    """Where the catalogue says an order should go, and the rule that says so."""

    lead_unit: OrgUnit
    co_units: tuple[OrgUnit, ...]
    rule: DispatchRule


# --- reading ------------------------------------------------------------------------------


def catalogue_active() -> DispatchCatalogue | None:
    return DispatchCatalogue.objects.filter(status=CatalogueStatus.ACTIVE).first()


def _area_codes(order: WorkOrder) -> list[str]:
    """The order's areas from the most to the least specific: street, district, city ("")."""
    codes = [order.street_code, order.district_code]
    return [c for c in codes if c] + [""]


def dispatch_suggest(order: WorkOrder) -> DispatchSuggestion | None:
    """The lead unit (and co-handlers) for `order` from the active catalogue, or None when
    the order has no category or no rule covers it (an agent then chooses by hand).

    The most specific rule wins: the nearest category (the order's own, then its parent,
    then the top level), and for the same category the street's rule over the district's
    over the whole city's. A rule marked `dispatch_to_street` whose order has a known street
    gives the lead to that street's office (二次派单), provided the office lies under the
    rule's lead unit — a district passes an order on only to its own streets."""
    if order.category_id is None:
        return None
    categories = list(reversed(category_chain(order.category_id)))  # nearest first
    areas = _area_codes(order)
    rules = list(
        DispatchRule.objects.filter(
            catalogue__status=CatalogueStatus.ACTIVE,
            category__in=categories,
            area_code__in=areas,
            lead_unit__is_active=True,
        ).select_related("lead_unit")
    )
    if not rules:
        return None
    category_rank = {c.pk: i for i, c in enumerate(categories)}
    area_rank = {code: i for i, code in enumerate(areas)}
    rule = min(rules, key=lambda r: (category_rank[r.category_id], area_rank[r.area_code]))
    lead = rule.lead_unit
    if rule.dispatch_to_street and order.street_code:
        street = (
            OrgUnit.objects.filter(
                division_code=order.street_code, is_active=True, path__startswith=lead.path
            )
            .exclude(pk=lead.pk)
            .order_by("depth")
            .first()
        )
        if street is not None:
            lead = street
    co_units = tuple(u for u in rule.co_units.all() if u.is_active and u.pk != lead.pk)
    return DispatchSuggestion(lead_unit=lead, co_units=co_units, rule=rule)


# --- writing ------------------------------------------------------------------------------


def _rule_after(rule: DispatchRule) -> dict[str, object]:
    return {
        "catalogue": rule.catalogue.version,
        "category": rule.category.code,
        "area_code": rule.area_code,
        "lead_unit": rule.lead_unit.code,
        "co_units": sorted(u.code for u in rule.co_units.all()),
        "dispatch_to_street": rule.dispatch_to_street,
        "basis": rule.basis,
    }


def _locked_draft(catalogue: DispatchCatalogue) -> DispatchCatalogue:
    locked = DispatchCatalogue.objects.select_for_update().get(pk=catalogue.pk)
    if locked.status != CatalogueStatus.DRAFT:
        raise Conflict(
            gettext("派单目录 v%(version)s 不是草稿，不能修改；请先从生效版本生成草稿")
            % {"version": locked.version},
            code="catalogue.not_draft",
        )
    return locked


def _valid_area(area_code: str) -> str:
    area_code = (area_code or "").strip()
    if not area_code:
        return ""
    entry = gazetteer().by_code.get(area_code)
    if entry is None or entry.level == DivisionLevel.CITY:
        raise ValidationFailed(
            gettext("区域代码“%(area_code)s”不是广州的区或街镇") % {"area_code": area_code},
            code="catalogue.area_invalid",
            fields={"area_code": ["应为区或街镇的9位行政区划代码，留空表示全市"]},
        )
    return area_code


def catalogue_draft_create(*, actor: Actor, note: str = "") -> DispatchCatalogue:
    """An empty draft — for the first catalogue, when there is nothing to copy."""
    return _draft(actor=actor, source=None, note=note)


def catalogue_draft_from_active(*, actor: Actor, note: str = "") -> DispatchCatalogue:
    """A new draft version holding a copy of every rule of the active version. Only one
    draft exists at a time, so two administrators cannot each prepare a competing edit."""
    return _draft(actor=actor, source=catalogue_active(), note=note)


def _draft(*, actor: Actor, source: DispatchCatalogue | None, note: str) -> DispatchCatalogue:
    authorise_admin(actor)
    with transaction.atomic():
        # Locking every version serialises drafting and activation across processes.
        versions = list(DispatchCatalogue.objects.select_for_update().order_by("version"))
        if any(v.status == CatalogueStatus.DRAFT for v in versions):
            raise Conflict(
                gettext("已有一个草稿版本，请先完成或删除它"), code="catalogue.draft_exists"
            )
        number = (DispatchCatalogue.objects.aggregate(m=Max("version"))["m"] or 0) + 1
        draft = DispatchCatalogue.objects.create(
            version=number,
            status=CatalogueStatus.DRAFT,
            note=note or (f"由 v{source.version} 生成" if source else ""),
        )
        copied = 0
        if source is not None:
            for rule in source.rules.prefetch_related("co_units"):
                co = list(rule.co_units.all())
                rule.pk = None
                rule.id = None
                rule._state.adding = True
                rule.catalogue = draft
                rule.save()
                rule.co_units.set(co)
                copied += 1
        audit_record(
            actor=actor,
            action="catalogue.draft",
            target=draft,
            after={
                "version": draft.version,
                "from": source.version if source else None,
                "rules": copied,
            },
        )
    return draft


def catalogue_rule_set(
    *,
    actor: Actor,
    catalogue: DispatchCatalogue,
    category: Category,
    area_code: str,
    lead_unit: OrgUnit,
    co_units: Iterable[OrgUnit] = (),
    dispatch_to_street: bool = False,
    basis: str = "",
) -> DispatchRule:
    """Create or replace the draft's rule for `category` in `area_code` ("" = the whole
    city, else a district's or street's 9-digit code)."""
    authorise_admin(actor)
    area_code = _valid_area(area_code)
    co = [u for u in co_units if u.pk != lead_unit.pk]
    if not lead_unit.is_active or any(not u.is_active for u in co):
        raise ValidationFailed(
            gettext("承办单位已停用"),
            code="catalogue.unit_inactive",
            fields={"lead_unit": ["已停用"]},
        )
    if not category.is_active:
        raise ValidationFailed(
            gettext("分类已停用"),
            code="catalogue.category_inactive",
            fields={"category": ["已停用"]},
        )
    with transaction.atomic():
        draft = _locked_draft(catalogue)
        rule, created = DispatchRule.objects.update_or_create(
            catalogue=draft,
            category=category,
            area_code=area_code,
            defaults={
                "lead_unit": lead_unit,
                "dispatch_to_street": dispatch_to_street,
                "basis": (basis or "").strip()[:300],
            },
        )
        rule.co_units.set(co)
        audit_record(
            actor=actor,
            action="catalogue.rule_create" if created else "catalogue.rule_update",
            target=rule,
            after=_rule_after(rule),
        )
    return rule


def catalogue_rule_remove(*, actor: Actor, rule: DispatchRule) -> None:
    authorise_admin(actor)
    with transaction.atomic():
        _locked_draft(rule.catalogue)
        audit_record(
            actor=actor, action="catalogue.rule_remove", target=rule, before=_rule_after(rule)
        )
        rule.delete()


def catalogue_activate(*, actor: Actor, catalogue: DispatchCatalogue) -> DispatchCatalogue:
    """Make the draft the one active version; the previous active version is retired."""
    authorise_admin(actor)
    with transaction.atomic():
        versions = {
            v.pk: v for v in DispatchCatalogue.objects.select_for_update().order_by("version")
        }
        draft = versions.get(catalogue.pk)
        if draft is None or draft.status != CatalogueStatus.DRAFT:
            raise Conflict(gettext("只有草稿版本可以生效"), code="catalogue.not_draft")
        if not draft.rules.exists():
            raise ValidationFailed(gettext("草稿没有任何规则，不能生效"), code="catalogue.empty")
        retired = None
        for version in versions.values():
            if version.status == CatalogueStatus.ACTIVE:
                # Retired first: the constraint allows one active version at any instant.
                version.status = CatalogueStatus.RETIRED
                version.save(update_fields=["status", "updated_at"])
                retired = version.version
        draft.status = CatalogueStatus.ACTIVE
        draft.activated_at = timezone.now()
        draft.save(update_fields=["status", "activated_at", "updated_at"])
        audit_record(
            actor=actor,
            action="catalogue.activate",
            target=draft,
            after={"version": draft.version, "retired": retired, "rules": draft.rules.count()},
        )
    catalogue.status, catalogue.activated_at = draft.status, draft.activated_at
    return draft


def catalogue_draft_delete(*, actor: Actor, catalogue: DispatchCatalogue) -> None:
    """Throw a draft away (an active or retired version is history and stays)."""
    authorise_admin(actor)
    with transaction.atomic():
        draft = _locked_draft(catalogue)
        audit_record(
            actor=actor, action="catalogue.draft_delete", target=draft, before={"v": draft.version}
        )
        draft.delete()


# --- the default catalogue ------------------------------------------------------------------

CATALOGUE_CSV = DATA_DIR / "dispatch_catalogue.csv"
# In the data file: "district" as the lead unit means each district's government.
DISTRICT_LEAD = "district"


def _district_unit_code(district_code: str) -> str:
    return f"gz-{district_code[:6]}"


def default_rule_specs(path: Path = CATALOGUE_CSV) -> list[dict[str, Any]]:
    """The rows of the data file, with "district" rows expanded to one per district."""
    specs: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            scope, lead = row["scope"].strip(), row["lead_unit"].strip()
            base = {
                "category": row["category"].strip(),
                "co_units": [c for c in row["co_units"].split("|") if c.strip()],
                "dispatch_to_street": row["dispatch_to_street"].strip() == "1",
                "basis": row["basis"].strip(),
            }
            if scope == "city":
                if lead == DISTRICT_LEAD:
                    raise ValueError(f"{path.name}:{line}: a city-wide rule needs a unit")
                specs.append({**base, "area_code": "", "lead_unit": lead})
            elif scope == "district":
                for district in gazetteer().districts():
                    unit = _district_unit_code(district.code) if lead == DISTRICT_LEAD else lead
                    specs.append({**base, "area_code": district.code, "lead_unit": unit})
            else:
                raise ValueError(f"{path.name}:{line}: scope must be city or district")
    return specs


def catalogue_load_defaults(*, actor: Actor, path: Path = CATALOGUE_CSV) -> dict[str, Any]:
    """Create and activate catalogue v1 from the data file — only when no catalogue exists
    yet: after that the catalogue belongs to its administrators, and a second run changes
    nothing. Rules whose category or unit is missing (the organisation tree not seeded) are
    skipped and counted; with no rule at all nothing is created, so a later run, after the
    units exist, still loads it."""
    authorise_admin(actor)
    if DispatchCatalogue.objects.exists():
        return {"created": 0, "skipped": 0, "version": None}
    specs = default_rule_specs(path)
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    units = {u.code: u for u in OrgUnit.objects.filter(is_active=True)}
    usable = [
        s
        for s in specs
        if s["category"] in categories
        and s["lead_unit"] in units
        and all(c in units for c in s["co_units"])
    ]
    if not usable:
        return {"created": 0, "skipped": len(specs), "version": None}
    with transaction.atomic():
        draft = catalogue_draft_create(actor=actor, note="默认派单目录")
        for spec in usable:
            rule = DispatchRule.objects.create(
                catalogue=draft,
                category=categories[spec["category"]],
                area_code=spec["area_code"],
                lead_unit=units[spec["lead_unit"]],
                dispatch_to_street=spec["dispatch_to_street"],
                basis=spec["basis"],
            )
            if spec["co_units"]:
                rule.co_units.set([units[c] for c in spec["co_units"]])
        catalogue_activate(actor=actor, catalogue=draft)
    return {
        "created": len(usable),
        "skipped": len(specs) - len(usable),
        "version": draft.version,
    }
