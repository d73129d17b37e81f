"""秒批 at submission: a qualifying application approved at once by "system:instant" with the
rule version recorded; a failing one left to the desk with its failed conditions; only
consented file fields read; a rule change does not alter a past decision; the rule's review
workflow; the share of instant approvals per item."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.selectors_rules import instant_share, rule_in_force, rule_items_for
from hongmian.applications.services import drafts, lifecycle, rules
from hongmian.applications.states import Status
from hongmian.applications.tests.conftest import AS_OF, World, actor_of
from hongmian.applications.tests.test_lifecycle import ready
from hongmian.catalog.models import ServiceItem
from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.core.reviews import VersionState
from hongmian.identity.models import FileUse, FileValue

AGE_80 = {
    "all": [
        {"field": "identity.birth_date", "op": "age_gte", "value": 80, "label": "年满80周岁"},
        {"field": "address.residence", "op": "contains", "value": "广州市"},
    ],
    "result": "津贴自次月起发放",
}
SYSTEM = Actor.system("test")


def born(world: World, day: str) -> None:
    FileValue.objects.update_or_create(
        person=world.person,
        field_key="identity.birth_date",
        defaults={"value": day, "source": world.police, "as_of": AS_OF},
    )


def consented(world: World, user: Any = None) -> Application:
    application = ready(world, user)
    drafts.application_prefill_consent(
        actor=actor_of(user or world.citizen), application=application
    )
    application.refresh_from_db()
    return application


def submit(world: World, application: Application) -> Application:
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    application.refresh_from_db()
    return application


def test_a_qualifying_application_is_approved_at_once(world: World) -> None:
    born(world, "1940-05-01")
    version = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    application = submit(world, consented(world))
    assert application.status == Status.RESULT_ISSUED
    assert application.instant
    assert application.rule_version == version
    assert application.result_note == "津贴自次月起发放"
    assert application.decided_at is not None
    assert application.stopped_at is not None
    steps = list(
        ApplicationEvent.objects.filter(application=application, kind__startswith="instant_")
        .order_by("id")
        .values_list("from_status", "to_status")
    )
    assert steps == [
        ("submitted", "accepted"),
        ("accepted", "under_review"),
        ("under_review", "approved"),
        ("approved", "result_issued"),
    ]
    audits = AuditEvent.objects.filter(action__startswith="application.instant_")
    assert {a.actor_label for a in audits} == {"system:instant"}
    assert audits.count() == 4
    assert all(a.after["rule_version"] == version.pk for a in audits)
    # The file was read under the consent, and the person sees the use.
    uses = FileUse.objects.filter(person=world.person).values_list("fields", flat=True)
    assert any("identity.birth_date" in fields for fields in uses)


def test_a_failing_application_goes_to_the_desk_with_failed_conditions(world: World) -> None:
    born(world, "1990-05-01")
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    application = submit(world, consented(world))
    assert application.status == Status.SUBMITTED
    assert not application.instant
    failed = [c for c in application.rule_checks if not c["passed"]]
    assert [c["label"] for c in failed] == ["年满80周岁"]
    assert failed[0]["reason"].startswith("实际为")
    event = ApplicationEvent.objects.get(application=application, kind="instant_failed")
    assert event.data["failed"] == ["年满80周岁"]


def test_without_consent_nothing_is_read_and_the_desk_decides(world: World) -> None:
    born(world, "1940-05-01")
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    application = submit(world, ready(world))
    assert application.status == Status.SUBMITTED
    assert {c["reason"] for c in application.rule_checks} == {"未获本人授权读取该档案字段"}
    assert not FileUse.objects.filter(person=world.person).exists()


def test_the_auto_fill_consent_covers_the_rule_fields(world: World) -> None:
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    application = world.draft()
    assert {"identity.birth_date", "address.residence"} <= set(drafts.prefill_fields(application))


def test_a_rule_change_does_not_alter_past_decisions(world: World) -> None:
    born(world, "1940-05-01")
    first = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    earlier = submit(world, consented(world))
    stricter = {"all": [{"field": "identity.birth_date", "op": "age_gte", "value": 100}]}
    second = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=stricter)
    assert first is not None
    assert second is not None
    later = submit(world, consented(world))
    earlier.refresh_from_db()
    first.refresh_from_db()
    assert (earlier.rule_version, earlier.status) == (first, Status.RESULT_ISSUED)
    assert first.state == VersionState.SUPERSEDED
    assert first.rules == AGE_80
    assert (later.rule_version, later.status) == (second, Status.SUBMITTED)


def test_a_future_effective_date_keeps_the_old_rule_in_force(world: World) -> None:
    first = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rules.rule_publish_now(
        actor=SYSTEM,
        item=world.item,
        rules={"all": [{"field": "identity.name", "op": "exists"}]},
        effective_from=tomorrow,
    )
    assert rule_in_force(world.item) == first
    assert rule_in_force(world.item, tomorrow).rules["all"][0]["field"] == "identity.name"  # type: ignore[union-attr]


def test_the_review_workflow_with_four_eyes(world: World) -> None:
    handler, manager = actor_of(world.handler), actor_of(world.manager)
    with pytest.raises(ValidationFailed) as caught:
        rules.rule_draft_save(
            actor=handler, item=world.item, rules={"all": [{"field": "x", "op": "eq"}]}
        )
    assert caught.value.code == "rule.field_unknown"
    assert not world.item.instant_rules.exists()
    draft = rules.rule_draft_save(actor=handler, item=world.item, rules=AGE_80)
    assert draft.state == VersionState.DRAFT
    assert rule_in_force(world.item) is None
    rules.rule_submit(actor=handler, item=world.item)
    with pytest.raises(Conflict) as conflict:
        rules.rule_draft_save(actor=handler, item=world.item, rules=AGE_80)
    assert conflict.value.code == "rule_version.in_review"
    with pytest.raises(PermissionDenied) as denied:
        rules.rule_approve(actor=handler, item=world.item)
    assert denied.value.code == "rule_version.forbidden"
    rules.rule_reject(actor=manager, item=world.item, note="请补充户籍条件")
    rules.rule_submit(actor=handler, item=world.item)
    published = rules.rule_approve(actor=manager, item=world.item, note="同意")
    assert published.state == VersionState.PUBLISHED
    assert rule_in_force(world.item) == published
    # Another unit's staff neither edit nor see the item's rules.
    other = actor_of(world.other_handler)
    with pytest.raises(PermissionDenied):
        rules.rule_draft_save(actor=other, item=world.item, rules=AGE_80)
    assert world.item not in rule_items_for(world.other_handler)
    assert world.item in rule_items_for(world.handler)


def test_share_counts_submissions_and_instant_approvals(world: World) -> None:
    born(world, "1940-05-01")
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    submit(world, ready(world))  # no consent yet: to the desk
    submit(world, consented(world))
    submit(world, ready(world))  # the consent stands for later applications
    world.draft()  # a draft is not a submission
    old = submit(world, consented(world))
    Application.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=31)
    )
    items = ServiceItem.objects.filter(pk=world.item.pk)
    [row] = instant_share(items)
    assert (row.submitted, row.instant, row.share) == (3, 2, 66.7)


def test_a_rule_on_answers_reads_no_file(world: World) -> None:
    rule = {"all": [{"answer": "phone", "op": "in", "value": ["13812345678"]}]}
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=rule)
    application = submit(world, ready(world))
    assert application.instant
    assert application.status == Status.APPROVED  # no `result`: approved, nothing issued
    assert not FileUse.objects.filter(person=world.person).exists()
