"""Every list screen through the Django client: the board's sections and counters, the
callback queue, the inbox (with 我的 and the views' tabs), 工单查询 and 我的诉求 show the
true count, page, sort and filter with the queue contract; a bad parameter is a message on
the page (400), never a 500; the queries of a page do not grow with its rows."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hongmian.hotline.models import Assignment, SavedView, SlaClock, WorkOrder
from hongmian.hotline.states import ClockKind, Status
from hongmian.hotline.tests.factories import SlaClockFactory, WorkOrderFactory
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOARD = reverse("hotline:board")
CALLBACKS = reverse("hotline:callbacks")
SEARCH = reverse("hotline:search")
INBOX = reverse("hotline:inbox")
MINE = reverse("hotline:mine")


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-order="([^"]+)"', html)


def count_of(html: str) -> int:
    """The pager's true count (data-count of the first pager)."""
    return int(re.search(r'class="pager"[^>]*data-count="(\d+)"', html).group(1))


def count_url(html: str, key: str) -> str:
    """The URL a whole board's section fetches its count from, once the page has loaded."""
    found = re.search(rf'id="count-{key}" aria-hidden="true" hx-get="([^"]+)"', html)
    assert found, f"no pending count for {key}"
    return unescape(found.group(1))


def overdue_orders(n: int, unit=None) -> list[WorkOrder]:
    now = timezone.now()
    orders = []
    for i in range(n):
        order = (
            WorkOrderFactory(dispatched=True, lead_unit=unit)
            if unit
            else WorkOrderFactory(dispatched=True)
        )
        WorkOrder.objects.filter(pk=order.pk).update(dispatched_at=now - dt.timedelta(hours=i + 2))
        SlaClockFactory(
            order=order,
            started_at=now - dt.timedelta(days=3),
            yellow_at=now - dt.timedelta(hours=5),
            due_at=now - dt.timedelta(hours=1, minutes=i),
        )
        orders.append(order)
    return orders


# --- the board ---------------------------------------------------------------------------------


def test_the_boards_counters_are_true_and_a_section_pages(client, supervisor) -> None:
    overdue_orders(55)
    client.force_login(supervisor)
    html = client.get(BOARD).content.decode()
    # The whole board shows each section's head only; its count arrives after the page.
    assert len(rows(html)) == 10
    assert '<div id="more-overdue"></div>' in html
    counted = client.get(count_url(html, "overdue")).content.decode()
    # The counter says 55, not 50, and the way to all of them comes with it.
    assert '<span class="count" id="count-overdue">55</span>' in counted
    assert 'data-section="overdue" data-count="55"' in counted
    assert "查看全部已超时（共 55 张）" in counted

    first = client.get(BOARD, {"section": "overdue"}).content.decode()
    assert count_of(first) == 55
    assert len(rows(first)) == 50
    second = client.get(BOARD, {"section": "overdue", "page": 2}).content.decode()
    assert len(rows(second)) == 5
    assert not set(rows(first)) & set(rows(second))
    # Longest in the unit's hands first by default; by deadline on request.
    by_age = rows(first)
    assert by_age == [
        o.number for o in WorkOrder.objects.order_by("dispatched_at", "created_at", "id")[:50]
    ]
    by_deadline = rows(
        client.get(BOARD, {"section": "overdue", "sort": "deadline"}).content.decode()
    )
    due = SlaClock.objects.filter(kind=ClockKind.RESOLUTION).order_by("due_at", "order_id")
    assert by_deadline == [c.order.number for c in due[:50]]


def test_a_filter_narrows_every_board_section(client, supervisor) -> None:
    late = overdue_orders(3)
    WorkOrder.objects.filter(pk=late[0].pk).update(district_code="440104000")
    WorkOrderFactory(replied=True, district_code="440104000")
    WorkOrderFactory(replied=True, district_code="440106000")
    client.force_login(supervisor)
    html = client.get(BOARD, {"district": "440104"}).content.decode()
    for key in ("overdue", "callbacks"):
        counted = client.get(count_url(html, key)).content.decode()
        assert f'<span class="count" id="count-{key}">1</span>' in counted
        assert "district=440104" in counted  # the link to the section keeps the filter


def test_the_callback_queue_pages_and_sorts(client, supervisor) -> None:
    now = timezone.now()
    for i in range(60):
        order = WorkOrderFactory(replied=True)
        WorkOrder.objects.filter(pk=order.pk).update(replied_at=now - dt.timedelta(hours=i))
    client.force_login(supervisor)
    first = client.get(CALLBACKS).content.decode()
    assert count_of(first) == 60
    assert len(rows(first)) == 50
    oldest = list(WorkOrder.objects.order_by("replied_at").values_list("number", flat=True))
    assert rows(first) == oldest[:50]
    last = client.get(CALLBACKS, {"page": 2}).content.decode()
    assert rows(last) == oldest[50:]
    assert 'rel="first"' in last
    assert 'rel="next"' not in last
    newest = client.get(CALLBACKS, {"sort": "-replied", "per_page": 20}).content.decode()
    assert rows(newest) == oldest[::-1][:20]
    assert 'data-pages="3"' in newest


def test_a_bad_parameter_is_a_message_on_the_page(client, supervisor) -> None:
    overdue_orders(2)
    client.force_login(supervisor)
    for url in (BOARD, CALLBACKS):
        response = client.get(url, {"light": "purple", "page": "-3", "category": "x' OR 1=1"})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="queue-problems"' in html
        for code in ("queue.light", "queue.page", "queue.category"):
            assert f'data-code="{code}"' in html


# --- 工单查询 -------------------------------------------------------------------------------------


def test_search_shows_the_true_count_pages_and_the_centres_tabs(client, agent) -> None:
    WorkOrderFactory.create_batch(70, assignments=False)
    WorkOrderFactory.create_batch(3, replied=True)
    client.force_login(agent)
    html = client.get(SEARCH).content.decode()
    assert count_of(html) == 73
    assert len(rows(html)) == 50
    # The page draws its tabs at once and fetches their counts after it loads.
    assert 'class="count"' not in html.split('class="queue-views"')[1].split("</nav>")[0]
    assert 'hx-get="/hotline/search/?tabs=1" hx-trigger="load"' in html
    tabs = client.get(SEARCH, {"tabs": "1"}).content.decode()
    assert tabs.lstrip().startswith('<nav class="queue-views"')
    assert "hx-get" not in tabs
    assert re.search(r'data-view="to_dispatch">待派单 <span class="count">70</span>', tabs)
    assert re.search(r'data-view="to_call_back">待回访 <span class="count">3</span>', tabs)
    assert re.search(r'data-view="all" aria-current="page">全部', tabs)
    # The fragment keeps the page's filter (which tab is current) and asks for no page.
    fragment = client.get(SEARCH, {"status": "received", "page": "2", "tabs": "1"})
    assert re.search(r'data-view="to_dispatch" aria-current="page"', fragment.content.decode())
    assert (
        'hx-get="/hotline/search/?status=received&amp;page=2&amp;tabs=1"'
        in client.get(SEARCH, {"status": "received", "page": "2"}).content.decode()
    )
    replied = client.get(SEARCH, {"status": "replied", "sort": "replied"}).content.decode()
    assert count_of(replied) == 3
    assert re.search(r'data-view="to_call_back" aria-current="page"', replied)
    deep = client.get(SEARCH, {"page": 2, "per_page": 20}).content.decode()
    assert len(rows(deep)) == 20
    assert 'aria-current="page" href="/hotline/search/?per_page=20&amp;page=2"' in deep


def test_a_unit_searches_its_own_orders_without_the_centres_tabs(
    client, units, shipai_handler
) -> None:
    WorkOrderFactory.create_batch(3, dispatched=True, lead_unit=units.shipai)
    WorkOrderFactory.create_batch(2, dispatched=True, lead_unit=units.yuexiu)
    client.force_login(shipai_handler)
    html = client.get(SEARCH).content.decode()
    assert count_of(html) == 3
    assert 'data-view="to_dispatch"' not in html
    # The unit filter offers the unit's own subtree only.
    assert "越秀区人民政府" not in html.split('id="qf-unit"')[1].split("</select>")[0]
    bad = client.get(SEARCH, {"unit": "abc", "district": "x"})
    assert bad.status_code == 400
    assert count_of(bad.content.decode()) == 3


def test_saving_and_deleting_a_personal_view(client, agent) -> None:
    WorkOrderFactory.create_batch(2, assignments=False, is_enterprise=True)
    WorkOrderFactory(assignments=False)
    client.force_login(agent)
    html = client.get(SEARCH, {"tag": "enterprise"}).content.decode()
    assert "保存当前筛选为视图" in html
    response = client.post(
        reverse("hotline:saved_view_create"),
        {"queue": "search", "name": "涉企", "query": "?tag=enterprise&page=2", "next": SEARCH},
    )
    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response.url == SEARCH + "?tag=enterprise"
    html = client.get(SEARCH, {"tabs": "1"}).content.decode()
    assert re.search(rf'data-view="saved-{view.pk}">涉企 <span class="count">2</span>', html)
    # Someone else's view is not theirs to delete, and the answer does not say it exists.
    client.force_login(UserFactory(role=Role.HOTLINE_AGENT))
    client.post(reverse("hotline:saved_view_delete"), {"view": view.pk})
    assert SavedView.objects.exists()
    client.force_login(agent)
    client.post(reverse("hotline:saved_view_delete"), {"view": view.pk, "next": SEARCH})
    assert not SavedView.objects.exists()


# --- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_pages_filters_and_has_a_mine_view(client, units, shipai_handler) -> None:
    late = overdue_orders(3, unit=units.shipai)
    WorkOrderFactory.create_batch(60, dispatched=True, lead_unit=units.shipai)
    WorkOrderFactory.create_batch(2, dispatched=True, lead_unit=units.yuexiu)
    Assignment.objects.filter(order=late[0]).update(handler=shipai_handler)
    client.force_login(shipai_handler)
    html = client.get(INBOX).content.decode()
    assert count_of(html) == 63
    assert len(rows(html)) == 50
    # The most late first.
    assert rows(html)[:3] == [o.number for o in reversed(late)]
    tabs = client.get(INBOX, {"tabs": "1"}).content.decode()
    assert re.search(r'data-view="overdue">已超时 <span class="count">3</span>', tabs)
    assert re.search(r'data-view="to_acknowledge">待签收 <span class="count">63</span>', tabs)
    assert re.search(r'data-view="mine">我的 <span class="count">1</span>', tabs)
    mine = client.get(INBOX, {"mine": "1"}).content.decode()
    assert rows(mine) == [late[0].number]
    assert count_of(mine) == 1
    assert re.search(r'data-view="mine" aria-current="page"', mine)
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert len(rows(second)) == 13
    assert client.get(INBOX, {"sort": "price"}).status_code == 400


def test_the_inbox_costs_the_same_queries_for_5_rows_or_50(client, units, shipai_handler) -> None:
    client.force_login(shipai_handler)
    WorkOrderFactory.create_batch(5, dispatched=True, lead_unit=units.shipai)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    WorkOrderFactory.create_batch(45, dispatched=True, lead_unit=units.shipai)
    with CaptureQueriesContext(connection) as many:
        client.get(INBOX)
    assert len(many) == len(few)


# --- 我的诉求 -------------------------------------------------------------------------------------


def test_my_requests_are_all_there_paged_newest_first(client, citizen) -> None:
    now = timezone.now()
    for i in range(120):
        order = WorkOrderFactory(submitted_by=citizen, assignments=False)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=now - dt.timedelta(hours=i))
    WorkOrderFactory(assignments=False)  # someone else's
    client.force_login(citizen)
    first = client.get(MINE).content.decode()
    assert count_of(first) == 120
    assert len(rows(first)) == 50
    newest = list(
        WorkOrder.objects.filter(submitted_by=citizen)
        .order_by("-created_at")
        .values_list("number", flat=True)
    )
    assert rows(first) == newest[:50]
    last = client.get(MINE, {"page": 3}).content.decode()
    assert rows(last) == newest[100:]
    oldest = client.get(MINE, {"sort": "received", "per_page": 20}).content.decode()
    assert rows(oldest) == newest[::-1][:20]
    # A citizen's list sorts by date only.
    assert client.get(MINE, {"sort": "deadline"}).status_code == 400


def test_my_requests_filter_by_status(client, citizen) -> None:
    WorkOrderFactory(submitted_by=citizen, status=Status.CLOSED, assignments=False)
    WorkOrderFactory(submitted_by=citizen, assignments=False)
    client.force_login(citizen)
    html = client.get(MINE, {"status": "finished"}).content.decode()
    assert count_of(html) == 1
