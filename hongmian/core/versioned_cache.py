"""A per-process copy of data that every request reads and few writes change (an item's
application form and its instant-approval rules), kept correct by a version counter
(core.models.CacheVersion, as the calendar's overrides, decision 0003).

Each use reads the counter — one primary-key row — and drops the whole copy when it moved,
so a change committed by any process is seen by the next use in every process ("at once",
not after a timeout). The writing service calls `bump()` inside its transaction: the
counter's row lock queues concurrent writers, the transaction itself reads its own
uncommitted rows (never cached: it may roll back), and this process forgets its copy when
the change commits. A version read before another process's commit can make the loaded
value newer than its version, never older: the next use sees the new number and reloads.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

from hongmian.core.models import CacheVersion


def stored_version(key: str) -> int:
    found = CacheVersion.objects.filter(key=key).values_list("version", flat=True).first()
    return int(found or 0)


_ALL: weakref.WeakSet[VersionedCache[object, object]] = weakref.WeakSet()


def versioned_caches_clear() -> None:
    """Forget every VersionedCache's copy (the tests, between cases)."""
    for cache in list(_ALL):
        cache.clear()


class VersionedCache[K: Hashable, V]:
    """`load(k)` once per process per version of the counter `key` (at most `maxsize`
    values kept; past that, loaded on each use). Values are shared: callers must not
    change them."""

    def __init__(self, key: str, load: Callable[[K], V], *, maxsize: int = 2048) -> None:
        self.key = key
        self._load = load
        self._maxsize = maxsize
        self._version: int | None = None
        self._values: dict[K, V] = {}
        # Connections whose open transaction bumped the counter: they read their own rows.
        self._writers: weakref.WeakSet[BaseDatabaseWrapper] = weakref.WeakSet()
        _ALL.add(self)  # type: ignore[arg-type]

    def get(self, k: K) -> V:
        if self._writers and self._writing():
            return self._load(k)
        version = stored_version(self.key)
        if version != self._version:
            self._values = {}
            self._version = version
        values = self._values
        try:
            return values[k]
        except KeyError:
            value = self._load(k)
            if len(values) < self._maxsize:
                values[k] = value
            return value

    def bump(self) -> None:
        """Record that the cached data changes; call inside the transaction that changes it."""
        conn = transaction.get_connection()
        if not conn.in_atomic_block:
            raise RuntimeError("VersionedCache.bump must be called inside transaction.atomic()")
        CacheVersion.objects.get_or_create(key=self.key)
        CacheVersion.objects.filter(key=self.key).update(version=F("version") + 1)
        self._writers.add(conn)
        transaction.on_commit(self.clear)

    def clear(self) -> None:
        """Forget this process's copy (at a commit; tests between cases, since a rolled-back
        transaction takes the counter back with it)."""
        self._values = {}
        self._version = None
        self._writers.discard(transaction.get_connection())

    def _writing(self) -> bool:
        conn = transaction.get_connection()
        if conn not in self._writers:
            return False
        # Django drops the queued clear when the change rolls back: then it is over.
        queued = getattr(conn, "run_on_commit", ())
        if conn.in_atomic_block and any(func == self.clear for _, func, _ in queued):
            return True
        self._writers.discard(conn)
        return False
