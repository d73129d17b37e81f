"""The demo seed: published articles an agent can find, and idempotent."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.identity.tests.factories import OrgUnitFactory
from hongmian.knowledge import demo, selectors
from hongmian.knowledge.models import Article
from hongmian.knowledge.states import ArticleStatus


@pytest.mark.django_db
def test_seed_is_idempotent_and_searchable() -> None:
    for code in sorted({a[1] for a in demo.ARTICLES}):
        OrgUnitFactory(code=code, name=f"单位{code}")
    actor = Actor.system("seed_demo")
    demo.seed(actor=actor, progress=lambda *a: None)
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).count() == len(demo.ARTICLES)
    demo.seed(actor=actor, progress=lambda *a: None)
    assert Article.objects.count() == len(demo.ARTICLES)
    hits = selectors.article_search("社保卡丢了怎么补办", audience="public")
    assert hits[0].title == "社保卡丢失了怎么补办？"
    assert selectors.article_search("公積金租屋提取")[0].title == "租房可以提取住房公积金吗？"
    # Internal scripts reach staff only.
    staff = selectors.article_search("直接答复口径", audience="staff")
    assert staff[0].title.startswith("【内部】")
    assert all(
        not h.title.startswith("【内部】")
        for h in selectors.article_search("直接答复口径", audience="public")
    )
