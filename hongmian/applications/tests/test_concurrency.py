"""Races on PostgreSQL: retries of one submission and of one creation arriving together
(the Idempotency-Key's promise: nothing duplicated). Skipped on SQLite, which serialises
writers by itself."""

from __future__ import annotations

import pytest

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.services.drafts import application_create
from hongmian.applications.services.lifecycle import application_submit
from hongmian.applications.tests.conftest import World, actor_of
from hongmian.applications.tests.test_lifecycle import ready
from hongmian.hotline.tests.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_retries_of_one_submission_submit_it_once(world: World) -> None:
    application = ready(world)
    citizen = actor_of(world.citizen)
    results, errors = race(
        lambda i: application_submit(
            actor=citizen, application=application, idempotency_key="same"
        )[1],
        4,
    )
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert ApplicationEvent.objects.filter(kind="submit").count() == 1


def test_retries_of_one_creation_make_one_draft(world: World) -> None:
    citizen = actor_of(world.citizen)
    results, errors = race(
        lambda i: application_create(actor=citizen, item=world.item, idempotency_key="c")[0].pk,
        4,
    )
    assert errors == []
    assert len(set(results)) == 1
    assert Application.objects.count() == 1
