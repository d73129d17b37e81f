"""A deep page reads its ids first, then its rows (`queues.queue_rows`, decision 0051): the
rows and their order are those of one sliced query, for every sort, on the lists and the
JSON API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hongmian.hotline import queues
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.queues import SORTS, queue_rows, queue_sort
from hongmian.hotline.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders() -> None:
    now = timezone.now()
    for i in range(12):
        order = WorkOrderFactory(replied=i % 2 == 0, district_code="440106000")
        # Ties on every time, so that the id decides between them.
        WorkOrder.objects.filter(pk=order.pk).update(
            created_at=now - dt.timedelta(hours=i // 3),
            replied_at=None if i % 2 else now - dt.timedelta(hours=i // 4),
        )


def test_a_deep_page_is_the_same_rows_in_the_same_order(monkeypatch, orders) -> None:
    monkeypatch.setattr(queues, "DEEP_PAGE_ROWS", 2)
    base = WorkOrder.objects.select_related("category", "lead_unit")
    for sort in SORTS:
        rows = queue_sort(base, sort)
        every = [o.pk for o in rows]
        for start in (0, 2, 5, 10, 12, 20):
            got = queue_rows(rows, start, 4)
            assert [o.pk for o in got] == every[start : start + 4], (sort, start)
    # Two statements from the deep offset on, and the joined rows still joined.
    with CaptureQueriesContext(connection) as ctx:
        got = queue_rows(queue_sort(base, "-received"), 5, 4)
        assert all(o.lead_unit is not None or o.lead_unit_id is None for o in got)
    assert len(ctx.captured_queries) == 2


def test_the_apis_deep_page_is_the_same_rows(client, agent, monkeypatch, orders) -> None:
    client.force_login(agent)
    url = "/api/hotline/work-orders"
    every = [o["number"] for o in client.get(url, {"per_page": 50}).json()["items"]]
    assert len(every) == 12
    monkeypatch.setattr(queues, "DEEP_PAGE_ROWS", 2)
    for page in (1, 2, 3):
        answer = client.get(url, {"district": "440106", "per_page": 5, "page": page}).json()
        assert answer["total"] == 12
        assert [o["number"] for o in answer["items"]] == every[(page - 1) * 5 : page * 5]
