"""Statuses of the knowledge base: an article's review workflow and each version's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.reviews import version_flow
from hongmian.core.transitions import TransitionTable


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # written, never published; only its unit and reviewers see it
    IN_REVIEW = "in_review", _("审核中")  # first text submitted, waiting for a reviewer
    PUBLISHED = "published", _("已发布")  # served to agents (and citizens if public)
    RETIRED = "retired", _("已停用")  # withdrawn for good; kept for the record and metrics


ARTICLE_FLOW = TransitionTable.build(
    "article",
    {
        ArticleStatus.DRAFT: {ArticleStatus.IN_REVIEW, ArticleStatus.RETIRED},
        # A reviewer approves (published) or sends it back with a note (draft).
        ArticleStatus.IN_REVIEW: {ArticleStatus.PUBLISHED, ArticleStatus.DRAFT},
        # An edit of a published article is a new version under review; the article itself
        # stays published (and served) until that version is approved.
        ArticleStatus.PUBLISHED: {ArticleStatus.RETIRED},
        ArticleStatus.RETIRED: set(),
    },
)


# A version's states and moves are the house's review workflow (core/reviews.py).
VERSION_FLOW = version_flow("article_version")


class Audience(models.TextChoices):
    PUBLIC = "public", _("公开")  # citizens may read it (the portal, the app)
    STAFF = "staff", _("内部")  # staff only: agents' scripts, internal rules, contacts


# Which articles each audience may read: staff read public articles too.
AUDIENCE_READS: dict[str, frozenset[str]] = {
    Audience.PUBLIC: frozenset({Audience.PUBLIC}),
    Audience.STAFF: frozenset({Audience.PUBLIC, Audience.STAFF}),
}
