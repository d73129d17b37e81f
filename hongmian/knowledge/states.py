"""Statuses of the knowledge base: an article's review workflow and each version's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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


class VersionState(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being edited by the owning unit
    IN_REVIEW = "in_review", _("审核中")  # submitted; the text is frozen until reviewed
    PUBLISHED = "published", _("现行")  # the text the article serves now
    SUPERSEDED = "superseded", _("已被替换")  # served once, replaced by a later version
    WITHDRAWN = "withdrawn", _("已撤销")  # never served: its article was retired first


VERSION_FLOW = TransitionTable.build(
    "article_version",
    {
        VersionState.DRAFT: {VersionState.IN_REVIEW, VersionState.WITHDRAWN},
        VersionState.IN_REVIEW: {
            VersionState.PUBLISHED,
            VersionState.DRAFT,
            VersionState.WITHDRAWN,
        },
        VersionState.PUBLISHED: {VersionState.SUPERSEDED},
        VersionState.SUPERSEDED: set(),
        VersionState.WITHDRAWN: set(),
    },
)

# The states of the one version an article may have waiting (at most one at a time).
PENDING_VERSION_STATES = frozenset({VersionState.DRAFT, VersionState.IN_REVIEW})


class Audience(models.TextChoices):
    PUBLIC = "public", _("公开")  # citizens may read it (the portal, the app)
    STAFF = "staff", _("内部")  # staff only: agents' scripts, internal rules, contacts


# Which articles each audience may read: staff read public articles too.
AUDIENCE_READS: dict[str, frozenset[str]] = {
    Audience.PUBLIC: frozenset({Audience.PUBLIC}),
    Audience.STAFF: frozenset({Audience.PUBLIC, Audience.STAFF}),
}
