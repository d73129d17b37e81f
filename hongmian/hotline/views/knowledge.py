"""The console's knowledge slot, over the knowledge app (`hongmian.knowledge`) when it is
installed: `selectors.article_search` ranks the articles the agent may read, and
`selectors.access_article` gives the one chosen for a direct answer. The hotline does not
depend on the app: without it the slot says so, and the agent can still answer directly
in their own words."""

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
    return ArticleHit(id=str(article.pk), title=article.title, summary="", answer=str(article.body))


def record_use(actor: Any, article_id: str, order_number: str) -> bool:
    """Tell the knowledge app that the article answered the order (its usage counts and
    which revision was given). False when the app refused; the answer stands either way."""
    selectors, services = _module("selectors"), _module("services")
    if selectors is None or services is None or not hasattr(services, "article_used"):
        return False
    try:
        article = selectors.access_article(actor.user, article_id)
        services.article_used(actor=actor, article=article, order_ref=order_number)
    except ApplicationError:
        return False
    return True
