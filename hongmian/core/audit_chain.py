"""The audit log's hash chain (防篡改, decisions 0046 and 0061): appending entries to it, and
walking it to find the first entry that does not hold.

The chain is K lanes (`HONGMIAN_AUDIT_LANES`), each a chain of its own: entry n of a lane
has hash SHA-256 over entry n-1's hash and a canonical serialisation of entry n
(`canonical`): its place, time, actor's name, channel, address, action, target and its
before/after, and — outside lane 1 — its lane. Each lane's first entry follows `GENESIS`.
The actor's account id is left out: it is set to NULL when an account is deleted (the
name copied beside it is what the entry says), and that must not read as tampering.

Lane 1 is the chain as it was before the lanes, entries and serialisation unchanged: the
hashes written then still verify. The lane is in the other lanes' serialisation, so an
entry moved to another lane no longer gives its hash.

Appends on one lane take turns on its head (`AuditChainHead`, id = lane): the UPDATE that
lengthens it locks its row until the appending transaction commits or rolls back, so two
transactions never chain onto the same entry. On PostgreSQL a transaction's first append
takes a lane no other transaction holds (`FOR UPDATE SKIP LOCKED`) and keeps it for its
later appends, so audited transactions wait on each other only when every lane is held.
SQLite writes one transaction at a time anyway: there everything goes on lane 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from hongmian.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
FIRST_LANE = 1


def canonical(
    *,
    lane: int = FIRST_LANE,
    seq: int,
    created_at: dt.datetime,
    actor_label: str,
    via: str,
    client_address: str | None,
    action: str,
    target_type: str,
    target_id: str,
    before: Any,
    after: Any,
) -> bytes:
    """The bytes an entry's hash is taken over: sorted-key JSON of what the entry says, its
    time in UTC to the microsecond (both databases keep that much). Lane 1's entries leave
    the lane out, as every entry did before there were lanes."""
    moment = created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    record = {
        "seq": seq,
        "created_at": moment,
        "actor_label": actor_label,
        "via": via,
        "client_address": client_address,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "before": before,
        "after": after,
    }
    if lane != FIRST_LANE:
        record["lane"] = lane
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(prev_hash: str, event: AuditEvent) -> str:
    content = canonical(
        lane=event.lane,
        seq=event.seq,
        created_at=event.created_at,
        actor_label=event.actor_label,
        via=event.via,
        client_address=event.client_address,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        before=event.before,
        after=event.after,
    )
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def lane_count() -> int:
    return max(1, int(settings.HONGMIAN_AUDIT_LANES))


def _head_table() -> str:
    return connection.ops.quote_name(AuditChainHead._meta.db_table)


def chain_heads_create(lanes: int) -> bool:
    """Make the heads of lanes 1..`lanes` that do not exist yet (a larger setting, a
    database flushed by a test); a concurrent maker of the same head wins, and this one
    moves on. Whether any was missing. A head made inside a transaction is held by it until
    it ends: after a flush the first transaction holds every lane (the migration makes the
    heads of a running system, so this is for tests and a raised setting)."""
    existing = set(AuditChainHead.objects.filter(pk__lte=lanes).values_list("pk", flat=True))
    missing = [lane for lane in range(FIRST_LANE, lanes + 1) if lane not in existing]
    if missing:
        # One INSERT … ON CONFLICT DO NOTHING: two queries, however many lanes.
        heads = [AuditChainHead(pk=lane) for lane in missing]
        AuditChainHead.objects.bulk_create(heads, ignore_conflicts=True)
    return bool(missing)


def _lengthen_lane(lane: int, by: int) -> tuple[int, str] | None:
    """Lengthen `lane` by `by`, waiting for its head if another transaction holds it: the
    new length and the hash the new entries follow (None: no such head). One statement,
    UPDATE … RETURNING (PostgreSQL, and SQLite since 3.35): the lock and the read in one
    round trip. The head's row stays locked until the transaction ends (on SQLite the
    database's write lock)."""
    sql = (
        f"UPDATE {_head_table()} SET length = length + %s WHERE id = %s RETURNING length, last_hash"  # noqa: S608 — the table name is the model's, not input
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [by, lane])
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def _lengthen_free(lanes: int, by: int) -> tuple[int, int, str] | None:
    """PostgreSQL: lengthen a lane no other transaction holds, the first free one from a
    random start (so that concurrent transactions spread over the lanes rather than all
    trying lane 1 first). None when every lane is held (or none exists)."""
    table = _head_table()
    sql = (
        f"WITH free AS (SELECT id FROM {table} WHERE id <= %s "  # noqa: S608 — the model's table
        "ORDER BY id < %s, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
        f"UPDATE {table} AS head SET length = head.length + %s FROM free "
        "WHERE head.id = free.id RETURNING head.id, head.length, head.last_hash"
    )
    start = random.randint(FIRST_LANE, lanes)  # noqa: S311 — spreading load, not a secret
    with connection.cursor() as cursor:
        cursor.execute(sql, [lanes, start, by])
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]), str(row[2]))


class _Held:
    """The lane this connection's open transaction holds, queued as an on-commit callback:
    Django runs it (forgetting the lane) at the commit and drops it from the queue at a
    rollback, the transaction's or the savepoint's in which the lane was taken — exactly
    when the database lets go of the head's lock too."""

    def __init__(self, conn: BaseDatabaseWrapper, lane: int) -> None:
        self.conn, self.lane = conn, lane

    def __call__(self) -> None:
        if _held.get(self.conn) is self:
            del _held[self.conn]

    def current(self) -> bool:
        queued = getattr(self.conn, "run_on_commit", ())
        return self.conn.in_atomic_block and any(func is self for _, func, _ in queued)


_held: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Held] = weakref.WeakKeyDictionary()


def _lengthen(by: int, lane: int | None) -> tuple[int, int, str]:
    """Lengthen a lane by `by`: the lane, its new length and the hash the new entries
    follow. The same lane for every append of one transaction (its head is locked by the
    first already); on PostgreSQL a free one for a transaction's first append."""
    if lane is not None:
        found = _lengthen_lane(lane, by)
        if found is None:
            chain_heads_create(lane)
            found = _lengthen_existing(lane, by)
        return lane, *found
    conn = transaction.get_connection()
    held = _held.get(conn)
    if held is not None and held.current():
        found = _lengthen_lane(held.lane, by)
        if found is not None:
            return held.lane, *found
    lanes = lane_count() if conn.vendor == "postgresql" else FIRST_LANE
    if lanes > FIRST_LANE:
        free = _lengthen_free(lanes, by)
        if free is None and chain_heads_create(lanes):
            free = _lengthen_free(lanes, by)
        if free is not None:
            lane, length, last_hash = free
        else:
            # Every lane is held by a transaction: queue behind one of them.
            lane = random.randint(FIRST_LANE, lanes)  # noqa: S311 — spreading load, not a secret
            length, last_hash = _lengthen_existing(lane, by)
        marker = _held[conn] = _Held(conn, lane)
        transaction.on_commit(marker)
        return lane, length, last_hash
    found = _lengthen_lane(FIRST_LANE, by)
    if found is None:
        chain_heads_create(FIRST_LANE)
        found = _lengthen_existing(FIRST_LANE, by)
    return FIRST_LANE, *found


def _lengthen_existing(lane: int, by: int) -> tuple[int, str]:
    found = _lengthen_lane(lane, by)
    if found is None:
        raise RuntimeError(f"the audit chain has no head for lane {lane}")
    return found


def chain_append(events: list[AuditEvent], *, lane: int | None = None) -> None:
    """Give unsaved `events` their lane, places and hashes, in order, and INSERT them. Call
    inside the transaction of the change they record (audit.audit_record does). `lane`
    puts them on that lane, waiting for it if it is held (tests and benchmarks)."""
    if not events:
        return
    lane, length, prev_hash = _lengthen(len(events), lane)
    first = length - len(events) + 1
    for offset, event in enumerate(events):
        event.lane = lane
        event.seq = first + offset
        event.prev_hash = prev_hash
        event.hash = prev_hash = entry_hash(prev_hash, event)
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events)
    AuditChainHead.objects.filter(pk=lane).update(last_hash=prev_hash)


@dataclass(frozen=True)
class ChainBreak:
    """The first place where a lane does not hold."""

    seq: int
    event_id: int | None
    reason: str
    lane: int = FIRST_LANE


@dataclass(frozen=True)
class LaneReport:
    lane: int
    checked: int
    length: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class ChainReport:
    """Every lane's walk; the chain holds when every lane does."""

    lanes: tuple[LaneReport, ...] = field(default_factory=tuple)

    @property
    def checked(self) -> int:
        return sum(lane.checked for lane in self.lanes)

    @property
    def length(self) -> int:
        return sum(lane.length for lane in self.lanes)

    @property
    def breaks(self) -> list[ChainBreak]:
        return [lane.broken for lane in self.lanes if lane.broken is not None]

    @property
    def broken(self) -> ChainBreak | None:
        """The first break, in lane order."""
        return next(iter(self.breaks), None)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _entries(lane: int, batch: int) -> Iterator[AuditEvent]:
    # Keyset pages by (lane, seq), the unique index: a walk over millions of entries in
    # constant memory.
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(lane=lane, seq__gt=last).order_by("seq")[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].seq


def _lane_verify(lane: int, head: AuditChainHead | None, batch: int) -> LaneReport:
    length = head.length if head else 0
    prev_hash, expected, checked = GENESIS, 1, 0
    for event in _entries(lane, batch):
        if event.seq != expected:
            reason = f"第 {expected} 条缺失（下一条是第 {event.seq} 条）"
            return LaneReport(lane, checked, length, ChainBreak(expected, None, reason, lane))
        if event.prev_hash != prev_hash:
            reason = "前一条哈希与链不符（其前的记录被改动、删除或插入）"
            return LaneReport(lane, checked, length, ChainBreak(event.seq, event.pk, reason, lane))
        if entry_hash(prev_hash, event) != event.hash:
            reason = "内容与其哈希不符（记录被改动）"
            return LaneReport(lane, checked, length, ChainBreak(event.seq, event.pk, reason, lane))
        prev_hash, expected, checked = event.hash, expected + 1, checked + 1
    if checked != length or (head is not None and checked and head.last_hash != prev_hash):
        reason = f"链头记载 {length} 条，实有 {checked} 条（末尾的记录被删除或链头被改动）"
        return LaneReport(lane, checked, length, ChainBreak(checked + 1, None, reason, lane))
    return LaneReport(lane, checked, length, None)


def chain_verify(*, batch: int = 2000) -> ChainReport:
    """Walk every lane from its first entry; in each, stop at the first entry that does not
    hold: one whose content no longer gives its hash (edited), whose `prev_hash` is not the
    previous entry's hash (inserted or re-chained), a gap in the places (removed), or a lane
    that ends before its head says it does (the last entries removed). A lane with entries
    but no head (the head deleted) is a lane whose head says 0."""
    heads = {head.pk: head for head in AuditChainHead.objects.all()}
    used = set(AuditEvent.objects.order_by().values_list("lane", flat=True).distinct())
    lanes = sorted(set(heads) | used)
    return ChainReport(tuple(_lane_verify(lane, heads.get(lane), batch) for lane in lanes))
