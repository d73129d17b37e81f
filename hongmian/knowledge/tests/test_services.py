"""The review workflow, versions, permissions and recorded use of articles."""

from __future__ import annotations

import datetime as dt

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import (
    Conflict,
    IllegalTransition,
    NotAuthenticated,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.core.models import AuditEvent, CacheVersion
from hongmian.core.reviews import VersionState
from hongmian.knowledge import services
from hongmian.knowledge.models import Article, ArticleUsage, ArticleVersion
from hongmian.knowledge.search.embedded import INDEX_VERSION_KEY
from hongmian.knowledge.states import ArticleStatus, Audience
from hongmian.knowledge.tests.conftest import Org, actor_of, make_article

pytestmark = pytest.mark.django_db


def _actions(article: Article) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="knowledge.article", target_id=str(article.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def _index_version() -> int:
    row = CacheVersion.objects.filter(key=INDEX_VERSION_KEY).first()
    return row.version if row else 0


def test_create_submit_approve_publishes_version_one(org: Org) -> None:
    article = services.article_create(
        actor=actor_of(org.author),
        owning_unit=org.hrss,
        title="  社保卡 补办 ",
        body="先挂失，再补办。",
        category_codes=["社保", " 社保 ", "证件", ""],
    )
    assert article.status == ArticleStatus.DRAFT
    assert article.title == "社保卡 补办"
    assert article.category_codes == ["社保", "证件"]
    assert article.revision == 0

    version = services.article_submit(actor=actor_of(org.author), article=article)
    article.refresh_from_db()
    assert (article.status, version.state) == (ArticleStatus.IN_REVIEW, VersionState.IN_REVIEW)

    before = _index_version()
    services.article_approve(actor=actor_of(org.manager), article=article, note="可以")
    article.refresh_from_db()
    version.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.revision == 1
    assert article.published_at is not None
    assert version.state == VersionState.PUBLISHED
    assert version.reviewed_by == org.manager
    assert version.review_note == "可以"
    assert _index_version() == before + 1
    assert _actions(article) == [
        "article.create",
        "article.submit",
        "article.approve",
    ]


def test_edit_of_published_article_waits_for_review(org: Org) -> None:
    article = make_article(org, title="旧标题", body="旧的正文。")
    draft = services.article_update(
        actor=actor_of(org.author), article=article, title="新标题", body="新的正文。"
    )
    article.refresh_from_db()
    # Still served as it was: the edit is a new draft version.
    assert (article.title, article.body, article.revision) == ("旧标题", "旧的正文。", 1)
    assert (draft.number, draft.state) == (2, VersionState.DRAFT)

    # A second edit changes the same draft instead of starting another.
    again = services.article_update(
        actor=actor_of(org.author), article=article, body="更新的正文。"
    )
    assert again.pk == draft.pk
    assert again.title == "新标题"

    services.article_submit(actor=actor_of(org.author), article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED  # still served during review
    with pytest.raises(Conflict) as exc:
        services.article_update(actor=actor_of(org.author), article=article, title="又改")
    assert exc.value.code == "article.version_in_review"

    services.article_approve(actor=actor_of(org.manager), article=article)
    article.refresh_from_db()
    assert (article.title, article.body, article.revision) == ("新标题", "更新的正文。", 2)
    states = dict(ArticleVersion.objects.filter(article=article).values_list("number", "state"))
    # The previous text is kept as a version of its own.
    assert states == {1: VersionState.SUPERSEDED, 2: VersionState.PUBLISHED}
    assert ArticleVersion.objects.get(article=article, number=1).body == "旧的正文。"


def test_reject_sends_back_with_note(org: Org) -> None:
    article = make_article(org, publish=False)
    services.article_submit(actor=actor_of(org.author), article=article)
    with pytest.raises(ValidationFailed):
        services.article_reject(actor=actor_of(org.manager), article=article, note=" ")
    version = services.article_reject(
        actor=actor_of(org.manager), article=article, note="请补充办理地点"
    )
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert (version.state, version.review_note) == (VersionState.DRAFT, "请补充办理地点")
    # Back with its unit: it can be edited and submitted again.
    services.article_update(actor=actor_of(org.author), article=article, body="补充了地点。")
    services.article_submit(actor=actor_of(org.author), article=article)
    services.article_approve(actor=actor_of(org.manager), article=article)
    article.refresh_from_db()
    assert (article.status, article.body) == (ArticleStatus.PUBLISHED, "补充了地点。")


def test_reject_of_an_edit_keeps_the_article_served(org: Org) -> None:
    article = make_article(org)
    services.article_update(actor=actor_of(org.author), article=article, body="改过的。")
    services.article_submit(actor=actor_of(org.author), article=article)
    services.article_reject(actor=actor_of(org.supervisor), article=article, note="不准确")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.revision == 1


def test_retire_withdraws_pending_version_and_is_final(org: Org) -> None:
    article = make_article(org)
    services.article_update(actor=actor_of(org.author), article=article, body="新的。")
    before = _index_version()
    services.article_retire(actor=actor_of(org.author), article=article, reason="政策废止")
    article.refresh_from_db()
    assert article.status == ArticleStatus.RETIRED
    assert _index_version() == before + 1
    assert ArticleVersion.objects.get(article=article, number=2).state == VersionState.WITHDRAWN
    with pytest.raises(IllegalTransition):
        services.article_retire(actor=actor_of(org.author), article=article)
    with pytest.raises(Conflict):
        services.article_update(actor=actor_of(org.author), article=article, title="复活")


def test_cannot_submit_twice_or_approve_without_review(org: Org) -> None:
    article = make_article(org, publish=False)
    with pytest.raises(Conflict) as exc:
        services.article_approve(actor=actor_of(org.manager), article=article)
    assert exc.value.code == "article.nothing_to_review"
    services.article_submit(actor=actor_of(org.author), article=article)
    with pytest.raises(IllegalTransition):
        services.article_submit(actor=actor_of(org.author), article=article)
    published = make_article(org, title="另一条")
    with pytest.raises(Conflict) as exc:
        services.article_submit(actor=actor_of(org.author), article=published)
    assert exc.value.code == "article.nothing_to_submit"


# --- permissions ---------------------------------------------------------------------------


def test_units_write_only_their_own_articles(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        services.article_create(
            actor=actor_of(org.water_author), owning_unit=org.hrss, title="x", body="y"
        )
    # A unit writes for the units below it.
    below = services.article_create(
        actor=actor_of(org.author), owning_unit=org.hrss_office, title="网点", body="地址。"
    )
    assert below.owning_unit == org.hrss_office
    article = make_article(org)
    for user in (org.water_author, org.agent, org.citizen):
        with pytest.raises(PermissionDenied):
            services.article_update(actor=actor_of(user), article=article, title="改")
    with pytest.raises(NotAuthenticated):
        services.article_update(actor=Actor(user=None, via="api"), article=article, title="改")


def test_reviewers_and_the_four_eyes_rule(org: Org) -> None:
    article = make_article(org, publish=False)
    services.article_submit(actor=actor_of(org.manager), article=article)
    # Another unit's manager may not review; the submitter may not approve their own text.
    with pytest.raises(PermissionDenied):
        services.article_approve(actor=actor_of(org.water_manager), article=article)
    with pytest.raises(PermissionDenied) as exc:
        services.article_approve(actor=actor_of(org.manager), article=article)
    assert exc.value.code == "article.self_review"
    # Handlers write but do not approve; the hotline centre's supervisors review any unit.
    with pytest.raises(PermissionDenied):
        services.article_approve(actor=actor_of(org.author), article=article)
    services.article_approve(actor=actor_of(org.supervisor), article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": " "}, "article.title_required"),
        ({"body": ""}, "article.body_required"),
        ({"audience": "everyone"}, "article.audience_invalid"),
        (
            {"valid_from": dt.date(2026, 5, 1), "valid_until": dt.date(2026, 4, 1)},
            "article.validity_invalid",
        ),
        ({"title": "长" * 201}, "article.title_too_long"),
    ],
)
def test_invalid_input(org: Org, fields: dict[str, object], code: str) -> None:
    data: dict[str, object] = {"title": "标题", "body": "正文。", **fields}
    with pytest.raises(ValidationFailed) as exc:
        services.article_create(actor=actor_of(org.author), owning_unit=org.hrss, **data)  # type: ignore[arg-type]
    assert exc.value.code == code
    assert not Article.objects.exists()


def test_external_id_is_unique(org: Org) -> None:
    make_article(org, external_id="KB-1")
    with pytest.raises(Conflict) as exc:
        make_article(org, external_id="KB-1")
    assert exc.value.code == "article.external_id_taken"


def test_update_can_clear_a_date(org: Org) -> None:
    article = make_article(org, valid_until=dt.date(2030, 1, 1), audience=Audience.STAFF)
    version = services.article_update(actor=actor_of(org.author), article=article, valid_until=None)
    assert version.valid_until is None
    assert version.audience == Audience.STAFF  # untouched fields stay


# --- use -----------------------------------------------------------------------------------


def test_article_used_records_the_served_version(org: Org) -> None:
    article = make_article(org)
    usage = services.article_used(
        actor=actor_of(org.agent), article=article, order_ref="GZ12345-20260101-0001"
    )
    assert (usage.article_id, usage.revision, usage.used_by) == (article.pk, 1, org.agent)
    with pytest.raises(PermissionDenied):
        services.article_used(actor=actor_of(org.citizen), article=article, order_ref="X1")
    with pytest.raises(ValidationFailed):
        services.article_used(actor=actor_of(org.agent), article=article, order_ref=" ")
    draft = make_article(org, publish=False, title="草稿")
    with pytest.raises(Conflict):
        services.article_used(actor=actor_of(org.agent), article=draft, order_ref="X2")
    assert ArticleUsage.objects.count() == 1
