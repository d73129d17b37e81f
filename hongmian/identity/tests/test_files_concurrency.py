"""Races on PostgreSQL: a department's retry arriving with the first copy of a batch, and a
revocation racing a read. Skipped on SQLite, which serialises writers by itself."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied
from hongmian.hotline.tests.test_concurrency import race
from hongmian.identity import selectors
from hongmian.identity.models import FilePush, FileUse, FileValue
from hongmian.identity.services.files import consent_grant, consent_revoke, file_push
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.files_fixtures import Depts, Owners
from hongmian.identity.tests.files_fixtures import person_record as rec

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_copies_of_one_batch_at_once_write_it_once(depts: Depts, owners: Owners) -> None:
    actor = actor_of(depts.hrss_steward)
    records = [
        rec(owners.person, "social_insurance.months", 86),
        rec(owners.other_person, "social_insurance.months", 12),
    ]
    results, errors = race(lambda i: file_push(actor=actor, batch_id="same", records=records), 4)
    assert errors == []
    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert {(r.created, r.records) for r in results} == {(2, 2)}
    assert FilePush.objects.count() == 1
    assert FileValue.objects.count() == 2


def test_a_read_racing_a_revocation_is_either_before_it_or_refused(owners: Owners) -> None:
    consent = consent_grant(
        actor=actor_of(owners.citizen),
        subject=owners.person,
        purpose="p",
        requester="r",
        fields=["social_insurance.months"],
    )

    def work(i: int) -> str:
        if i == 0:
            consent_revoke(actor=actor_of(owners.citizen), consent=consent)
            return "revoked"
        try:
            selectors.person_file_read(
                actor=Actor.system("race"),
                person=owners.person,
                fields=["social_insurance.months"],
                purpose="p",
            )
        except PermissionDenied:
            return "refused"
        return "read"

    results, errors = race(work, 4)
    assert errors == []
    consent.refresh_from_db()
    # Every read that went through was recorded before the revocation committed.
    reads = FileUse.objects.filter(consent=consent)
    assert reads.count() == results.count("read")
    assert all(use.used_at <= consent.revoked_at for use in reads)  # type: ignore[operator]
