"""The hotline's bridge to the knowledge app (`hongmian.knowledge`), read by the console's
knowledge slot and the API's direct answer when the app is installed:
`selectors.article_search` ranks the articles the agent may read, and
`selectors.access_article` gives the one chosen for a direct answer, which the caller hands
to `work_order_direct_answer(article=…)` (that service records its use). The hotline does
not depend on the app: without it the slot says so, and the agent can still answer
directly in their own words.

The other way round, every direct answer teaches knowledge search how callers word what
an article answers: `usage_pairs` gives (the order's request text, the article's id) for
the recorded uses, and `search_ranking_relearn` hands them to the knowledge app's weekly
learning (tasks.search_ranking_relearn_job)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps

from hongmian.core.errors import ApplicationError
from hongmian.core.text import key_terms

logger = logging.getLogger(__name__)

KNOWLEDGE_APP = "hongmian.knowledge"
SEARCH_LIMIT = 5
# The request text is searched as typed once it says this much; a text longer than the
# knowledge search's query limit (500) is searched by its SUGGEST_TERMS key terms.
SUGGEST_MIN_CHARS = 4
SUGGEST_QUERY_MAX = 500
SUGGEST_TERMS = 20
# The weekly learning reads the uses of this many days, at most USAGE_PAIRS_MAX of the
# newest: the city's wording drifts, and learning costs grow with the pairs.
USAGE_WINDOW_DAYS = 365
USAGE_PAIRS_MAX = 10_000
# Orders are read in groups of this many numbers (SQLite's limit on query parameters).
_ORDER_CHUNK = 500


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


def article_suggest(user: Any, title: str, content: str) -> list[ArticleHit]:
    """The articles that best answer a request as typed (its title and content), for the
    console to show without being asked. Knowledge search ranks a whole paragraph as well
    as a few keywords (decision 0030 measured both); a text longer than the search takes
    is reduced to its key terms rather than cut, so its end still counts."""
    text = " ".join(part.strip() for part in (title, content) if part and part.strip())
    if len(text) < SUGGEST_MIN_CHARS:
        return []
    if len(text) > SUGGEST_QUERY_MAX:
        text = " ".join(key_terms(text, limit=SUGGEST_TERMS))
    return article_search(user, text)


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


def usage_pairs(
    *, since: dt.datetime | None = None, limit: int = USAGE_PAIRS_MAX
) -> list[tuple[str, str]]:
    """(request text of the order, article id) for each recorded direct answer since
    `since` (all when None), newest first, at most `limit`; a pair given twice counts once.
    Uses whose order is gone, or has no text, are left out. Empty without the app."""
    from hongmian.hotline.models import WorkOrder

    models = _module("models")
    if models is None or not hasattr(models, "ArticleUsage"):
        return []
    usages = models.ArticleUsage.objects.order_by("-used_at", "-id")
    if since is not None:
        usages = usages.filter(used_at__gte=since)
    rows = list(usages.values_list("order_ref", "article_id")[:limit])
    numbers = sorted({ref for ref, _ in rows})
    content: dict[str, str] = {}
    for start in range(0, len(numbers), _ORDER_CHUNK):
        chunk = numbers[start : start + _ORDER_CHUNK]
        content.update(WorkOrder.objects.filter(number__in=chunk).values_list("number", "content"))
    pairs = [
        (content[ref].strip(), str(article_id))
        for ref, article_id in rows
        if content.get(ref, "").strip()
    ]
    return list(dict.fromkeys(pairs))


def search_ranking_relearn(*, actor: Any) -> dict[str, object]:
    """Learn knowledge search's ranking from the last USAGE_WINDOW_DAYS of direct answers
    (the knowledge app's `search_ranking_relearn` decides whether to, and activates). A
    summary; {"learned": False, "reason": "no_knowledge_app"} without the app."""
    services = _module("services")
    if services is None or not hasattr(services, "search_ranking_relearn"):
        logger.info("search ranking not learned: the knowledge app is not installed")
        return {"learned": False, "reason": "no_knowledge_app"}
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=USAGE_WINDOW_DAYS)
    summary: dict[str, object] = services.search_ranking_relearn(
        actor=actor, pairs=usage_pairs(since=since)
    )
    return summary
