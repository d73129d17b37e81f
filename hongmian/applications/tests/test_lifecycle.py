"""Submission and review: each transition, a refused one, the real-name level, idempotent
submission, 补正 once with the clock paused, the clock's light and the sweep's urging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.selectors import application_light, desk_application_list
from hongmian.applications.services import drafts, lifecycle, materials
from hongmian.applications.services.deadlines import application_deadlines_sweep
from hongmian.applications.tests.conftest import World, actor_of, jpeg
from hongmian.core.actors import Actor
from hongmian.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.models import AuditEvent
from hongmian.identity.models import Person

ANSWERS = {"name": "陈秀英", "resident_id": "x", "address": "天河路1号", "phone": "13812345678"}


def ready(world: World, user: Any = None) -> Application:
    """A draft with every answer and both materials."""
    user = user or world.citizen
    application = world.draft(user=user, answers={**ANSWERS})
    for material in (world.id_material, world.photo_material):
        materials.material_upload(
            actor=actor_of(user), application=application, material_id=material.pk, upload=jpeg()
        )
    application.refresh_from_db()
    return application


def review(world: World, application: Application, act: str, **kwargs: Any) -> Application:
    return lifecycle.application_review(
        actor=actor_of(world.handler), application=application, act=act, **kwargs
    )


def test_submission_needs_every_required_answer_and_material(world: World) -> None:
    application = world.draft(answers={"phone": "13812345678"})
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    assert caught.value.code == "application.field_invalid"
    assert set(caught.value.fields) == {"name", "resident_id", "address"}
    drafts.application_answers_update(
        actor=actor_of(world.citizen), application=application, answers=ANSWERS
    )
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    assert caught.value.code == "application.materials_missing"
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.submitted_at is None


def test_the_real_name_level_is_enforced_at_submission(world: World) -> None:
    application = ready(world)
    Person.objects.filter(pk=world.person.pk).update(assurance_level=1)
    with pytest.raises(PermissionDenied) as caught:
        lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    assert caught.value.code == "application.assurance_too_low"
    application.refresh_from_db()
    assert application.status == "draft"
    assert not ApplicationEvent.objects.filter(kind="submit").exists()


def test_submission_is_idempotent_with_its_key(world: World) -> None:
    application = ready(world)
    citizen = actor_of(world.citizen)
    first, done = lifecycle.application_submit(
        actor=citizen, application=application, idempotency_key="s-1"
    )
    again, done_again = lifecycle.application_submit(
        actor=citizen, application=application, idempotency_key="s-1"
    )
    assert done
    assert not done_again
    assert again.submitted_at == first.submitted_at
    assert ApplicationEvent.objects.filter(kind="submit").count() == 1
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.application_submit(actor=citizen, application=application)
    assert caught.value.code == "application.illegal_transition"


def test_the_whole_way_with_one_correction(world: World) -> None:
    application = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    application = review(world, application, "accept")
    assert application.status == "accepted"
    assert application.due_at is not None
    assert application.handler == world.handler
    assert application_light(application) == "green"
    application = review(world, application, "start")
    with pytest.raises(ValidationFailed) as caught:
        review(world, application, "return")
    assert caught.value.code == "application.corrections_required"
    application = review(world, application, "return", corrections=["照片不清晰", "地址有误"])
    assert application.status == "correction"
    assert application.paused_at is not None
    assert application.corrections == ["照片不清晰", "地址有误"]
    due_before = application.due_at
    # The applicant fixes the photo, then sends the corrections back.
    materials.material_upload(
        actor=actor_of(world.citizen),
        application=application,
        material_id=world.photo_material.pk,
        upload=jpeg("新照片.jpg"),
    )
    application = lifecycle.application_correction_submit(
        actor=actor_of(world.citizen), application=application
    )
    assert application.status == "under_review"
    assert application.paused_at is None
    assert application.due_at is not None
    assert due_before is not None
    assert application.due_at >= due_before
    with pytest.raises(Conflict) as caught:
        review(world, application, "return", corrections=["再补一次"])
    assert caught.value.code == "application.correction_used"
    with pytest.raises(ValidationFailed) as caught:
        review(world, application, "reject")
    assert caught.value.code == "application.reason_required"
    application = review(world, application, "approve")
    assert application.status == "approved"
    assert application.stopped_at is not None
    assert application_light(application) in {"met", "met_late"}
    application = review(world, application, "issue", note="居住证已签注")
    application = review(world, application, "archive")
    assert application.status == "archived"
    kinds = list(
        ApplicationEvent.objects.filter(application=application).values_list("kind", flat=True)
    )
    assert kinds[-4:] == ["correction_submit", "approve", "issue", "archive"]
    assert {"submit", "accept", "start", "return", "approve", "issue", "archive"} <= set(kinds)
    audited = set(
        AuditEvent.objects.filter(action__startswith="application.").values_list(
            "action", flat=True
        )
    )
    assert {"application.accept", "application.return", "application.archive"} <= audited


def test_not_accepted_with_a_reason(world: World) -> None:
    application = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    application = review(world, application, "not_accept", reason="不属于本部门受理范围")
    assert application.status == "not_accepted"
    assert application.reason


def test_a_refused_transition_changes_nothing(world: World) -> None:
    application = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    with pytest.raises(IllegalTransition):
        review(world, application, "approve")  # not accepted yet
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.decided_at is None


def test_reviewers_of_another_unit_and_applicants_are_told_not_found(world: World) -> None:
    application = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    for user in (world.other_handler, world.citizen):
        with pytest.raises(NotFound):
            lifecycle.application_review(
                actor=actor_of(user), application=application, act="accept"
            )
    assert list(desk_application_list(world.other_handler)) == []
    assert list(desk_application_list(world.handler)) == [application]


def test_the_sweep_urges_a_yellow_clock_and_supervises_a_red_one_once(world: World) -> None:
    application = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=application)
    application = review(world, application, "accept")
    assert application.yellow_at is not None
    assert application.due_at is not None
    system = Actor.system("test")
    at_yellow = application.yellow_at + dt.timedelta(minutes=1)
    assert application_deadlines_sweep(actor=system, now=at_yellow).urged == [application.pk]
    assert application_deadlines_sweep(actor=system, now=at_yellow).urged == []
    late = application.due_at + dt.timedelta(minutes=1)
    assert application_deadlines_sweep(actor=system, now=late).supervised == [application.pk]
    assert [a.pk for a in desk_application_list(world.handler, light="red", now=late)] == [
        application.pk
    ]
    assert list(desk_application_list(world.handler, light="green", now=late)) == []
    assert ApplicationEvent.objects.filter(kind__in=["urge", "supervise"]).count() == 2
