"""The audit log's hash chain (防篡改, decision 0046): appending entries to it, and walking
it to find the first entry that does not hold.

Entry n's hash is SHA-256 over entry n-1's hash and a canonical serialisation of entry n
(`canonical`): its place, time, actor's name, channel, address, action, target and its
before/after. The first entry follows `GENESIS`. The actor's account id is left out: it
is set to NULL when an account is deleted (the name copied beside it is what the entry
says), and that must not read as tampering.

Appends take turns on the chain head (`AuditChainHead`): the UPDATE that lengthens it locks
its row until the appending transaction commits or rolls back, on PostgreSQL and SQLite
alike, so two transactions never chain onto the same entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction

from hongmian.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
HEAD_ID = 1


def canonical(
    *,
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
    time in UTC to the microsecond (both databases keep that much)."""
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
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(prev_hash: str, event: AuditEvent) -> str:
    content = canonical(
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


def _lengthen(by: int) -> tuple[int, str]:
    """Lengthen the chain by `by`: the new length and the hash the new entries follow. The
    head's row stays locked until the transaction ends (the UPDATE's row lock; on SQLite the
    database's write lock). One statement, UPDATE … RETURNING (PostgreSQL, and SQLite since
    3.35): the lock and the read in one round trip, a quarter of the chain's cost."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    sql = f"UPDATE {table} SET length = length + %s WHERE id = %s RETURNING length, last_hash"  # noqa: S608 — the table name is the model's, not input
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [by, HEAD_ID])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]), str(row[1])
        # No head yet (a database flushed by a test): the first append makes it; a
        # concurrent first append makes it too, and then this one updates it.
        try:
            with transaction.atomic():
                head = AuditChainHead.objects.create(pk=HEAD_ID, length=by)
            return head.length, head.last_hash
        except IntegrityError:
            continue
    raise RuntimeError("the audit chain head could not be locked")


def chain_append(events: list[AuditEvent]) -> None:
    """Give unsaved `events` their places and hashes, in order, and INSERT them. Call inside
    the transaction of the change they record (audit.audit_record does)."""
    if not events:
        return
    length, prev_hash = _lengthen(len(events))
    first = length - len(events) + 1
    for offset, event in enumerate(events):
        event.seq = first + offset
        event.prev_hash = prev_hash
        event.hash = prev_hash = entry_hash(prev_hash, event)
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events)
    AuditChainHead.objects.filter(pk=HEAD_ID).update(last_hash=prev_hash)


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    seq: int
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    length: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _entries(batch: int) -> Iterator[AuditEvent]:
    # Keyset pages by seq: a walk over millions of entries in constant memory.
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].seq


def chain_verify(*, batch: int = 2000) -> ChainReport:
    """Walk the chain from its first entry; stop at the first that does not hold: an entry
    whose content no longer gives its hash (edited), whose `prev_hash` is not the previous
    entry's hash (inserted or re-chained), a gap in the places (removed), or a chain that
    ends before the head says it does (the last entries removed)."""
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    length = head.length if head else 0
    prev_hash, expected, checked = GENESIS, 1, 0
    for event in _entries(batch):
        if event.seq != expected:
            reason = f"第 {expected} 条缺失（下一条是第 {event.seq} 条）"
            return ChainReport(checked, length, ChainBreak(expected, None, reason))
        if event.prev_hash != prev_hash:
            reason = "前一条哈希与链不符（其前的记录被改动、删除或插入）"
            return ChainReport(checked, length, ChainBreak(event.seq, event.pk, reason))
        if entry_hash(prev_hash, event) != event.hash:
            reason = "内容与其哈希不符（记录被改动）"
            return ChainReport(checked, length, ChainBreak(event.seq, event.pk, reason))
        prev_hash, expected, checked = event.hash, expected + 1, checked + 1
    if checked != length or (head is not None and checked and head.last_hash != prev_hash):
        reason = f"链头记载 {length} 条，实有 {checked} 条（末尾的记录被删除或链头被改动）"
        return ChainReport(checked, length, ChainBreak(checked + 1, None, reason))
    return ChainReport(checked, length, None)
