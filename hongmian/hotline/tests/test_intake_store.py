"""The PostgreSQL path of intake: the one `INSERT … ON CONFLICT … DO NOTHING RETURNING`
statement (services/intake_store.py) — a new order, an idempotent replay, a retry racing the
first attempt, and a batch with repeats. The SQLite path is tested by test_intake.py, which
runs on both databases."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.hotline.services.intake import work_order_intake, work_order_intake_batch
from hongmian.hotline.services.intake_store import _insert_statement, store_postgresql
from hongmian.hotline.services.intake_validation import IntakeRequest, intake_prepare
from hongmian.hotline.tests.factories import actor_of

pytestmark = pytest.mark.postgres


def request(**overrides: Any) -> IntakeRequest:
    fields: dict[str, Any] = {
        "channel": "phone",
        "request_type": "complaint",
        "title": "天河路夜间施工噪音",
        "content": "每晚十一点后仍在施工，影响休息。",
        "caller_name": "陈先生",
        "caller_phone": "13800138000",
        "address": "天河区石牌街道天河路100号",
    }
    return IntakeRequest(**(fields | overrides))


def suffix(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


def test_the_statement_holds_identifiers_and_placeholders_only(db) -> None:
    statement = _insert_statement()
    for sql in (statement.one, statement.many):
        assert sql.startswith('INSERT INTO "hotline_workorder" ("number", ')
        assert (
            ' ON CONFLICT ("submitted_by_id", "idempotency_key") WHERE "idempotency_key" IS NOT'
            " NULL DO NOTHING" in sql
        )
        assert sql.endswith(' RETURNING "id", "number", "idempotency_key"')
        # The prefix, the sequence, and one value (or array) per column; nothing else.
        assert sql.count("%s") == 2 + len(statement.fields)
    assert "UNNEST(" in statement.many
    assert "UNNEST(" not in statement.one
    columns = {f.column for f in statement.fields}
    assert "id" not in columns
    assert "number" not in columns
    assert {"submitted_by_id", "created_at", "idempotency_fingerprint"} <= columns


@pytest.mark.django_db
def test_a_new_order_is_one_insert_with_its_number(agent_actor) -> None:
    with CaptureQueriesContext(connection) as queries:
        order, created = work_order_intake(
            actor=agent_actor,
            request=request(latitude="23.1291", longitude="113.264385", category=None),
            idempotency_key="new",
        )
    assert created
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "hotline_workorder"')]
    assert len(inserts) == 1
    assert not any('FROM "hotline_workorder"' in q["sql"] for q in queries)  # no look-up first
    stored = WorkOrder.objects.get()
    assert (stored.pk, stored.number) == (order.pk, order.number)
    assert stored.number.startswith("GZ-")
    assert len(stored.number.rsplit("-", 1)[1]) >= 6
    # Every column as the instance holds it: what was prepared is what was written.
    for field in _insert_statement().fields:
        assert getattr(stored, field.attname) == getattr(order, field.attname), field.name
    assert stored.created_at is not None
    assert stored.created_at == order.created_at
    assert (stored.idempotency_key, stored.submitted_by) == ("new", agent_actor.user)
    assert not order._state.adding
    assert TimelineEntry.objects.filter(order=order, kind="received").count() == 1
    assert AuditEvent.objects.filter(action="work_order.intake").count() == 1


@pytest.mark.django_db
def test_a_replay_inserts_nothing_and_answers_with_the_first_order(agent_actor) -> None:
    first, _ = work_order_intake(actor=agent_actor, request=request(), idempotency_key="again")
    again, created = work_order_intake(
        actor=agent_actor,
        request=request(caller_phone="+86 138 0013 8000"),
        idempotency_key="again",
    )
    assert (again.pk, again.number, created) == (first.pk, first.number, False)
    assert WorkOrder.objects.count() == 1
    assert TimelineEntry.objects.filter(kind="received").count() == 1
    assert AuditEvent.objects.filter(action="work_order.intake").count() == 1


@pytest.mark.django_db
def test_a_conflict_on_the_number_still_raises(agent_actor) -> None:
    """Only a used key is passed over: a number already taken is an IntegrityError."""
    from django.db import IntegrityError

    from hongmian.hotline.services.intake_numbers import NUMBER_SEQUENCE, number_prefix
    from hongmian.hotline.tests.factories import WorkOrderFactory

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [NUMBER_SEQUENCE])
        value = cursor.fetchone()[0]
    WorkOrderFactory(number=f"{number_prefix()}{value + 1:06d}")
    with pytest.raises(IntegrityError), transaction.atomic():
        work_order_intake(actor=agent_actor, request=request(), idempotency_key="taken")


@pytest.mark.django_db
def test_a_batch_with_repeats_inserts_each_key_once(agent_actor) -> None:
    first, _ = work_order_intake(actor=agent_actor, request=request(), idempotency_key="k2")
    items = [
        (request(title="一"), "k3"),
        (request(), "k2"),  # used before: replayed
        (request(title="无键"), None),
        (request(title="一"), "k3"),  # the same key again in this batch: its first stands
        (request(title="二"), "k1"),
        (request(title="不同"), "k2"),  # used before, with another request: refused
        (request(title="无键二"), None),
    ]
    with CaptureQueriesContext(connection) as queries:
        results = work_order_intake_batch(actor=agent_actor, requests=items)
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "hotline_workorder"')]
    assert len(inserts) == 1
    assert [(r.created, r.error.code if r.error else None) for r in results] == [
        (True, None),
        (False, None),
        (True, None),
        (False, None),
        (True, None),
        (False, "work_order.idempotency_mismatch"),
        (True, None),
    ]
    orders = [r.order for r in results]
    assert orders[1].pk == first.pk
    assert orders[3].pk == orders[0].pk
    assert (orders[0].title, orders[4].title) == ("一", "二")
    new = [orders[i] for i in (0, 2, 4, 6)]
    assert WorkOrder.objects.count() == 1 + len(new)
    # Numbered by the statement in key order (k1, k2, k3, then the orders without a key); the
    # used key k2 takes a number it does not keep.
    by_key_order = [suffix(orders[i].number) for i in (4, 0, 2, 6)]
    assert by_key_order == [
        by_key_order[0],
        by_key_order[0] + 2,
        *range(by_key_order[0] + 3, by_key_order[0] + 5),
    ]
    stored = dict(WorkOrder.objects.values_list("pk", "number"))
    assert all(stored[o.pk] == o.number for o in new)
    assert TimelineEntry.objects.filter(kind="received").count() == 1 + len(new)


@pytest.mark.django_db
def test_the_store_answers_a_used_key_per_item(agent_actor) -> None:
    """store_postgresql alone: the items of one INSERT, some new, some used before."""
    used, _ = work_order_intake(actor=agent_actor, request=request(), idempotency_key="u")
    prepared = [
        intake_prepare(actor=agent_actor, request=request(), idempotency_key="u"),
        intake_prepare(actor=agent_actor, request=request(title="新"), idempotency_key="n"),
        intake_prepare(actor=agent_actor, request=request(title="改"), idempotency_key="u"),
    ]
    with transaction.atomic():
        outcomes = store_postgresql(agent_actor, prepared, strict=False)
    assert outcomes[0] == (used, False)
    assert outcomes[1][1] is True
    assert outcomes[1][0].title == "新"
    assert outcomes[2].code == "work_order.idempotency_mismatch"


@pytest.mark.django_db(transaction=True)
def test_a_retry_racing_the_first_attempt_waits_and_gets_its_order(agent) -> None:
    """The first attempt has inserted but not committed; the retry's INSERT waits on the
    key's index, then inserts nothing and answers with the first order."""
    actor = actor_of(agent)
    inserted, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first_attempt() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = work_order_intake(
                    actor=actor, request=request(), idempotency_key="race"
                )
                inserted.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def retry() -> None:
        try:
            outcome["retry"] = work_order_intake(
                actor=actor, request=request(), idempotency_key="race"
            )
        except BaseException as exc:  # reported by the assertions below
            outcome["error"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=first_attempt)
    first.start()
    assert inserted.wait(timeout=30)
    second = threading.Thread(target=retry)
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the retry must wait for the first attempt to commit"
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    order, created = outcome["first"]
    again, created_again = outcome["retry"]
    assert (created, created_again) == (True, False)
    assert again.pk == order.pk
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_a_system_actor_without_key_gets_a_numbered_order(db) -> None:
    order, created = work_order_intake(
        actor=Actor.system("transfer"), request=request(channel="transfer")
    )
    assert created
    assert WorkOrder.objects.get().number == order.number
