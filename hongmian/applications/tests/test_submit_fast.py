"""What made submission fast keeps it right (decision 0087): the process's copy of an item's
form and rules follows every change at once — a rule or form published after the copy was
made, in this process or another — and never keeps what a rolled-back transaction wrote;
three materials reused in one call are all provided or none; the submission's queries are
pinned."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from hongmian.applications.models import ApplicationEvent
from hongmian.applications.rule_models import RuleVersion
from hongmian.applications.selectors import ITEM_SETUP, item_form, item_setup, reusable_materials
from hongmian.applications.selectors_rules import rule_in_force
from hongmian.applications.services import forms, lifecycle, materials, rules
from hongmian.applications.states import Status
from hongmian.applications.tests.conftest import World, actor_of
from hongmian.applications.tests.test_instant import AGE_80, SYSTEM, born, consented, submit
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent, CacheVersion
from hongmian.core.reviews import VersionState

ADULT = {
    "all": [{"field": "identity.birth_date", "op": "age_gte", "value": 18, "label": "年满18周岁"}],
    "result": "准予",
}


def test_a_rule_published_after_the_copy_was_made_is_used_at_once(world: World) -> None:
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    born(world, "1980-01-01")
    first = consented(world)
    assert rule_in_force(world.item) is not None  # the copy is made
    newer = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=ADULT)
    assert newer is not None
    application = submit(world, first)
    assert application.rule_version_id == newer.pk
    assert application.instant
    assert application.status == Status.RESULT_ISSUED


def test_another_process_s_change_is_seen_by_the_next_use(world: World) -> None:
    """Another process publishes (rows and the counter committed there): this process's copy
    is not told, yet its next read of the counter drops it."""
    old = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    assert old is not None
    ITEM_SETUP.clear()  # as after the commit: this process holds no writer's view
    assert rule_in_force(world.item) == old
    # Written as another process would: the rows, then its bump (not this process's cache).
    RuleVersion.objects.filter(pk=old.pk).update(state=VersionState.SUPERSEDED)
    newer = RuleVersion.objects.create(
        item=world.item, number=old.number + 1, rules=ADULT, state=VersionState.PUBLISHED
    )
    assert rule_in_force(world.item) == old  # the copy is really used …
    CacheVersion.objects.filter(key=ITEM_SETUP.key).update(version=F("version") + 1)
    assert rule_in_force(world.item) == newer  # … and dropped when the counter moves


def test_a_form_changed_after_the_copy_was_made_is_used_at_once(world: World) -> None:
    before, revision = item_form(world.item)
    fields: list[dict[str, Any]] = [
        {"key": "name", "label": "姓名", "file_field": "identity.name"},
        {"key": "extra", "label": "备注"},
    ]
    forms.item_form_set(actor=SYSTEM, item=world.item, fields=fields)
    after, newer = item_form(world.item)
    assert newer == revision + 1
    assert "extra" in {f.key for f in after.fields} - {f.key for f in before.fields}


def test_a_rolled_back_publication_is_not_kept(world: World) -> None:
    old = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    ITEM_SETUP.clear()
    assert rule_in_force(world.item) == old
    seen: list[object] = []

    def publish_then_fail() -> None:
        with transaction.atomic():
            newer = rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=ADULT)
            seen.append(newer)
            seen.append(rule_in_force(world.item))  # the writer sees its own rows
            raise RuntimeError

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert seen[0] == seen[1]
    assert rule_in_force(world.item) == old


def _offered(world: World) -> list[tuple[int, int]]:
    earlier = consented(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=earlier)
    return [(m, rows[0].pk) for m, rows in reusable_materials(world.draft()).items()]


def test_materials_reused_in_one_call_all_or_none(world: World) -> None:
    choices = _offered(world)
    assert len(choices) == 2
    application = world.draft()
    actor = actor_of(world.citizen)
    bad = [(choices[0][0], choices[0][1]), (choices[1][0], 999_999)]
    with pytest.raises(NotFound) as caught:
        materials.materials_reuse(actor=actor, application=application, choices=bad, consent=True)
    assert caught.value.code == "application.reuse_not_found"
    twice = [choices[0], choices[0]]
    with pytest.raises(ValidationFailed) as repeated:
        materials.materials_reuse(actor=actor, application=application, choices=twice, consent=True)
    assert repeated.value.code == "application.material_repeated"
    with pytest.raises(PermissionDenied):
        materials.materials_reuse(
            actor=actor, application=application, choices=choices, consent=False
        )
    assert not application.materials.exists()
    rows = materials.materials_reuse(
        actor=actor, application=application, choices=choices, consent=True
    )
    assert sorted(r.material_id for r in rows) == sorted(m for m, _s in choices)
    assert all(r.reused_from_id and r.consented_at for r in rows)
    events = ApplicationEvent.objects.filter(application=application, kind="material_reuse")
    assert events.count() == 2
    audits = AuditEvent.objects.filter(
        action="application.material_reuse", target_id=str(application.pk)
    )
    assert audits.count() == 2


def test_the_submission_and_its_instant_approval_in_one_turn(world: World) -> None:
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=ADULT)
    born(world, "1990-05-01")
    application = consented(world)
    ITEM_SETUP.clear()  # as after the publication's commit
    item_setup(world.item)  # a warm process: the copy is made by an earlier request
    with CaptureQueriesContext(connection) as seen:
        lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    # Pinned: the lock, the item's and the account's checks, the counter, the materials,
    # the consented file read (consent, values, use log, its audit entry), one UPDATE, one
    # INSERT of five events, one turn of the chain (decision 0087; 30 before).
    expected = {"sqlite": 20, "postgresql": 20}[connection.vendor]
    assert len(seen) == expected, [q["sql"][:80] for q in seen.captured_queries]
    kinds = list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds[-5:] == [
        "submit",
        "instant_accepted",
        "instant_under_review",
        "instant_approved",
        "instant_result_issued",
    ]
    chain = list(
        AuditEvent.objects.filter(target_id=str(application.pk), action__startswith="application.")
        .order_by("id")
        .values_list("action", "after__status")
    )
    assert chain[-5:] == [
        ("application.submit", "submitted"),
        ("application.instant_accepted", "accepted"),
        ("application.instant_under_review", "under_review"),
        ("application.instant_approved", "approved"),
        ("application.instant_result_issued", "result_issued"),
    ]
