"""The audit chain's lanes (decision 0061): entries on several lanes verify lane by lane,
an edited or removed entry is found in its lane, lane 1 is serialised as before the lanes,
and on PostgreSQL a transaction holding a lane does not hold up another's audited write."""

from __future__ import annotations

import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record
from hongmian.core.audit_chain import (
    GENESIS,
    canonical,
    chain_append,
    chain_heads_create,
    chain_verify,
    lane_count,
)
from hongmian.core.models import AuditChainHead, AuditEvent
from hongmian.identity.tests.factories import OrgUnitFactory


def _on(lane: int, n: int) -> list[AuditEvent]:
    target = OrgUnitFactory()
    events = [
        audit_event(actor=Actor.system("lanes"), action="test.lane", target=target, after={"i": i})
        for i in range(n)
    ]
    with transaction.atomic():
        chain_append(events, lane=lane)
    return events


def _lanes() -> dict[int, list[AuditEvent]]:
    """Lanes 1–3 with 2, 3 and 4 entries, written interleaved."""
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    written: dict[int, list[AuditEvent]] = {1: [], 2: [], 3: []}
    for lane, n in ((1, 1), (3, 2), (2, 2), (1, 1), (3, 2), (2, 1)):
        written[lane] += _on(lane, n)
    return written


def _broken() -> str:
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify", stdout=StringIO())
    return str(failed.value)


def _sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_a_chain_over_several_lanes_verifies() -> None:
    written = _lanes()
    for lane, events in written.items():
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert {e.lane for e in events} == {lane}
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        assert AuditChainHead.objects.get(pk=lane).last_hash == events[-1].hash
    report = chain_verify()
    assert report.ok
    assert [(r.lane, r.checked) for r in report.lanes] == [(1, 2), (2, 3), (3, 4)]
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "共 9 条，3 条分链" in out.getvalue()


@pytest.mark.django_db
def test_an_edited_row_in_lane_3_is_found_in_lane_3() -> None:
    written = _lanes()
    edited = written[3][1]
    _sql("UPDATE core_auditevent SET action = %s WHERE id = %s", "test.innocent", edited.pk)
    message = _broken()
    assert f"分链 3 断裂于第 2 条（记录编号 {edited.pk}）：内容与其哈希不符" in message
    assert "此前 1 条完好，链头记载 4 条" in message
    assert "分链 1" not in message
    assert "分链 2" not in message
    # Every lane's first broken link, not only the first lane's.
    _sql("UPDATE core_auditevent SET after = %s WHERE id = %s", '{"i": 7}', written[1][0].pk)
    message = _broken()
    assert "分链 1 断裂于第 1 条" in message
    assert "分链 3 断裂于第 2 条" in message


@pytest.mark.django_db
def test_a_deleted_last_entry_of_a_lane_is_found() -> None:
    written = _lanes()
    _sql("DELETE FROM core_auditevent WHERE id = %s", written[2][-1].pk)
    message = _broken()
    assert "分链 2 断裂于第 3 条：链头记载 3 条，实有 2 条（末尾的记录被删除" in message
    assert "分链 1" not in message
    assert "分链 3" not in message


@pytest.mark.django_db
def test_an_entry_moved_to_another_lane_no_longer_gives_its_hash() -> None:
    # The lane is in the hash (outside lane 1): a lane's entries cannot be passed off as
    # another's, nor lane 1's moved out of it.
    written = _lanes()
    moved = written[2][0]
    _sql("UPDATE core_auditevent SET lane = 4 WHERE id = %s", moved.pk)
    AuditChainHead.objects.create(pk=4, length=1, last_hash=moved.hash)
    report = chain_verify()
    assert {b.lane: b.reason for b in report.breaks}.keys() == {2, 4}
    assert "内容与其哈希不符" in next(b.reason for b in report.breaks if b.lane == 4)


def test_lane_1_is_serialised_as_before_the_lanes() -> None:
    import datetime as dt

    said: dict[str, Any] = {
        "seq": 7,
        "created_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        "actor_label": "系统",
        "via": "system",
        "client_address": None,
        "action": "test",
        "target_type": "core.x",
        "target_id": "1",
        "before": None,
        "after": {"a": 1},
    }
    # The hashes written before decision 0061 are over exactly these bytes.
    assert canonical(lane=1, **said) == canonical(**said)
    assert b'"lane"' not in canonical(lane=1, **said)
    assert b'"lane":2' in canonical(lane=2, **said)


@pytest.mark.django_db
def test_a_lane_taken_in_a_rolled_back_savepoint_is_let_go() -> None:
    target = OrgUnitFactory()
    actor = Actor.system("test")
    with transaction.atomic():
        try:
            with transaction.atomic():
                audit_record(actor=actor, action="test.undone", target=target)
                raise LookupError
        except LookupError:
            pass
        kept = audit_record(actor=actor, action="test.kept", target=target)
        again = audit_record(actor=actor, action="test.kept", target=target)
    assert again.lane == kept.lane
    assert again.seq == kept.seq + 1
    assert not AuditEvent.objects.filter(action="test.undone").exists()
    assert chain_verify().ok


def _hold_a_lane(
    held: threading.Event, release: threading.Event, lanes: list[int], errors: list[BaseException]
) -> None:
    """In a thread: one transaction that appends twice and stays open until `release`."""
    try:
        target = OrgUnitFactory()
        with transaction.atomic():
            for n in range(2):
                event = audit_record(
                    actor=Actor.system("holder"), action="test.hold", target=target, after={"n": n}
                )
                lanes.append(event.lane)
            held.set()
            release.wait(timeout=20)
    except BaseException as exc:
        errors.append(exc)
        held.set()
    finally:
        connection.close()


def _append_without_waiting() -> AuditEvent:
    target = OrgUnitFactory()
    with transaction.atomic():
        # A wait on the holder's lane would fail here instead of hanging.
        _sql("SET LOCAL lock_timeout = '2s'")
        return audit_record(actor=Actor.system("other"), action="test.free", target=target)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_holding_a_lane_does_not_hold_up_another() -> None:
    chain_heads_create(lane_count())  # as the migration did (the test's flush removed them)
    held, release = threading.Event(), threading.Event()
    lanes: list[int] = []
    errors: list[BaseException] = []
    holder = threading.Thread(target=_hold_a_lane, args=(held, release, lanes, errors))
    holder.start()
    try:
        assert held.wait(timeout=20)
        assert errors == []
        # Its two appends on one lane, which it holds until it ends.
        assert len(set(lanes)) == 1
        others = [_append_without_waiting() for _ in range(3)]
        assert all(e.lane != lanes[0] for e in others)
    finally:
        release.set()
        holder.join(timeout=20)
    assert errors == []
    assert chain_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_every_lane_held_an_append_waits(settings: Any) -> None:
    settings.HONGMIAN_AUDIT_LANES = 1
    chain_heads_create(1)
    held, release = threading.Event(), threading.Event()
    lanes: list[int] = []
    errors: list[BaseException] = []
    holder = threading.Thread(target=_hold_a_lane, args=(held, release, lanes, errors))
    holder.start()
    try:
        assert held.wait(timeout=20)
        target = OrgUnitFactory()
        with transaction.atomic():
            _sql("SET LOCAL lock_timeout = '300ms'")
            with pytest.raises(OperationalError), transaction.atomic():
                audit_record(actor=Actor.system("other"), action="test.wait", target=target)
    finally:
        release.set()
        holder.join(timeout=20)
    assert errors == []
    assert chain_verify().ok
