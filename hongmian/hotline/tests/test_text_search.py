"""`q` asks the bigram index first on PostgreSQL (hotline/text_search.py, decision 0037): the
orders found are exactly those of the plain substring search, whatever is typed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.hotline.text_search import order_text_q

pytestmark = pytest.mark.django_db

TEXTS = [
    ("天河区石牌街道油烟扰民", "楼下餐馆油烟很大，晚上十点还在营业。", "天河区华师路1号"),
    ("油 烟", "Oil smoke from the BBQ stall, 3rd floor (Room 301).", "越秀区北京路"),
    ("路灯不亮", "电话13800138000的市民反映：路灯100%不亮_已三天。", "海珠区江南大道"),
    ("噪音", "夜间施工噪音，烟囱冒黑烟。油", "番禺区市桥街"),
    ("ＡＢＣ全角", "全角字母ＡＢＣ与半角abc", "白云区"),
]

QUERIES = [
    "油",  # one character: the plain scan
    "油烟",
    "油 烟",  # a space inside
    "烟。油",  # punctuation, across a sentence end
    "oil smoke",  # latin, another case
    "BBQ",
    "(room 301)",
    "13800138000",  # phone-like digits in the text
    "138001",
    "100%",  # LIKE's own wildcards, literally
    "不亮_",
    "_",
    "abc",
    "ｂｃ全",  # full-width letters
    "天河区华师",  # the address: the centre's search only
    "区\n油",  # never in one field
    "\n油",  # two characters, one of them the fields' separator
    "a ",
    "Ｃ全",
    "不在任何工单里",
]


def plain(q: str, *, address: bool) -> set[int]:
    text = Q(number__icontains=q) | Q(title__icontains=q) | Q(content__icontains=q)
    if address:
        text |= Q(address__icontains=q)
    return set(WorkOrder.objects.filter(text).values_list("pk", flat=True))


def found(q: str, *, address: bool) -> set[int]:
    rows = WorkOrder.objects.filter(order_text_q(q, address=address, using="default"))
    return set(rows.values_list("pk", flat=True))


@pytest.fixture
def orders() -> list[WorkOrder]:
    return [WorkOrderFactory(title=t, content=c, address=a) for t, c, a in TEXTS]


def test_the_index_finds_exactly_what_the_substring_search_finds(orders) -> None:
    for q in QUERIES:
        for address in (False, True):
            assert found(q, address=address) == plain(q, address=address), (q, address)
    assert found("油烟", address=False) == {orders[0].pk}
    assert found("油", address=False) == {orders[0].pk, orders[1].pk, orders[3].pk}
    assert found("天河区华师", address=False) == set()
    assert found("天河区华师", address=True) == {orders[0].pk}
    assert found("_", address=False) == {orders[2].pk}


def test_a_part_of_the_order_number_finds_it(orders) -> None:
    number = orders[1].number
    assert found(number[-5:], address=False) == plain(number[-5:], address=False)
    assert orders[1].pk in found(number[-5:], address=False)


def test_text_edited_after_creation_is_found_at_once(orders) -> None:
    order = orders[4]
    WorkOrder.objects.filter(pk=order.pk).update(title="井盖缺失", content="人行道井盖丢失。")
    assert found("井盖", address=False) == {order.pk}
    assert found("全角", address=False) == set()
    assert found("全角", address=False) == plain("全角", address=False)


def test_the_caller_phone_is_matched_whole_beside_the_text(orders) -> None:
    WorkOrder.objects.filter(pk=orders[3].pk).update(caller_phone="13900139000")
    rows = WorkOrder.objects.filter(
        order_text_q("13900139000", phone="13900139000", using="default")
    )
    assert set(rows.values_list("pk", flat=True)) == {orders[3].pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
def test_postgresql_asks_the_bigram_index(orders) -> None:
    sql = str(WorkOrder.objects.filter(order_text_q("油烟", using="default")).query)
    assert "hotline_order_grams(" in sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'hotline_order_text_grams'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (hotline_order_grams(" in definition
    with connection.cursor() as cursor:
        cursor.execute("SELECT hotline_text_grams(upper('ab油烟'))")
        assert sorted(cursor.fetchone()[0]) == sorted(["AB", "B油", "油烟"])
