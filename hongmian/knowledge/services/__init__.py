"""Writes of the knowledge app. Import from here: `from hongmian.knowledge import services`."""

from hongmian.knowledge.services.articles import (
    KEEP,
    article_approve,
    article_create,
    article_reject,
    article_retire,
    article_submit,
    article_update,
    article_used,
)
from hongmian.knowledge.services.imports import (
    ImportReport,
    ImportRow,
    articles_import,
    derive_title,
)
from hongmian.knowledge.services.ranking import (
    USAGE_SOURCE,
    search_ranking_activate,
    search_ranking_deactivate,
    search_ranking_learn,
    search_ranking_relearn,
)

__all__ = [
    "KEEP",
    "USAGE_SOURCE",
    "ImportReport",
    "ImportRow",
    "article_approve",
    "article_create",
    "article_reject",
    "article_retire",
    "article_submit",
    "article_update",
    "article_used",
    "articles_import",
    "derive_title",
    "search_ranking_activate",
    "search_ranking_deactivate",
    "search_ranking_learn",
    "search_ranking_relearn",
]
