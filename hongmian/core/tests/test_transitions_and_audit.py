import pytest
from django.db import transaction

from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import IllegalTransition
from hongmian.core.models import AuditEvent, JobRun
from hongmian.core.transitions import TransitionTable, assert_transition

TABLE = TransitionTable.build("demo", {"new": ["open", "closed"], "open": ["closed"], "closed": []})


def test_table_knows_moves_and_terminal_states():
    assert TABLE.can("new", "open")
    assert not TABLE.can("closed", "open")
    assert TABLE.terminal() == frozenset({"closed"})


def test_illegal_transition_raises_409_with_code():
    with pytest.raises(IllegalTransition) as err:
        assert_transition(TABLE, "closed", "open")
    assert err.value.status_code == 409
    assert err.value.code == "demo.illegal_transition"


def test_table_rejects_targets_without_rows():
    with pytest.raises(ValueError, match="without a row"):
        TransitionTable.build("bad", {"a": ["b"]})


@pytest.mark.django_db(transaction=True)
def test_audit_needs_a_transaction_and_rolls_back_with_it(system_actor):
    run = JobRun.objects.create(job="x", outcome=JobRun.Outcome.SUCCEEDED)
    with pytest.raises(RuntimeError):
        audit_record(actor=system_actor, action="x.touch", target=run)

    def change_that_fails_after_auditing():
        with transaction.atomic():
            audit_record(actor=system_actor, action="x.touch", target=run)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        change_that_fails_after_auditing()
    assert not AuditEvent.objects.exists()
    with transaction.atomic():
        event = audit_record(
            actor=system_actor,
            action="x.touch",
            target=run,
            before=snapshot(run, ["job", "created_at"]),
            after={"job": "y"},
        )
    event.refresh_from_db()
    assert event.actor_label == "system:test"
    assert event.target_type == "core.jobrun"
    assert event.target_id == str(run.pk)
    assert event.before["job"] == "x"
    assert isinstance(event.before["created_at"], str)


def test_an_actor_without_an_account_is_named_for_what_it_is():
    from hongmian.core.actors import Actor

    assert str(Actor.system("sweep")) == "system:sweep"
    assert str(Actor.cli(None, "calendar")) == "system:calendar"
    # A visitor on the web or the API is not the platform itself.
    assert str(Actor(user=None, via="web", client_address="10.0.0.1")) == "anonymous"
    assert str(Actor(user=None, via="api")) == "anonymous"
