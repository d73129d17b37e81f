"""The search seam of the knowledge base.

The engine itself (analyser, lexicon, BM25/hybrid index, dense vectors, learned ranking)
is the house's one search engine in hongmian/core/search/, shared with the catalogue;
this package holds what is the knowledge base's own: the backend seam, the embedded
backend over the Article table, and the FAQ evaluation.

Callers (selectors.article_search, the agent console, the CLI) talk to a backend through
one small interface, so that the embedded default can be replaced by PostgreSQL full-text
search or an external engine (Elasticsearch/OpenSearch with an IK or smartcn analyser)
without touching them:

    class SearchBackend(Protocol):
        def search(self, query, *, limit, audience, today) -> list[Hit]: ...
        def invalidate(self) -> None: ...

- `search` returns at most `limit` hits, best first. A hit's `key` is the article's id as
  text. It must return only published articles that `audience` ("public" or "staff") may
  read and that are valid on `today`; the selector checks again against the database, so
  a backend that lags behind a change can be slow to show an article but never shows one
  it should not.
- `invalidate` is called (after commit) when published articles change in this process.
  A backend shared between processes must also notice other processes' changes: the
  embedded one compares the `knowledge.articles` counter in core's CacheVersion table,
  which every service that changes what is served increments in its transaction.

Choose the backend with the setting HONGMIAN_KNOWLEDGE_SEARCH_BACKEND (a dotted path to a
class whose constructor takes no argument). docs/decisions/0012-knowledge-search.md
explains the default and its figures.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from hongmian.core.search.index import Hit

DEFAULT_BACKEND = "hongmian.knowledge.search.embedded.EmbeddedBackend"


class SearchBackend(Protocol):
    def search(self, query: str, *, limit: int, audience: str, today: dt.date) -> list[Hit]: ...

    def invalidate(self) -> None: ...


@functools.cache
def _backend(path: str) -> SearchBackend:
    backend: SearchBackend = import_string(path)()
    return backend


def get_backend() -> SearchBackend:
    """The configured backend, one instance per process."""
    return _backend(getattr(settings, "HONGMIAN_KNOWLEDGE_SEARCH_BACKEND", DEFAULT_BACKEND))


__all__ = ["DEFAULT_BACKEND", "SearchBackend", "get_backend"]
