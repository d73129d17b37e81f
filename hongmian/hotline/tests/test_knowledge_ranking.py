"""What direct answers teach knowledge search: the bridge's (request, article) pairs and
the weekly job that learns the search ranking from them, as the system."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from crontask import scheduler
from django.test import override_settings
from django.utils import timezone

from hongmian.core.models import AuditEvent
from hongmian.core.search import dense, learned
from hongmian.hotline import knowledge_bridge
from hongmian.hotline.tasks import search_ranking_relearn_job
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.hotline.tests.fixtures import Units
from hongmian.knowledge.models import Article, ArticleUsage, SearchRanking
from hongmian.knowledge.services import ranking as ranking_services
from hongmian.knowledge.states import ArticleStatus
from hongmian.knowledge.tests.test_dense import FakeEncoder

TOPICS = ["停水", "停电", "燃气", "供暖", "噪音", "垃圾"]


@pytest.fixture
def answered(units: Units) -> list[tuple[Article, Any]]:
    """One published article per topic, and an order answered directly from each."""
    articles = Article.objects.bulk_create(
        [
            Article(
                title=f"{topic}查询",
                body=f"{topic}问题可拨打热线查询，或到服务中心{topic}窗口办理。",
                owning_unit=units.water,
                status=ArticleStatus.PUBLISHED,
                revision=1,
                published_at=timezone.now(),
            )
            for topic in TOPICS
        ]
    )
    out = []
    for topic, article in zip(TOPICS, articles, strict=True):
        order = WorkOrderFactory(content=f"我家这里{topic}了，请问怎么办")
        ArticleUsage.objects.create(article=article, revision=1, order_ref=order.number)
        out.append((article, order))
    return out


def test_usage_pairs_are_the_request_and_the_article(answered: list[tuple[Any, Any]]) -> None:
    article, order = answered[0]
    # The same order answered twice from one article counts once; a gone order not at all.
    ArticleUsage.objects.create(article=article, revision=1, order_ref=order.number)
    ArticleUsage.objects.create(article=article, revision=1, order_ref="GZ-GONE-0000001")
    pairs = knowledge_bridge.usage_pairs()
    assert len(pairs) == len(TOPICS)
    assert set(pairs) == {(o.content, str(a.pk)) for a, o in answered}

    old = ArticleUsage.objects.filter(order_ref=answered[1][1].number)
    old.update(used_at=timezone.now() - dt.timedelta(days=400))
    recent = knowledge_bridge.usage_pairs(since=timezone.now() - dt.timedelta(days=30))
    assert (answered[1][1].content, str(answered[1][0].pk)) not in recent
    assert len(recent) == len(TOPICS) - 1
    assert len(knowledge_bridge.usage_pairs(limit=2)) <= 2


def test_without_the_knowledge_app_there_is_nothing_to_learn(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(knowledge_bridge, "_module", lambda name: None)
    assert knowledge_bridge.usage_pairs() == []
    assert search_ranking_relearn_job.func() == {"learned": False, "reason": "no_knowledge_app"}


def test_the_job_is_weekly() -> None:
    [job] = [j for j in scheduler.get_jobs() if j.name == search_ranking_relearn_job.name]
    assert str(job.trigger.fields[4]) == "sun"  # the day-of-week field


def test_the_weekly_job_learns_from_direct_answers_as_the_system(
    answered: list[tuple[Any, Any]], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    encoder = FakeEncoder()
    monkeypatch.setattr(dense, "available", lambda: True)
    monkeypatch.setattr(dense, "default_encoder", lambda: encoder)
    # Six orders stand in for the 30 pairs a real learning needs.
    monkeypatch.setattr(learned, "MIN_PAIRS", len(TOPICS))
    # Whether a version beats the hybrid is the knowledge app's decision, tested there.
    monkeypatch.setattr(ranking_services, "gains", lambda info: True)
    with override_settings(HONGMIAN_KNOWLEDGE_DENSE=True):
        ArticleUsage.objects.filter(order_ref=answered[0][1].number).delete()
        skipped = search_ranking_relearn_job.enqueue().return_value
        assert (skipped["learned"], skipped["reason"]) == (False, "too_few_pairs")
        assert not SearchRanking.objects.exists()

        article, order = answered[0]
        ArticleUsage.objects.create(article=article, revision=1, order_ref=order.number)
        summary = search_ranking_relearn_job.enqueue().return_value
    assert (summary["learned"], summary["version"]) == (True, 1)
    record = SearchRanking.objects.get(is_active=True)
    assert (record.source, record.pairs) == ("usage", len(TOPICS))
    labels = AuditEvent.objects.filter(action__startswith="search_ranking.").values_list(
        "actor_label", flat=True
    )
    assert set(labels) == {"system:search-ranking-learn"}
