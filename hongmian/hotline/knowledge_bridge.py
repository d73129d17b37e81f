"""The hotline's bridge to the knowledge app (`hongmian.knowledge`), read by the console's
knowledge slot and the API's direct answer when the app is installed:
`selectors.article_search` ranks the articles the agent may read, and
`selectors.access_article` gives the one chosen for a direct answer, which the caller hands
to `work_order_direct_answer(article=…)` (that service records its use). The hotline does
not depend on the app: without it the slot says so, and the agent can still answer
directly in their own words."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps

from hongmian.core.errors import ApplicationError

KNOWLEDGE_APP = "hongmian.knowledge"
SEARCH_LIMIT = 5


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """An article as the console shows it, and what a direct answer records."""

    id: str
    title: str
    summary: str
    answer: str = ""
    # The knowledge app's Article itself, for the direct answer that records its use; only
    # `article_get` fills it.
    article: Any = None

    @property
    def source(self) -> str:
        # WorkOrder.answer_source: "knowledge:<id>", the reference the direct answer keeps.
        return f"knowledge:{self.id}"


def _module(name: str) -> ModuleType | None:
    if not apps.is_installed(KNOWLEDGE_APP):
        return None
    try:
        return import_module(f"{KNOWLEDGE_APP}.{name}")
    except ImportError:
        return None


def available() -> bool:
    selectors = _module("selectors")
    return selectors is not None and hasattr(selectors, "article_search")


def _audience(user: Any) -> dict[str, Any]:
    # Staff read the internal answers (口径) too; the knowledge app decides who is staff.
    permissions = _module("permissions")
    if permissions is None or not hasattr(permissions, "audience_of"):
        return {}
    return {"audience": permissions.audience_of(user)}


def article_search(user: Any, query: str) -> list[ArticleHit]:
    """The articles `user` may read that best answer `query`, best first."""
    selectors = _module("selectors")
    if selectors is None or not hasattr(selectors, "article_search"):
        return []
    try:
        hits = selectors.article_search(query, limit=SEARCH_LIMIT, **_audience(user))
    except ApplicationError:  # an empty or over-long query: nothing to show
        return []
    return [
        ArticleHit(id=str(hit.article_id), title=hit.title, summary=hit.snippet) for hit in hits
    ]


def article_get(user: Any, article_id: str) -> ArticleHit | None:
    """The article `user` chose, with its full text as the answer; None when it is gone or
    not theirs to read (the knowledge app says which, alike)."""
    selectors = _module("selectors")
    if selectors is None or not hasattr(selectors, "access_article"):
        return None
    try:
        article = selectors.access_article(user, article_id)
    except ApplicationError:
        return None
    return ArticleHit(
        id=str(article.pk),
        title=article.title,
        summary="",
        answer=str(article.body),
        article=article,
    )
