"""A `q` found in many orders (decision 0051): its page walks the list's own order with the
substring test alone, and on 工单查询 its true count comes after the page (`?count=1`).
Whatever the path, the rows of every page are those of the plain substring search."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hongmian.hotline import queues
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.queues import QueueFilter, queue_apply, queue_page
from hongmian.hotline.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("hotline:search")


@pytest.fixture
def small_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    # Three orders make a word common and a walk stops after four rows, so that a handful
    # of orders takes every path. SQLite has no bigram index: there the choice is forced
    # as PostgreSQL's would be, so both databases run the same paths.
    monkeypatch.setattr(queues, "TEXT_PROBE", 3)
    monkeypatch.setattr(queues, "TEXT_WALK_MAX_ROWS", 4)
    if connection.vendor != "postgresql":
        monkeypatch.setattr(queues, "text_index_used", lambda q, *, using: len(q) >= 2)


@pytest.fixture
def orders() -> list[WorkOrder]:
    start = timezone.now() - dt.timedelta(days=1)
    made = []
    for i in range(10):
        # Five have 油烟扰民 (1, 2, 5, 7, 8); the first has 扰民 in its text only.
        title = "油烟扰民" if i % 3 and i != 4 else "路灯不亮"
        order = WorkOrderFactory(title=title, content="请核实。", assignments=False)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=start + dt.timedelta(minutes=i))
        made.append(order)
    WorkOrder.objects.filter(pk=made[0].pk).update(content="楼下扰民")
    return made


def expected(q: str) -> list[int]:
    rows = WorkOrder.objects.filter(title__icontains=q) | WorkOrder.objects.filter(
        content__icontains=q
    )
    return list(rows.order_by("-created_at", "-id").values_list("pk", flat=True))


def page_of(q: str, page: int, *, count_later: bool) -> queues.QueuePage:
    wanted = QueueFilter(q=q, page=page, per_page=2)
    now = timezone.now()
    base = WorkOrder.objects.all()
    return queue_page(
        queue_apply(base, wanted, now=now),
        wanted,
        unindexed=lambda: queue_apply(base, wanted, now=now, text_index=False),
        count_later=count_later,
    )


def test_a_common_words_pages_are_the_substring_searchs_pages(small_probe, orders) -> None:
    want = expected("油烟扰民")
    assert len(want) == 5
    for number in (1, 2, 3):  # walked (1, 2), then the index (3: past four rows)
        counted = page_of("油烟扰民", number, count_later=False)
        assert not counted.counting
        assert counted.count == 5
        assert [o.pk for o in counted.items] == want[(number - 1) * 2 : number * 2]
        later = page_of("油烟扰民", number, count_later=True)
        assert later.counting
        assert [o.pk for o in later.items] == want[(number - 1) * 2 : number * 2]
        assert later.has_next == (number < 3)
    # Past the end: counted after all, and the last page shown.
    past = page_of("油烟扰民", 9, count_later=True)
    assert (past.counting, past.count, past.number) == (False, 5, 3)
    assert [o.pk for o in past.items] == want[4:]


def test_a_word_under_the_probe_is_counted_with_its_page(small_probe, orders) -> None:
    page = page_of("楼下", 1, count_later=True)
    assert (page.counting, page.count) == (False, 1)
    assert [o.pk for o in page.items] == [orders[0].pk]
    assert page_of("不在这里", 1, count_later=True).count == 0


def test_the_search_page_says_it_is_counting_then_the_count_arrives(
    client, agent, small_probe, orders
) -> None:
    client.force_login(agent)
    html = client.get(SEARCH, {"q": "油烟扰民"}).content.decode()
    assert re.findall(r'<tr data-order="([^"]+)"', html) == [
        WorkOrder.objects.get(pk=pk).number for pk in expected("油烟扰民")
    ]
    assert html.count('data-counting="1"') == 2
    assert "正在计数…" in html
    assert "data-count=" not in html
    found = re.search(r'hx-get="([^"]+)" hx-trigger="load" hx-swap="none"', html)
    assert found
    url = unescape(found.group(1))
    assert url == f"{SEARCH}?q=%E6%B2%B9%E7%83%9F%E6%89%B0%E6%B0%91&count=1"
    fragment = client.get(url)
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert text.count('hx-swap-oob="true"') == 2
    assert 'id="pager-top"' in text
    assert 'id="pager-bottom"' in text
    assert text.count('data-count="5"') == 2
    assert "正在计数" not in text
    # A rare word is counted with its page, as before.
    rare = client.get(SEARCH, {"q": "楼下"}).content.decode()
    assert 'data-count="1"' in rare
    assert "data-counting" not in rare
    assert "count=1" not in rare


def test_the_count_fragment_keeps_the_filter_and_the_page(client, agent, orders) -> None:
    client.force_login(agent)
    text = client.get(SEARCH, {"q": "扰民", "per_page": "20", "page": "5", "count": "1"})
    body = text.content.decode()
    # 5 with 油烟扰民 and 1 with 扰民 in its text; page 5 of one page is page 1.
    assert body.count('data-count="6"') == 2
    assert 'data-page="1"' in body
