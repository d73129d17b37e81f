"""The default backend: an in-process index of the published articles.

Each process keeps one SearchIndex built from the database. Services that change what is
served call `index_version_bump()` inside their transaction; it increments the
`knowledge.articles` row of core's CacheVersion table. Every search reads that counter (one
primary-key read) and compares it with the version its index was built from:

- no index yet: build it now (the first search of a process waits for it);
- stale: keep answering from the old index and rebuild in a background thread, so no
  request waits for a rebuild. The selector re-checks every hit against the database, so
  a retired or expired article is never shown; a new one is found once the rebuild lands
  (seconds for thousands of articles).
- inside a transaction (a service, a test): the rows read may hold uncommitted changes
  that could still roll back, so the index built there is used once and not kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import close_old_connections, connection, transaction
from django.db.models import F

from hongmian.core.models import CacheVersion
from hongmian.knowledge.search.analysis import AnalyzerOptions
from hongmian.knowledge.search.index import Hit, IndexDocument, RankingParams, SearchIndex

logger = logging.getLogger(__name__)

INDEX_VERSION_KEY = "knowledge.articles"


def index_version_bump() -> None:
    """Record that the served articles change. Call inside the transaction of the change;
    this process's index is marked stale when it commits, the others' at their next search."""
    CacheVersion.objects.get_or_create(key=INDEX_VERSION_KEY)
    CacheVersion.objects.filter(key=INDEX_VERSION_KEY).update(version=F("version") + 1)

    def _invalidate() -> None:
        from hongmian.knowledge.search import get_backend

        get_backend().invalidate()

    transaction.on_commit(_invalidate)


def stored_version() -> int:
    found = (
        CacheVersion.objects.filter(key=INDEX_VERSION_KEY).values_list("version", flat=True).first()
    )
    return int(found or 0)


def published_documents() -> list[IndexDocument]:
    """Every published article, as the index sees it. Validity dates are not filtered
    here: the index checks them per search, so an article starts and stops being served
    on its dates without a rebuild."""
    from hongmian.knowledge.models import Article
    from hongmian.knowledge.states import ArticleStatus

    rows = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .order_by("pk")
        .values_list(
            "pk",
            "title",
            "body",
            "audience",
            "valid_from",
            "valid_until",
            "category_codes",
            "owning_unit__name",
            "owning_unit__short_name",
        )
    )
    return [
        IndexDocument(
            key=str(pk),
            title=title,
            body=body,
            audience=audience,
            valid_from=valid_from,
            valid_until=valid_until,
            # The owning unit's name finds an article when a caller names the department.
            extra=" ".join([*(codes or []), unit_name, unit_short_name]),
        )
        for (
            pk,
            title,
            body,
            audience,
            valid_from,
            valid_until,
            codes,
            unit_name,
            unit_short_name,
        ) in rows
    ]


class EmbeddedBackend:
    """SearchBackend over an in-process SearchIndex of the published articles."""

    def __init__(
        self, *, options: AnalyzerOptions | None = None, params: RankingParams | None = None
    ) -> None:
        self.options = options or AnalyzerOptions()
        self.params = params or RankingParams()
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._version: int | None = None
        self._rebuilding = False
        self._thread: threading.Thread | None = None

    def search(self, query: str, *, limit: int, audience: str, today: dt.date) -> list[Hit]:
        return self.index().search(query, limit=limit, audience=audience, today=today)

    def invalidate(self) -> None:
        self._version = None

    def build(self) -> SearchIndex:
        return SearchIndex.build(published_documents(), options=self.options, params=self.params)

    def index(self) -> SearchIndex:
        # Read before the rows: a change committed between the two leaves the index marked
        # one version behind (rebuilt again), never marked current while stale.
        version = stored_version()
        if connection.in_atomic_block:
            return self.build()
        current = self._index
        if current is not None and self._version == version:
            return current
        if current is not None:
            self._rebuild_in_background(version)
            return current
        with self._lock:
            if self._index is None:
                self._index, self._version = self.build(), version
            return self._index

    def _rebuild_in_background(self, version: int) -> None:
        with self._lock:
            if self._rebuilding:
                return
            self._rebuilding = True

        def run() -> None:
            try:
                index = self.build()
                with self._lock:
                    self._index, self._version = index, version
            except Exception:
                # The old index keeps answering; the next search tries again.
                logger.exception("knowledge index rebuild failed")
            finally:
                self._rebuilding = False
                # This thread's database connection is its own: close it.
                close_old_connections()
                connection.close()

        self._thread = threading.Thread(target=run, name="knowledge-index", daemon=True)
        self._thread.start()

    def wait_for_rebuild(self, timeout: float = 60.0) -> None:
        """Block until a background rebuild has landed (for tests and shutdown hooks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
