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
from hongmian.applications.models import Application
from hongmian.applications.rule_models import RuleVersion
from hongmian.applications.services.common import Step
from hongmian.applications.states import APPLICATION_TRANSITIONS, Applicant, Status
from hongmian.core.actors import Actor
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


def rules_evaluate(
    *, actor: Actor, application: Application, setup: selectors.ItemSetup | None = None
) -> Decision | None:
    """Judge `application` by its item's rule in force today (None: the item has none).
    `actor` is the applicant: the file is read as theirs, under their consent. `setup`: the
    item's (selectors.item_setup) when the caller holds it already."""
    setup = setup or selectors.item_setup(application.item_id)
    version = setup.rule_on(timezone.localdate())
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
        fields = setup.form.fields
        kinds = {k: kind for k, (kind, _c) in rule_defs.answer_kinds(fields).items()}
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


def instant_decide(*, application: Application, decision: Decision | None) -> list[Step]:
    """Record `decision` on a just-submitted `application` (locked by the caller, inside its
    transaction; the caller saves it) and move it through the states at once when it
    qualifies. Returns the acts to write (common.record_many) in the same turn as the
    submission's: `instant_failed`, or each step as "system:instant" with the version."""
    if decision is None:
        return []
    application.rule_version = decision.version
    application.rule_checks = [c.as_json() for c in decision.outcome.checks]
    if not decision.outcome.qualified:
        failed = [c.label for c in decision.outcome.failed]
        return [
            Step(
                actor=INSTANT_ACTOR,
                kind="instant_failed",
                note="；".join(failed),
                data={"rule_version": decision.version.pk, "failed": failed},
            )
        ]
    now = timezone.now()
    result = str(decision.version.rules.get("result", "")).strip()
    targets = [Status.ACCEPTED, Status.UNDER_REVIEW, Status.APPROVED]
    if result:
        targets.append(Status.RESULT_ISSUED)
    before = application.status
    steps = []
    for target in targets:
        assert_transition(APPLICATION_TRANSITIONS, before, target)
        steps.append(
            Step(
                actor=INSTANT_ACTOR,
                kind=f"instant_{target}",
                before=before,
                after=target,
                note=result if target == Status.RESULT_ISSUED else "",
                data={"rule_version": decision.version.pk, "instant": True},
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
    return steps


# The fields instant_decide may set, for the caller's save.
DECIDED_FIELDS = [
    "rule_version",
    "rule_checks",
    "accepted_at",
    "decided_at",
    "stopped_at",
    "status",
    "instant",
    "result_note",
]
