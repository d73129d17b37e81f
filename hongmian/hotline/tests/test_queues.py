"""The one queue piece (hotline/queues.py): reading the contract's parameters (bad values are
coded problems, never exceptions), each filter, each sort, the true count and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.queues import (
    QueueFilter,
    category_and_below,
    queue_apply,
    queue_filter_parse,
    queue_page,
)
from hongmian.hotline.states import ClockKind, Satisfaction, Status
from hongmian.hotline.tests.factories import (
    AssignmentFactory,
    CategoryFactory,
    SlaClockFactory,
    WorkOrderFactory,
)
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def parse(query: str) -> tuple[QueueFilter, list[str]]:
    wanted, problems = queue_filter_parse(QueryDict(query))
    return wanted, [p.code for p in problems]


def numbers(orders) -> list[str]:
    return [o.number for o in orders]


def apply(query: str, *, now: dt.datetime | None = None, **kwargs) -> list[str]:
    wanted, problems = parse(query)
    assert problems == []
    return numbers(
        queue_apply(WorkOrder.objects.all(), wanted, now=now or timezone.now(), **kwargs)
    )


# --- parsing ---------------------------------------------------------------------------------


def test_an_empty_query_asks_for_nothing() -> None:
    wanted, problems = parse("")
    assert wanted == QueueFilter()
    assert problems == []
    assert not wanted.filtered
    assert wanted.query_string() == ""


def test_every_contract_parameter_is_read(db) -> None:
    category = CategoryFactory()
    unit = OrgUnitFactory()
    wanted, problems = parse(
        f"q=路灯&status=open&status=replied&category={category.pk}&district=440106"
        f"&unit={unit.pk}&light=red&overdue=1&tag=enterprise&tag=emergency"
        "&from=2026-01-01&to=2026-01-31&satisfaction=dissatisfied&sort=lateness&page=3"
        "&per_page=20"
    )
    assert problems == []
    assert wanted == QueueFilter(
        q="路灯",
        statuses=("open", "replied"),
        category=category.pk,
        district="440106000",  # the contract's 6 digits are the division's 9
        unit=unit.pk,
        light="red",
        overdue=True,
        tags=("enterprise", "emergency"),
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 1, 31),
        satisfaction="dissatisfied",
        sort="lateness",
        page=3,
        per_page=20,
    )
    # The canonical form reads back as the same filter.
    again, problems = parse(wanted.query_string()[1:])
    assert again == wanted
    assert problems == []
    assert wanted.status_values() == {str(s) for s in Status} - {"closed", "merged", "archived"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("status=nonsense", "queue.status"),
        ("category=abc", "queue.category"),
        ("category=999999", "queue.category"),
        ("category=99999999999999999999999", "queue.category"),
        ("district=tianhe", "queue.district"),
        ("district=44010", "queue.district"),
        ("unit=-1", "queue.unit"),
        ("unit=424242", "queue.unit"),
        ("light=blue", "queue.light"),
        ("overdue=yes", "queue.overdue"),
        ("tag=vip", "queue.tag"),
        ("from=2026-13-01", "queue.from"),
        ("to=yesterday", "queue.to"),
        ("from=2026-02-01&to=2026-01-01", "queue.date_range"),
        ("satisfaction=happy", "queue.satisfaction"),
        ("sort=price", "queue.sort"),
        ("page=0", "queue.page"),
        ("page=x", "queue.page"),
        ("page=99999999999", "queue.page"),
        ("per_page=7", "queue.per_page"),
        ("per_page=100000000000000000000", "queue.per_page"),
        ("q=" + "长" * 101, "queue.q"),
        ("q=a%00b", "queue.q"),  # a NUL: PostgreSQL cannot compare it (a 500, decision 0046)
        ("page=²", "queue.page"),  # str.isdigit() says yes
        ("unit=①", "queue.unit"),
        ("page=１", "queue.page"),  # a full-width digit is not a page number
    ],
)
def test_a_bad_value_is_a_coded_problem_and_is_left_out(query: str, code: str) -> None:
    wanted, problems = parse(query + "&tag=enterprise")
    assert problems == [code]
    # The rest of the filter still stands.
    assert wanted.tags == ("enterprise",)


def test_a_list_may_narrow_the_sorts() -> None:
    wanted, problems = queue_filter_parse(QueryDict("sort=deadline"), sorts=("-received",))
    assert wanted.sort == ""
    assert [p.code for p in problems] == ["queue.sort"]


# --- filters ---------------------------------------------------------------------------------


def test_status_and_status_groups() -> None:
    WorkOrderFactory(number="R")
    WorkOrderFactory(number="D", dispatched=True)
    WorkOrderFactory(number="P", replied=True)
    WorkOrderFactory(number="C", status=Status.CLOSED)
    assert sorted(apply("status=received")) == ["R"]
    assert sorted(apply("status=received&status=replied")) == ["P", "R"]
    assert sorted(apply("status=with_unit")) == ["D"]
    assert sorted(apply("status=open")) == ["D", "P", "R"]
    assert sorted(apply("status=finished")) == ["C"]


def test_a_category_includes_everything_below_it() -> None:
    top = CategoryFactory(level=1, parent=None)
    middle = CategoryFactory(level=2, parent=top)
    leaf = CategoryFactory(level=3, parent=middle)
    other = CategoryFactory(level=1, parent=None)
    WorkOrderFactory(number="LEAF", category=leaf)
    WorkOrderFactory(number="MID", category=middle)
    WorkOrderFactory(number="OTHER", category=other)
    assert sorted(category_and_below(top.pk)) == sorted([top.pk, middle.pk, leaf.pk])
    assert sorted(apply(f"category={top.pk}")) == ["LEAF", "MID"]
    assert sorted(apply(f"category={middle.pk}")) == ["LEAF", "MID"]
    assert apply(f"category={leaf.pk}") == ["LEAF"]


def test_district_unit_tags_satisfaction() -> None:
    unit, elsewhere = OrgUnitFactory(), OrgUnitFactory()
    WorkOrderFactory(number="A", district_code="440106000", is_enterprise=True)
    WorkOrderFactory(number="B", district_code="440104000", is_emergency=True, is_enterprise=True)
    held = WorkOrderFactory(number="U", satisfaction=Satisfaction.DISSATISFIED)
    AssignmentFactory(order=held, unit=unit)
    gone = WorkOrderFactory(number="W")
    AssignmentFactory(order=gone, unit=unit, status="withdrawn")
    AssignmentFactory(order=gone, unit=elsewhere)
    assert sorted(apply("district=440104")) == ["B"]
    assert sorted(apply("district=440104000")) == ["B"]
    assert sorted(apply("tag=enterprise")) == ["A", "B"]
    assert sorted(apply("tag=enterprise&tag=emergency")) == ["B"]
    # An assignment withdrawn from the unit is no longer the unit's.
    assert apply(f"unit={unit.pk}") == ["U"]
    assert apply(f"unit={elsewhere.pk}") == ["W"]
    assert apply("satisfaction=dissatisfied") == ["U"]


def test_the_date_range_is_the_received_day_in_shanghai() -> None:
    # 2026-03-01 00:30 in Shanghai is still 2026-02-28 in UTC: it belongs to March 1st.
    early = WorkOrderFactory(number="EARLY")
    late = WorkOrderFactory(number="LATE")
    before = WorkOrderFactory(number="BEFORE")
    WorkOrder.objects.filter(pk=early.pk).update(
        created_at=dt.datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI)
    )
    WorkOrder.objects.filter(pk=late.pk).update(
        created_at=dt.datetime(2026, 3, 1, 23, 59, tzinfo=SHANGHAI)
    )
    WorkOrder.objects.filter(pk=before.pk).update(
        created_at=dt.datetime(2026, 2, 28, 23, 59, tzinfo=SHANGHAI)
    )
    assert sorted(apply("from=2026-03-01&to=2026-03-01")) == ["EARLY", "LATE"]
    assert sorted(apply("to=2026-02-28")) == ["BEFORE"]
    assert sorted(apply("from=2026-03-01")) == ["EARLY", "LATE"]


def _clock(order, *, kind=ClockKind.RESOLUTION, due: dt.timedelta, yellow: dt.timedelta, **kw):
    now = timezone.now()
    return SlaClockFactory(order=order, kind=kind, due_at=now + due, yellow_at=now + yellow, **kw)


def test_lights_and_overdue() -> None:
    hour = dt.timedelta(hours=1)
    red = WorkOrderFactory(number="RED", dispatched=True)
    _clock(red, due=-hour, yellow=-3 * hour)
    _clock(red, kind=ClockKind.ACKNOWLEDGE, due=5 * hour, yellow=4 * hour)
    yellow = WorkOrderFactory(number="YELLOW", dispatched=True)
    _clock(yellow, due=hour, yellow=-hour)
    green = WorkOrderFactory(number="GREEN", dispatched=True)
    _clock(green, due=5 * hour, yellow=4 * hour)
    met = WorkOrderFactory(number="MET", replied=True)
    _clock(met, due=-hour, yellow=-2 * hour, stopped_at=timezone.now() - 2 * hour)
    late = WorkOrderFactory(number="LATE", replied=True)
    _clock(late, due=-3 * hour, yellow=-4 * hour, stopped_at=timezone.now() - hour)
    WorkOrderFactory(number="NONE")
    assert apply("light=red") == ["RED"]
    assert apply("overdue=1") == ["RED"]
    assert apply("light=yellow") == ["YELLOW"]
    assert apply("light=green") == ["GREEN"]
    assert apply("light=met") == ["MET"]
    assert apply("light=met_late") == ["LATE"]
    # `overdue=0` asks for nothing in particular.
    assert len(apply("overdue=0")) == 6


def test_mine_is_the_readers_assignments_still_in_hand() -> None:
    me, other = UserFactory(), UserFactory()
    mine = WorkOrderFactory(number="MINE")
    AssignmentFactory(order=mine, handler=me)
    theirs = WorkOrderFactory(number="THEIRS")
    AssignmentFactory(order=theirs, handler=other)
    done = WorkOrderFactory(number="DONE")
    AssignmentFactory(order=done, handler=me, status="replied")
    assert apply("mine=1", user=me) == ["MINE"]


def test_q_and_the_centres_caller_search() -> None:
    WorkOrderFactory(number="GZ-1", title="华师路路灯不亮", caller_phone="13900000001")
    WorkOrderFactory(number="GZ-2", title="噪音", address="天河区体育西路1号")
    assert apply("q=路灯") == ["GZ-1"]
    assert apply("q=13900000001") == []
    assert apply("q=13900000001", search_caller=True) == ["GZ-1"]
    assert apply("q=体育西路", search_caller=True) == ["GZ-2"]
    assert apply("q=体育西路") == []
    # A whole number finds that order through the unique index.
    WorkOrderFactory(number="GZ-10", title="编号 GZ-1 的后续")
    assert apply("q=GZ-1") == ["GZ-1"]
    assert sorted(apply("q=GZ-")) == ["GZ-1", "GZ-10", "GZ-2"]


# --- sorts -----------------------------------------------------------------------------------


def test_each_sort() -> None:
    hour = dt.timedelta(hours=1)
    now = timezone.now()
    a = WorkOrderFactory(number="A", dispatched=True)
    b = WorkOrderFactory(number="B", dispatched=True)
    c = WorkOrderFactory(number="C")
    WorkOrder.objects.filter(pk=a.pk).update(
        created_at=now - 3 * hour, dispatched_at=now - 2 * hour, replied_at=now - hour
    )
    WorkOrder.objects.filter(pk=b.pk).update(
        created_at=now - 2 * hour, dispatched_at=now - 3 * hour, replied_at=now - 2 * hour
    )
    WorkOrder.objects.filter(pk=c.pk).update(created_at=now - hour)
    # A's resolution deadline is nearer; B's acknowledge clock is later than A's resolution,
    # but B has a running acknowledge clock that is past due: the most late.
    _clock(a, due=hour, yellow=0 * hour)
    _clock(b, due=5 * hour, yellow=4 * hour)
    _clock(b, kind=ClockKind.ACKNOWLEDGE, due=-hour, yellow=-2 * hour)
    assert apply("sort=deadline") == ["A", "B", "C"]  # no running clock: last
    assert apply("sort=lateness") == ["B", "A", "C"]
    assert apply("sort=age") == ["B", "A", "C"]  # longest in a unit's hands first
    assert apply("sort=-received") == ["C", "B", "A"]
    assert apply("sort=received") == ["A", "B", "C"]
    assert apply("sort=replied") == ["B", "A", "C"]
    assert apply("sort=-replied") == ["A", "B", "C"]
    assert apply("") == ["C", "B", "A"]  # newest first unless the list says otherwise
    assert apply("", default_sort="received") == ["A", "B", "C"]


# --- count and pages -------------------------------------------------------------------------


def test_the_count_is_true_and_pages_neither_overlap_nor_skip(django_assert_num_queries) -> None:
    WorkOrderFactory.create_batch(45, assignments=False)
    seen: list[str] = []
    for page in (1, 2, 3):
        wanted, _ = parse(f"per_page=20&page={page}")
        orders = queue_apply(WorkOrder.objects.all(), wanted, now=timezone.now())
        with django_assert_num_queries(2):  # one COUNT, one page
            shown = queue_page(orders, wanted)
        assert shown.count == 45
        assert shown.num_pages == 3
        assert shown.number == page
        seen += numbers(shown.items)
    assert len(seen) == 45 == len(set(seen))
    assert shown.start_index == 41
    assert shown.end_index == 45
    assert not shown.has_next
    assert shown.has_previous
    assert shown.links == {"first": "?per_page=20", "prev": "?per_page=20&page=2"}


def test_a_page_past_the_end_shows_the_last_and_an_empty_list_shows_page_one() -> None:
    WorkOrderFactory.create_batch(3, assignments=False)
    wanted, _ = parse("per_page=20&page=9")
    shown = queue_page(WorkOrder.objects.order_by("id"), wanted)
    assert shown.number == 1
    assert len(shown.items) == 3
    assert shown.wanted.page == 1
    empty = queue_page(WorkOrder.objects.none(), QueueFilter())
    assert (empty.count, empty.number, empty.num_pages, empty.items) == (0, 1, 1, [])
    assert (empty.start_index, empty.end_index) == (0, 0)


def test_the_window_of_page_links() -> None:
    from hongmian.hotline.queues import QueuePage

    page = QueuePage([], count=1000, number=10, per_page=20)
    assert page.num_pages == 50
    assert page.window() == [1, None, 8, 9, 10, 11, 12, None, 50]
    assert QueuePage([], count=60, number=1, per_page=20).window() == [1, 2, 3]
    assert page.end_index == 200
