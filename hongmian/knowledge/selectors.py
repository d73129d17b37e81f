"""Reads of the knowledge app: who sees which article, search, and the active ranking.

An article is *served* when it is published, today is inside its validity dates, and its
audience admits the reader (`models.served_q`). Readers see served articles; an article's
writers and reviewers also see its drafts, its versions and its retirement — declared as
`Article.scopes` and applied by `Article.objects.restrict`. `access_article` answers
NotFound alike for a missing article and for one the user may not see.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.core.search import dense
from hongmian.core.search.analysis import AnalyzerOptions, words_of
from hongmian.core.search.learned import LearnedRanking, LearningError
from hongmian.core.text import normalize
from hongmian.knowledge import permissions
from hongmian.knowledge.models import Article, ArticleVersion, SearchRanking, served_q
from hongmian.knowledge.search import get_backend
from hongmian.knowledge.states import AUDIENCE_READS, Audience

logger = logging.getLogger(__name__)

QUERY_MAX = 500
LIMIT_MAX = 50
SNIPPET_LENGTH = 120


def today() -> dt.date:
    """Today in the project's time zone (validity dates are local dates)."""
    return timezone.localdate()


def articles_visible_to(user: Any, *, on: dt.date | None = None) -> QuerySet[Article]:
    """The articles `user` sees on `on` (today by default): `Article.scopes["view"]`."""
    return Article.objects.restrict(user, "view", on=on or today())


def access_article(user: Any, article_id: int | str) -> Article:
    """The article `article_id` if `user` may see it; NotFound otherwise (also when it
    exists but is someone else's draft, internal, expired or retired)."""
    try:
        return articles_visible_to(user).select_related("owning_unit").get(pk=int(article_id))
    except (Article.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("知识条目不存在"), code="article.not_found") from None


def article_versions(user: Any, article: Article) -> QuerySet[ArticleVersion]:
    """The article's versions, newest first: all of them for its writers and reviewers,
    none for readers (they see the served text only)."""
    if not permissions.can_see_unpublished(user, article):
        return ArticleVersion.objects.none()
    return ArticleVersion.objects.filter(article=article).order_by("-number")


def article_list(user: Any, *, status: str | None = None) -> QuerySet[Article]:
    articles = articles_visible_to(user).select_related("owning_unit")
    if status:
        articles = articles.filter(status=status)
    return articles.order_by("-updated_at", "-id")


# --- search --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One suggested article. `score` only orders the hits of one search (higher first);
    it means nothing across searches."""

    article_id: int
    title: str
    snippet: str
    score: float
    owning_unit: str
    audience: str
    category_codes: tuple[str, ...]


def _snippet(body: str, query: str) -> str:
    """About SNIPPET_LENGTH characters of `body` around the first word of the question that
    it contains (the start of the body when none is found)."""
    text = " ".join(body.split())
    if len(text) <= SNIPPET_LENGTH:
        return text
    start = 0
    norm = normalize(text).lower()
    # The normalised text lines up with the original only when their lengths agree
    # (NFKC can expand a character); otherwise start at the top.
    if len(norm) == len(text):
        words = sorted(
            set(words_of(normalize(query).lower(), AnalyzerOptions())), key=len, reverse=True
        )
        found = [p for p in (norm.find(w) for w in words if len(w) > 1) if p >= 0]
        if found:
            start = max(0, min(found) - SNIPPET_LENGTH // 4)
    piece = text[start : start + SNIPPET_LENGTH]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_LENGTH < len(text) else "")


def article_search(
    query: str,
    *,
    limit: int = 10,
    audience: str = Audience.PUBLIC,
    on: dt.date | None = None,
) -> list[SearchHit]:
    """The served articles that best answer `query` (a citizen's question, the text of a
    request), best first. `audience` is the reader's (permissions.audience_of(user)).

    The backend ranks; the database has the last word: hits are re-read and only those
    still served to `audience` on `on` are returned, so a backend that has not caught up
    with a change never shows what it should not."""
    query = (query or "").strip()
    if not query:
        raise ValidationFailed(
            gettext("请输入要查找的内容"), code="search.query_required", fields={"q": ["必填"]}
        )
    if len(query) > QUERY_MAX:
        raise ValidationFailed(
            gettext("查找内容不能超过%(QUERY_MAX)s个字") % {"QUERY_MAX": QUERY_MAX},
            code="search.query_too_long",
            fields={"q": ["过长"]},
        )
    if audience not in AUDIENCE_READS:
        raise ValidationFailed(
            gettext("未知的读者范围：%(audience)s") % {"audience": audience},
            code="search.audience_invalid",
        )
    limit = max(1, min(int(limit), LIMIT_MAX))
    on = on or today()
    # A few more than asked, in case the database turns some down.
    hits = get_backend().search(query, limit=limit + 5, audience=audience, today=on)
    ids = [int(h.key) for h in hits]
    served = {
        a.pk: a
        for a in Article.objects.filter(served_q(audience, on=on), pk__in=ids).select_related(
            "owning_unit"
        )
    }
    out: list[SearchHit] = []
    for hit in hits:
        article = served.get(int(hit.key))
        if article is None:
            continue
        out.append(
            SearchHit(
                article_id=article.pk,
                title=article.title,
                snippet=_snippet(article.body, query),
                score=round(hit.score, 4),
                owning_unit=article.owning_unit.short_name or article.owning_unit.name,
                audience=article.audience,
                category_codes=tuple(article.category_codes),
            )
        )
        if len(out) == limit:
            break
    return out


# --- the learned ranking -------------------------------------------------------------------

# (pk, sha256) of the active ranking last read, and what it gave (None: it was refused).
_ranking_lock = threading.Lock()
_ranking_loaded: tuple[int, str, LearnedRanking | None] | None = None


def active_search_ranking() -> LearnedRanking | None:
    """The active learned ranking (models.SearchRanking), or None: none is active, or its
    artefact is damaged or was made for other vectors (logged once per process; search
    goes on with the plain hybrid). The artefact is read and checked once per process and
    version: an index build costs one small query."""
    global _ranking_loaded
    active = (
        SearchRanking.objects.filter(is_active=True).values_list("pk", "artefact_sha256").first()
    )
    if active is None:
        return None
    pk, sha = active
    with _ranking_lock:
        loaded = _ranking_loaded
        if loaded is not None and loaded[:2] == (pk, sha):
            return loaded[2]
        data = SearchRanking.objects.filter(pk=pk).values_list("artefact", flat=True).first()
        ranking: LearnedRanking | None = None
        if data is None:
            return None  # deleted since the first read: the next build sees what replaced it
        try:
            ranking = LearnedRanking.from_artefact(
                bytes(data), sha256=sha, dimensions=dense.DIMENSIONS
            )
        except LearningError as exc:
            logger.error("search ranking %s cannot be used (%s); ignored", pk, exc)
        _ranking_loaded = (pk, sha, ranking)
        return ranking
