"""Myinfo's rule for the copies a draft holds (decision 0074): pre-filled values leave with
a purged draft, and with the consent they were made under; the file-use log says so."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.services import drafts
from hongmian.applications.tests.conftest import World, actor_of
from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.identity.models import Consent, FileUse
from hongmian.identity.services.files import COPIES_DELETED_PURPOSE, consent_revoke

FILLED = ["address.residence", "identity.name", "identity.resident_id"]


def _prefilled(world: World) -> tuple[Application, Consent]:
    application = world.draft()
    consent = drafts.application_prefill_consent(
        actor=actor_of(world.citizen), application=application
    )
    application.refresh_from_db()
    assert application.prefill["name"]["consent"] == consent.pk
    return application, consent


def test_a_purged_drafts_prefilled_values_go_with_it_and_the_log_says_so(world: World) -> None:
    application, consent = _prefilled(world)
    Application.objects.filter(pk=application.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=31)
    )
    assert drafts.application_drafts_purge(actor=Actor.system("test"), commit=True) == 1

    assert not Application.objects.filter(pk=application.pk).exists()
    note = FileUse.objects.get(purpose=COPIES_DELETED_PURPOSE)
    assert note.person == world.person
    assert note.consent == consent
    assert sorted(note.fields) == FILLED
    assert application.number in note.requester
    assert "已删除" in note.requester
    assert AuditEvent.objects.filter(action="file_copies.delete").count() == 1


def test_withdrawing_the_consent_deletes_the_unsubmitted_copies(world: World) -> None:
    application, consent = _prefilled(world)
    # The applicant corrected the address: that is their statement, not a copy.
    drafts.application_answers_update(
        actor=actor_of(world.citizen),
        application=application,
        answers={"address": "广州市天河区体育东路2号"},
    )
    other = world.draft()  # a draft never filled from the file keeps everything

    consent_revoke(actor=actor_of(world.citizen), consent=consent)

    application.refresh_from_db()
    assert application.prefill == {}
    assert "name" not in application.answers
    assert "resident_id" not in application.answers
    assert application.answers["address"] == "广州市天河区体育东路2号"
    assert ApplicationEvent.objects.filter(
        application=application, kind="prefill_withdrawn"
    ).exists()
    note = FileUse.objects.get(purpose=COPIES_DELETED_PURPOSE)
    assert note.consent == consent
    assert sorted(note.fields) == FILLED
    other.refresh_from_db()
    assert not ApplicationEvent.objects.filter(application=other, kind="prefill_withdrawn").exists()
    # Revoking again changes nothing more.
    consent_revoke(actor=actor_of(world.citizen), consent=consent)
    assert FileUse.objects.filter(purpose=COPIES_DELETED_PURPOSE).count() == 1
