"""秒批 — instant approval at submission (decision 0066). `rules_evaluate` judges a submitted
application by its item's rule in force, from the facts the applicant lets the department
use: their file's fields read through identity's one access function under their
auto-fill consent (a field the consent does not cover fails its condition — nothing is read
silently), the e-certificates they hold, and their answers. `instant_decide` records the
version and every condition's check on the application; a qualifying one moves through the
normal states (受理 → 审查 → 准予, and 出证 when the rule names a result) as the actor
"system:instant", each step a transition in the timeline and the audit log; a failing one
stays with the department, its failed conditions on the review page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hongmian.applications import certificates_bridge, selectors
from hongmian.applications import rules as rule_defs
from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.rule_models import RuleVersion
from hongmian.applications.selectors_rules import rule_in_force
from hongmian.applications.services.common import record
from hongmian.applications.states import APPLICATION_TRANSITIONS, Applicant, Status
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record_many
from hongmian.core.errors import PermissionDenied
from hongmian.core.transitions import assert_transition
from hongmian.identity import file_fields
from hongmian.identity.selectors import enterprise_file_read, person_file_read

INSTANT_ACTOR = Actor.system("instant")
# The purpose of the file read: the auto-fill consent's (drafts.PREFILL_PURPOSE), which
# covers the rule's fields as well as the form's (drafts.prefill_fields).
PURPOSE = "application.prefill"


@dataclass(frozen=True, slots=True)
class Decision:
    version: RuleVersion
    outcome: rule_defs.Outcome


def rule_file_fields(rules: dict[str, Any], applicant_kind: str) -> list[str]:
    """The rule's file fields of the applicant's kind of file (what the consent covers)."""
    subject = "enterprise" if applicant_kind == Applicant.ENTERPRISE else "person"
    return [
        key
        for key in rule_defs.rules_file_fields(rules)
        if file_fields.FIELDS[key].subject == subject
    ]


def _file_facts(
    actor: Actor, application: Application, keys: list[str]
) -> tuple[dict[str, Any], frozenset[str]]:
    if not keys:
        return {}, frozenset()
    try:
        if application.enterprise is not None:
            entries = enterprise_file_read(
                actor=actor, enterprise=application.enterprise, fields=keys, purpose=PURPOSE
            )
        elif application.person is not None:
            entries = person_file_read(
                actor=actor, person=application.person, fields=keys, purpose=PURPOSE
            )
        else:  # pragma: no cover - the check constraint forbids it
            return {}, frozenset(keys)
    except PermissionDenied as exc:
        if exc.code != "consent.required":
            raise
        return {}, frozenset(keys)
    return {k: e.raw for k, e in entries.items() if e.raw is not None}, frozenset()


def rules_evaluate(*, actor: Actor, application: Application) -> Decision | None:
    """Judge `application` by its item's rule in force today (None: the item has none).
    `actor` is the applicant: the file is read as theirs, under their consent."""
    version = rule_in_force(application.item_id)
    if version is None:
        return None
    rules = version.rules
    values, unconsented = _file_facts(
        actor, application, rule_file_fields(rules, application.applicant_kind)
    )
    wanted = rule_defs.rules_certificates(rules)
    held = certificates_bridge.certificates_held(
        person=application.person, enterprise=application.enterprise, type_codes=wanted
    )
    kinds: dict[str, str] = {}
    if rule_defs.rules_answers(rules):  # the form is read only when the rule asks an answer
        definition, _revision = selectors.item_form(application.item)
        kinds = {k: kind for k, (kind, _c) in rule_defs.answer_kinds(definition.fields).items()}
    outcome = rule_defs.rules_evaluate_facts(
        rules,
        rule_defs.Facts(
            file=values,
            unconsented=unconsented,
            certificates=frozenset(c.type_code for c in held),
            answers={k: str(v) for k, v in application.answers.items()},
        ),
        today=timezone.localdate(),
        answer_kinds=kinds,
    )
    return Decision(version=version, outcome=outcome)


def instant_decide(*, application: Application, decision: Decision | None) -> bool:
    """Record `decision` on a just-submitted `application` (locked by the caller, inside its
    transaction) and approve it at once when it qualifies (True)."""
    if decision is None:
        return False
    application.rule_version = decision.version
    application.rule_checks = [c.as_json() for c in decision.outcome.checks]
    if not decision.outcome.qualified:
        application.save(update_fields=["rule_version", "rule_checks", "updated_at"])
        failed = [c.label for c in decision.outcome.failed]
        record(
            actor=INSTANT_ACTOR,
            application=application,
            kind="instant_failed",
            note="；".join(failed),
            data={"rule_version": decision.version.pk, "failed": failed},
        )
        return False
    now = timezone.now()
    result = str(decision.version.rules.get("result", "")).strip()
    steps = [Status.ACCEPTED, Status.UNDER_REVIEW, Status.APPROVED]
    if result:
        steps.append(Status.RESULT_ISSUED)
    before = application.status
    events = []
    audits = []
    for target in steps:
        assert_transition(APPLICATION_TRANSITIONS, before, target)
        data = {"rule_version": decision.version.pk, "instant": True}
        events.append(
            ApplicationEvent(
                application=application,
                kind=f"instant_{target}",
                from_status=before,
                to_status=target,
                note=result if target == Status.RESULT_ISSUED else "",
                data=data,
            )
        )
        audits.append(
            audit_event(
                actor=INSTANT_ACTOR,
                action=f"application.instant_{target}",
                target=application,
                before={"status": before},
                after={"status": target, **data},
            )
        )
        before = target
    # Accepted and decided in the same instant: no time limit runs, so no clock is set
    # (the desk's lights have nothing to show; the calendar is not read on this path).
    application.accepted_at = application.decided_at = application.stopped_at = now
    application.status = before
    application.instant = True
    if result:
        application.result_note = result
    application.save()
    ApplicationEvent.objects.bulk_create(events)
    audit_record_many(audits)
    return True
