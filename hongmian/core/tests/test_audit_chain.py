"""The audit log's hash chain (decision 0046): each entry holds the previous one's hash,
`hongmian audit verify` finds the first entry changed behind the services' back — edited,
removed or re-chained with raw SQL — and exits non-zero; concurrent appends on PostgreSQL
never fork the chain. Lanes (decision 0061): test_audit_lanes.py."""

from __future__ import annotations

import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record, audit_record_many
from hongmian.core.audit_chain import GENESIS, chain_verify, entry_hash
from hongmian.core.models import AuditChainHead, AuditEvent, CalendarOverride
from hongmian.identity.tests.factories import OrgUnitFactory


def _append(n: int, actor: Actor | None = None) -> list[AuditEvent]:
    target = OrgUnitFactory()
    actor = actor or Actor.system("test")
    with transaction.atomic():
        return [
            audit_record(actor=actor, action="test.append", target=target, after={"i": i, "x": 0.5})
            for i in range(n)
        ]


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify", stdout=StringIO())
    return str(failed.value)


def _sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_each_entry_holds_the_previous_ones_hash() -> None:
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    first, second, third = _append(3)
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    # What is stored (read back, as the verifier reads it) gives the same hash.
    stored = AuditEvent.objects.get(pk=second.pk)
    assert entry_hash(stored.prev_hash, stored) == second.hash
    assert AuditChainHead.objects.get(pk=third.lane).last_hash == third.hash
    assert "共 3 条" in _verify()


@pytest.mark.django_db
def test_a_batch_is_chained_in_order_in_one_turn() -> None:
    _append(1)
    target = OrgUnitFactory()
    with transaction.atomic():
        events = [
            audit_event(actor=Actor.system("t"), action="test.many", target=target, after={"i": i})
            for i in range(4)
        ]
        audit_record_many(events)
    # One transaction, one lane (decision 0061): the batch follows the entry before it.
    lane = AuditEvent.objects.filter(lane=events[0].lane)
    seqs = list(lane.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert chain_verify().ok


@pytest.mark.django_db
def test_an_entry_edited_with_raw_sql_is_the_first_broken_link() -> None:
    events = _append(5)
    _sql("UPDATE core_auditevent SET action = %s WHERE id = %s", "test.innocent", events[2].pk)
    message = _broken()
    seq = events[2].seq
    assert f"第 {seq} 条（记录编号 {events[2].pk}）" in message
    assert "内容与其哈希不符" in message
    assert f"此前 {seq - 1} 条完好" in message


@pytest.mark.django_db
def test_an_edited_entry_rehashed_breaks_the_next_link() -> None:
    # A forger who recomputes the edited entry's own hash still breaks the one after it.
    events = _append(4)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.after = {"i": 99}
    forged.hash = entry_hash(forged.prev_hash, forged)
    _sql(
        "UPDATE core_auditevent SET after = %s, hash = %s WHERE id = %s",
        '{"i": 99}',
        forged.hash,
        forged.pk,
    )
    message = _broken()
    assert f"第 {events[2].seq} 条" in message
    assert "前一条哈希与链不符" in message


@pytest.mark.django_db
def test_a_removed_entry_is_a_gap_and_a_removed_last_entry_is_the_heads_count() -> None:
    events = _append(4)
    _sql("DELETE FROM core_auditevent WHERE id = %s", events[-1].pk)
    assert "末尾的记录被删除" in _broken()
    _sql("DELETE FROM core_auditevent WHERE id = %s", events[1].pk)
    assert f"第 {events[1].seq} 条缺失" in _broken()


@pytest.mark.django_db
def test_a_service_write_is_chained_like_any_other() -> None:
    import datetime as dt

    from hongmian.core.services import calendar_override_set

    calendar_override_set(
        actor=Actor.system("test"), day=dt.date(2026, 9, 16), kind="holiday", name="台风停工"
    )
    assert CalendarOverride.objects.exists()
    assert chain_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain() -> None:
    threads, each = 6, 15
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []
    target = OrgUnitFactory()

    def run(i: int) -> None:
        try:
            barrier.wait()
            for n in range(each):
                with transaction.atomic():
                    audit_record(
                        actor=Actor.system(f"thread-{i}"),
                        action="test.race",
                        target=target,
                        after={"thread": i, "n": n},
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    raced = AuditEvent.objects.filter(action="test.race")
    assert raced.count() == threads * each
    # Each lane one chain: places 1..N with no gap or twin, each entry on the one before it.
    report = chain_verify()
    assert report.ok, report.broken
    heads = AuditChainHead.objects.all()
    assert report.checked == AuditEvent.objects.count() == sum(head.length for head in heads)


@pytest.mark.django_db
def test_the_migration_chains_the_entries_written_before_it() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("hongmian.core.migrations.0004_audit_chain")
    events = _append(5)
    # As before the chain: no place, no hashes, no head (places moved out of the way).
    _sql("UPDATE core_auditevent SET lane = 1, seq = seq + 1000000, prev_hash = '', hash = ''")
    AuditChainHead.objects.all().delete()
    migration.chain_existing(apps, None)
    ordered = list(AuditEvent.objects.order_by("id"))
    assert [e.seq for e in ordered] == list(range(1, len(ordered) + 1))
    assert chain_verify().ok
    assert AuditChainHead.objects.get().length == len(ordered)
    # And the chain goes on from there.
    _append(1)
    assert chain_verify().checked == len(ordered) + 1
    assert events[0].pk in {e.pk for e in ordered}
