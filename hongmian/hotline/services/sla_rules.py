"""SLA rules (时限规则): saving one from the admin (validated and audited) and loading the
default rules from data/sla_rules.csv. Which rule applies to an order is sla.sla_rule_for."""

from __future__ import annotations

import csv
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import ValidationFailed
from hongmian.hotline.models import Category, SlaRule
from hongmian.hotline.services.taxonomy import DATA_DIR, authorise_admin
from hongmian.hotline.states import (
    ClockUnit,
)

logger = logging.getLogger(__name__)

# --- rules ----------------------------------------------------------------------------------

SLA_RULES_CSV = DATA_DIR / "sla_rules.csv"
SLA_RULE_AUDIT_FIELDS = [
    "name",
    "category",
    "request_type",
    "priority",
    "emergency_zone",
    "unit",
    "acknowledge_limit",
    "first_response_limit",
    "resolution_limit",
    "yellow_ratio",
    "is_active",
]


def sla_rule_save(*, actor: Actor, rule: SlaRule) -> SlaRule:
    """Create or change a rule (the admin builds the instance; this validates and audits).
    Clocks already running keep the limits they started with; new dispatches use the rule."""
    authorise_admin(actor)
    try:
        rule.full_clean()
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ValidationFailed("时限规则不正确", code="sla_rule.invalid", fields=fields) from exc
    if rule.unit == ClockUnit.WORKING_DAYS and Decimal(rule.resolution_limit) > 250:
        raise ValidationFailed(
            "办结时限过长",
            code="sla_rule.invalid",
            fields={"resolution_limit": ["最多250个工作日"]},
        )
    with transaction.atomic():
        before = None
        if rule.pk is not None:
            old = SlaRule.objects.select_for_update().filter(pk=rule.pk).first()
            before = snapshot(old, SLA_RULE_AUDIT_FIELDS) if old is not None else None
        rule.save()
        audit_record(
            actor=actor,
            action="sla_rule.update" if before is not None else "sla_rule.create",
            target=rule,
            before=before,
            after=snapshot(rule, SLA_RULE_AUDIT_FIELDS),
        )
    return rule


def sla_rules_load_defaults(*, actor: Actor, path: Path = SLA_RULES_CSV) -> dict[str, Any]:
    """Create the default SLA rules that do not exist yet (matched by name). Idempotent: a
    rule an administrator has changed is left as it is. Rules naming a category need the
    taxonomy loaded first; a rule whose category is missing is skipped and counted."""
    authorise_admin(actor)
    created = skipped = 0
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with transaction.atomic():
        existing = set(SlaRule.objects.values_list("name", flat=True))
        categories = {c.code: c for c in Category.objects.all()}
        for row in rows:
            name = row["name"].strip()
            if name in existing:
                continue
            code = row["category"].strip()
            if code and code not in categories:
                skipped += 1
                continue
            rule = SlaRule(
                name=name,
                emergency_zone=row["emergency_zone"].strip() == "1",
                priority=row["priority"].strip(),
                category=categories.get(code) if code else None,
                request_type=row["request_type"].strip(),
                unit=ClockUnit(row["unit"].strip()),
                acknowledge_limit=Decimal(row["acknowledge_limit"]),
                first_response_limit=Decimal(row["first_response_limit"]),
                resolution_limit=Decimal(row["resolution_limit"]),
                yellow_ratio=Decimal(row["yellow_ratio"]),
            )
            rule.full_clean()
            rule.save()
            audit_record(
                actor=actor,
                action="sla_rule.create",
                target=rule,
                after=snapshot(rule, SLA_RULE_AUDIT_FIELDS),
            )
            created += 1
    return {"created": created, "skipped": skipped, "total": len(rows)}
