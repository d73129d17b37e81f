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

With dense vectors on (dense.py, HONGMIAN_KNOWLEDGE_DENSE), each article's vector is kept in
ArticleEmbedding with the hash of the text it was computed from, read with the articles in
the same query, and computed only for articles whose text is new. Embedding costs tens of
ms per article, so a build that would wait for more than INLINE_EMBED_MAX of them (the
first search after an import, say) builds a BM25-only index to answer at once and embeds in
the background; the hybrid index replaces it when that lands.

A hybrid index is ranked with the active learned ranking (learned.py, the SearchRanking
row that selectors.active_search_ranking reads) when there is one; a BM25-only index has
no use for it. Activating or deactivating a ranking bumps the same counter, so every
process rebuilds with the change. `EmbeddedBackend.build_hybrid` builds what a ranking is
learned on: every article embedded, no learned ranking.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

import numpy as np
from django.db import close_old_connections, connection, transaction
from django.db.models import F

from hongmian.core.models import CacheVersion
from hongmian.core.search import dense
from hongmian.core.search.analysis import AnalyzerOptions
from hongmian.core.search.index import Hit, IndexDocument, RankingParams, SearchIndex

logger = logging.getLogger(__name__)

INDEX_VERSION_KEY = "knowledge.articles"
# A build embeds at most this many new articles while a search waits (about a second);
# more are embedded in the background.
INLINE_EMBED_MAX = 32
# Vectors are written in groups of this many, so an interrupted background build keeps
# what it did.
EMBED_SAVE_EVERY = 64


class DenseUnavailable(RuntimeError):
    """A hybrid index was needed, but dense vectors are off or the embedding engine failed."""


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


@dataclass
class Published:
    """The published articles as the index sees them, with their stored vectors (if read)."""

    documents: list[IndexDocument] = field(default_factory=list)
    stored_keys: list[str | None] = field(default_factory=list)
    stored_vectors: list[bytes | None] = field(default_factory=list)


def published_documents(*, with_vectors: bool = False) -> Published:
    """Every published article, as the index sees it, in one query. Validity dates are
    not filtered here: the index checks them per search, so an article starts and stops
    being served on its dates without a rebuild. with_vectors=True also reads each
    article's stored vector (a left join on ArticleEmbedding)."""
    from hongmian.knowledge.models import Article
    from hongmian.knowledge.states import ArticleStatus

    columns = [
        "pk",
        "title",
        "body",
        "audience",
        "valid_from",
        "valid_until",
        "category_codes",
        "owning_unit__name",
        "owning_unit__short_name",
    ]
    if with_vectors:
        columns += ["embedding__text_key", "embedding__vector"]
    rows = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk").values_list(*columns)
    )
    out = Published()
    for row in rows:
        pk, title, body, audience, valid_from, valid_until, codes, unit_name, unit_short = row[:9]
        out.documents.append(
            IndexDocument(
                key=str(pk),
                title=title,
                body=body,
                audience=audience,
                valid_from=valid_from,
                valid_until=valid_until,
                # The owning unit's name finds an article when a caller names the department.
                extra=" ".join([*(codes or []), unit_name, unit_short]),
            )
        )
        stored_key, stored_vector = row[9:] if with_vectors else (None, None)
        out.stored_keys.append(stored_key)
        out.stored_vectors.append(bytes(stored_vector) if stored_vector is not None else None)
    return out


def _save_vectors(vectors: dict[int, tuple[str, dense.Vectors]]) -> None:
    """Store vectors by article id (text key, vector), replacing older ones."""
    from hongmian.knowledge.models import ArticleEmbedding

    ArticleEmbedding.objects.bulk_create(
        [
            ArticleEmbedding(article_id=pk, text_key=key, vector=vector.astype("<f4").tobytes())
            for pk, (key, vector) in vectors.items()
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["text_key", "vector", "updated_at"],
    )


def article_vectors(
    published: Published, *, encoder: dense.Encoder, embed_max: int | None
) -> dense.DenseVectors | None:
    """The published articles' vectors: stored ones whose text is unchanged, new ones
    embedded and stored. None when more than `embed_max` articles would need embedding
    (None: no limit)."""
    documents = published.documents
    prepared = [dense.document_text(d.title, d.body) for d in documents]
    keys = [dense.text_key(p) for p in prepared]
    matrix = np.empty((len(documents), dense.DIMENSIONS), dtype=np.float32)
    missing: list[int] = []
    for i, (key, stored_key, blob) in enumerate(
        zip(keys, published.stored_keys, published.stored_vectors, strict=True)
    ):
        if blob is not None and stored_key == key and len(blob) == 4 * dense.DIMENSIONS:
            matrix[i] = np.frombuffer(blob, dtype="<f4")
        else:
            missing.append(i)
    if embed_max is not None and len(missing) > embed_max:
        return None
    for start in range(0, len(missing), EMBED_SAVE_EVERY):
        group = missing[start : start + EMBED_SAVE_EVERY]
        vectors = dense.embed_texts([prepared[i] for i in group], encoder=encoder)
        matrix[group] = vectors
        _save_vectors(
            {int(documents[i].key): (keys[i], v) for i, v in zip(group, vectors, strict=True)}
        )
    return dense.DenseVectors(matrix, encoder)


class EmbeddedBackend:
    """SearchBackend over an in-process SearchIndex of the published articles."""

    def __init__(
        self,
        *,
        options: AnalyzerOptions | None = None,
        params: RankingParams | None = None,
        encoder: dense.Encoder | None = None,
        use_dense: bool | None = None,
    ) -> None:
        """`use_dense`: None follows the setting HONGMIAN_KNOWLEDGE_DENSE; `encoder`
        replaces the process's e5 model (tests)."""
        self.options = options or AnalyzerOptions()
        self.params = params or RankingParams()
        self.use_dense = dense.enabled() if use_dense is None else use_dense
        self._encoder = encoder
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._version: int | None = None
        # False while the kept index is BM25-only because its vectors were still missing.
        self._complete = True
        self._rebuilding = False
        self._thread: threading.Thread | None = None

    @property
    def encoder(self) -> dense.Encoder:
        if self._encoder is None:
            self._encoder = dense.default_encoder()
        return self._encoder

    def search(self, query: str, *, limit: int, audience: str, today: dt.date) -> list[Hit]:
        return self.index().search(query, limit=limit, audience=audience, today=today)

    def invalidate(self) -> None:
        self._version = None

    def build(self) -> SearchIndex:
        """An index of the published articles, embedding every article that needs it."""
        return self._build(embed_max=None)[0]

    def build_hybrid(self) -> SearchIndex:
        """The published articles with every vector (embedding those that lack one) and
        without a learned ranking: what a ranking is learned on. DenseUnavailable when
        dense vectors are off or the engine fails (no BM25 fallback here: a ranking learned
        on BM25 alone would learn nothing)."""
        if not self.use_dense:
            raise DenseUnavailable("dense vectors are off (HONGMIAN_KNOWLEDGE_DENSE)")
        published = published_documents(with_vectors=True)
        try:
            vectors = article_vectors(published, encoder=self.encoder, embed_max=None)
        except Exception as exc:
            raise DenseUnavailable(f"embedding the articles failed: {exc}") from exc
        if vectors is None:  # cannot happen without embed_max; typed Optional for _build
            raise DenseUnavailable("the articles' vectors are incomplete")
        return SearchIndex.build(
            published.documents, options=self.options, params=self.params, dense=vectors
        )

    def _build(self, *, embed_max: int | None) -> tuple[SearchIndex, bool]:
        """(index, complete): complete is False when dense is on but more than `embed_max`
        articles lacked a vector, and the index ranks by BM25 alone for now."""
        published = published_documents(with_vectors=self.use_dense)
        vectors = None
        complete = True
        if self.use_dense:
            try:
                vectors = article_vectors(published, encoder=self.encoder, embed_max=embed_max)
                complete = vectors is not None
            except Exception:
                # The embedding engine failed: serve BM25 until the articles change again,
                # rather than fail the search or retry on every request.
                logger.exception("knowledge index: embedding the articles failed")
        index = SearchIndex.build(
            published.documents, options=self.options, params=self.params, dense=vectors
        )
        if vectors is not None:
            # Imported here: the selectors import this package (get_backend).
            from hongmian.knowledge.selectors import active_search_ranking

            ranking = active_search_ranking()
            if ranking is not None:
                index = index.with_learned(ranking)
        return index, complete

    def index(self) -> SearchIndex:
        # Read before the rows: a change committed between the two leaves the index marked
        # one version behind (rebuilt again), never marked current while stale.
        version = stored_version()
        if connection.in_atomic_block:
            return self._build(embed_max=INLINE_EMBED_MAX)[0]
        current = self._index
        if current is not None and self._version == version and self._complete:
            return current
        if current is not None:
            self._rebuild_in_background(version)
            return current
        with self._lock:
            if self._index is None:
                index, complete = self._build(embed_max=INLINE_EMBED_MAX)
                self._index, self._version, self._complete = index, version, complete
            current = self._index
        if not self._complete:
            self._rebuild_in_background(version)
        return current

    def _rebuild_in_background(self, version: int) -> None:
        with self._lock:
            if self._rebuilding:
                return
            self._rebuilding = True

        def run() -> None:
            try:
                index = self.build()
                with self._lock:
                    self._index, self._version, self._complete = index, version, True
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


def hybrid_index() -> SearchIndex:
    """`build_hybrid` of the configured backend when it is this one (its encoder and
    ranking parameters are the ones searches use), else of a default EmbeddedBackend."""
    from hongmian.knowledge.search import get_backend

    backend = get_backend()
    if not isinstance(backend, EmbeddedBackend):
        backend = EmbeddedBackend()
    return backend.build_hybrid()
