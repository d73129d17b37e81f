"""The embedded backend's index lifecycle, outside a test transaction (as in production)."""

from __future__ import annotations

import pytest

from hongmian.knowledge import selectors, services
from hongmian.knowledge.search import get_backend
from hongmian.knowledge.search.embedded import EmbeddedBackend
from hongmian.knowledge.tests.conftest import Org, actor_of, make_article


@pytest.mark.django_db(transaction=True)
def test_index_is_kept_and_rebuilt_after_a_change(org: Org) -> None:
    first = make_article(org, title="停水查询", body="停水可拨打热线。", unit=org.water)
    backend = get_backend()
    assert isinstance(backend, EmbeddedBackend)
    assert [h.article_id for h in selectors.article_search("停水")] == [first.pk]
    kept = backend.index()
    assert backend.index() is kept  # unchanged version: the same index

    second = make_article(org, title="停水通知", body="计划停水提前公告。", unit=org.water)
    # The change committed: the old index answers while a new one is built in the background.
    selectors.article_search("停水")
    backend.wait_for_rebuild()
    assert backend.index() is not kept
    assert {h.article_id for h in selectors.article_search("停水")} == {first.pk, second.pk}

    services.article_retire(actor=actor_of(org.water_author), article=second)
    # Even before the rebuild lands, the database check hides the retired article.
    assert [h.article_id for h in selectors.article_search("停水")] == [first.pk]
    backend.wait_for_rebuild()


@pytest.mark.django_db
def test_search_is_four_queries(org: Org, django_assert_num_queries: object) -> None:
    make_article(org, title="停水查询", body="停水可拨打热线。", unit=org.water)
    make_article(org, title="停水通知", body="计划停水提前公告。", unit=org.water)
    # The first search embeds the new articles and stores their vectors (one more query).
    selectors.article_search("停水", limit=10)
    # Inside a transaction: version, the published articles with their vectors (a private
    # index), the active learned ranking (a hybrid index only), the hits. Outside one the
    # index is kept, and a search is the version and the hits.
    with django_assert_num_queries(4):  # type: ignore[operator]
        hits = selectors.article_search("停水", limit=10)
    assert len(hits) == 2
