"""Who may do what with knowledge articles: `can_*` predicates named after their services.

- A unit writes its own articles: authors (handlers and managers of a unit, the hotline
  centre's supervisors) create and edit articles owned by their unit or a unit below it.
- Reviewers approve: a unit's manager for the unit's articles, and the hotline centre's
  supervisors for every unit's (the centre answers for what agents read out). Nobody
  approves a version they submitted themselves.
- Readers: staff read every served article; citizens, enterprise representatives and
  anonymous visitors read the public ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hongmian.identity.permissions import is_active_user, is_staff_member, is_system_admin
from hongmian.identity.states import Role
from hongmian.knowledge.states import Audience

if TYPE_CHECKING:
    from hongmian.identity.models import OrgUnit
    from hongmian.knowledge.models import Article

# Roles that write articles for their own unit (and the units below it).
AUTHOR_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER, Role.HOTLINE_SUPERVISOR})
# Roles that approve their own unit's articles.
UNIT_REVIEWER_ROLES = frozenset({Role.DEPT_MANAGER})
# Roles that approve every unit's articles.
CITY_REVIEWER_ROLES = frozenset({Role.HOTLINE_SUPERVISOR})


def audience_of(user: Any) -> str:
    """Which articles `user` reads: staff read internal ones too."""
    return Audience.STAFF if is_staff_member(user) else Audience.PUBLIC


def in_own_units(user: Any, unit: OrgUnit) -> bool:
    """Is `unit` the user's unit or below it?"""
    own = getattr(user, "org_unit", None)
    return bool(is_active_user(user) and own is not None and unit.path.startswith(own.path))


def can_create_article(user: Any, unit: OrgUnit) -> bool:
    if is_system_admin(user):
        return True
    return is_active_user(user) and user.role in AUTHOR_ROLES and in_own_units(user, unit)


def can_update_article(user: Any, article: Article) -> bool:
    return can_create_article(user, article.owning_unit)


def can_submit_article(user: Any, article: Article) -> bool:
    return can_update_article(user, article)


def can_review_article(user: Any, article: Article) -> bool:
    """Approve or reject; the four-eyes rule is checked by the services, on the version."""
    if is_system_admin(user):
        return True
    if not is_active_user(user):
        return False
    if user.role in CITY_REVIEWER_ROLES:
        return True
    return user.role in UNIT_REVIEWER_ROLES and in_own_units(user, article.owning_unit)


def can_approve_article(user: Any, article: Article) -> bool:
    return can_review_article(user, article)


def can_reject_article(user: Any, article: Article) -> bool:
    return can_review_article(user, article)


def can_retire_article(user: Any, article: Article) -> bool:
    return can_update_article(user, article) or can_review_article(user, article)


def can_see_unpublished(user: Any, article: Article) -> bool:
    """Drafts, versions under review and retired articles: their writers and reviewers."""
    return can_update_article(user, article) or can_review_article(user, article)


def can_record_article_use(user: Any) -> bool:
    """Direct answers are given by staff (agents above all), never by citizens."""
    return is_staff_member(user)


def can_manage_search_ranking(user: Any) -> bool:
    """Learn, activate or switch off the learned search ranking: it changes what every
    search answers, so it is the platform administrators' (the weekly job runs as the
    system)."""
    return is_system_admin(user)
