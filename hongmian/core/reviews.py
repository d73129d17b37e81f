"""The review workflow of versioned content (knowledge articles, service items): a version
is drafted, submitted, reviewed, published and later superseded, or withdrawn unserved. One
definition of the states, their moves and the database rules that hold them, so that every
reviewed artefact behaves the same; each app keeps only the states of the artefact itself."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable


class VersionState(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being edited by the owning unit
    IN_REVIEW = "in_review", _("审核中")  # submitted; the content is frozen until reviewed
    PUBLISHED = "published", _("现行")  # the content served now
    SUPERSEDED = "superseded", _("已被替换")  # served once, replaced by a later version
    WITHDRAWN = "withdrawn", _("已撤销")  # never served: its artefact was retired first


# The states of the one version an artefact may have waiting (at most one at a time).
PENDING_VERSION_STATES = frozenset({VersionState.DRAFT, VersionState.IN_REVIEW})


def version_flow(entity: str) -> TransitionTable:
    """The moves of a version, named for `entity`'s error codes (`<entity>.…`)."""
    return TransitionTable.build(
        entity,
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


def version_constraints(
    *, parent: str, prefix: str, pending_code: str
) -> list[models.BaseConstraint]:
    """The rules a version table keeps: numbers unique per `parent`; at most one waiting
    version (two drafts would each overwrite the other on approval); one live version; a
    known state."""
    return [
        models.UniqueConstraint(fields=[parent, "number"], name=f"{prefix}_version_number_unique"),
        models.UniqueConstraint(
            fields=[parent],
            condition=Q(state__in=sorted(PENDING_VERSION_STATES)),
            name=f"{prefix}_version_one_pending",
            violation_error_code=pending_code,
        ),
        models.UniqueConstraint(
            fields=[parent],
            condition=Q(state=VersionState.PUBLISHED),
            name=f"{prefix}_version_one_live",
        ),
        models.CheckConstraint(
            condition=Q(state__in=[s.value for s in VersionState]),
            name=f"{prefix}_version_state_valid",
        ),
    ]
