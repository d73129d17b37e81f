"""The queues in real Chromium, as their users work them: the supervisor's callback queue
shows its true count, pages to page 2 and to the last page, sorts and filters; a unit's
manager names a handler from the inbox and the handler finds it under 我的, then takes
another (领取)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.hotline.models import Assignment, WorkOrder
from hongmian.hotline.tests.factories import CategoryFactory, SlaClockFactory, WorkOrderFactory
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.insights.services.duplicates import duplicate_scan
from tests.browser.conftest import PASSWORD
from tests.browser.test_shell import _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _units() -> tuple[OrgUnit, OrgUnit]:
    city = OrgUnit.objects.create(
        code="Q-GZ", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT, path="/q/"
    )
    centre = OrgUnit.objects.create(
        code="Q-12345",
        name="12345热线中心",
        kind=UnitKind.HOTLINE_CENTRE,
        parent=city,
        path="/q/c/",
        depth=1,
    )
    street = OrgUnit.objects.create(
        code="Q-SP",
        name="石牌街道办事处",
        kind=UnitKind.STREET,
        parent=city,
        path="/q/sp/",
        depth=1,
    )
    return centre, street


def _user(username: str, role: Role, unit: OrgUnit, name: str = "") -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, org_unit=unit, display_name=name
    )


def _pager_count(page) -> int:
    return int(page.locator("nav.pager").first.get_attribute("data-count"))


def _rows(page) -> list[str]:
    return page.locator("tr[data-order]").evaluate_all("rows => rows.map(r => r.dataset.order)")


def test_the_callback_queue_counts_pages_sorts_and_filters(page, log_in) -> None:
    centre, street = _units()
    _user("q-supervisor", Role.HOTLINE_SUPERVISOR, centre, "督办员老王")
    now = timezone.now()
    for i in range(125):
        order = WorkOrderFactory(
            replied=True,
            lead_unit=street,
            # Every fifth in 越秀区: the district filter finds 25.
            district_code="440104000" if i % 5 == 0 else "440106000",
        )
        WorkOrder.objects.filter(pk=order.pk).update(replied_at=now - dt.timedelta(minutes=i))
    oldest_first = list(WorkOrder.objects.order_by("replied_at").values_list("number", flat=True))

    log_in("q-supervisor")
    page.goto("/hotline/board/callbacks/")
    # The true count, not the first 50.
    assert _pager_count(page) == 125
    assert page.get_by_text(re.compile(r"共\s*125\s*张")).first.is_visible()
    assert _rows(page) == oldest_first[:50]

    page.get_by_role("link", name="下一页").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    assert _rows(page) == oldest_first[50:100]
    page.get_by_role("link", name="末页").first.click()
    page.wait_for_url(re.compile(r"page=3"))
    assert _rows(page) == oldest_first[100:]
    assert page.get_by_role("link", name="下一页").count() == 0
    _screenshot(page, "queues-callbacks-last-page")

    page.get_by_label("排序", exact=True).select_option("-replied")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"sort=-replied"))
    assert _rows(page) == oldest_first[::-1][:50]

    page.get_by_label("区", exact=True).select_option(label="越秀区")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"district=440104000"))
    assert _pager_count(page) == 25
    assert page.get_by_role("link", name="下一页").count() == 0

    # A hand-typed bad value: a message on the page, the rest of the filter kept.
    page.goto("/hotline/board/callbacks/?district=440104&light=purple")
    problems = page.locator("#queue-problems")
    assert problems.is_visible()
    assert "时限灯号" in problems.inner_text()
    assert _pager_count(page) == 25


def test_a_manager_names_a_handler_who_finds_it_under_mine(page, log_in) -> None:
    _centre, street = _units()
    _user("q-manager", Role.DEPT_MANAGER, street, "李科长")
    _user("q-zhang", Role.DEPT_HANDLER, street, "张三")
    now = timezone.now()
    orders = []
    for i in range(3):
        order = WorkOrderFactory(dispatched=True, lead_unit=street, title=f"华师路路灯不亮{i}")
        SlaClockFactory(
            order=order,
            started_at=now - dt.timedelta(days=1),
            yellow_at=now + dt.timedelta(hours=10 + i),
            due_at=now + dt.timedelta(hours=20 + i),
        )
        orders.append(order)

    log_in("q-manager")
    page.goto("/hotline/inbox/")
    mine_tab = page.locator('a[data-view="mine"] .count')
    assert mine_tab.inner_text() == "0"
    row = page.locator(f'tr[data-order="{orders[0].number}"]')
    row.get_by_label(f"{orders[0].number} 的经办人").select_option(label="张三")
    row.get_by_role("button", name=re.compile("指派")).click()
    page.wait_for_load_state()
    assert page.get_by_text(f"工单 {orders[0].number} 的经办人：张三。").is_visible()
    named = page.locator(f'tr[data-order="{orders[0].number}"] .handler__name')
    assert named.inner_text() == "张三"
    _screenshot(page, "queues-inbox-handler")

    log_in("q-zhang", switching=True)
    page.goto("/hotline/inbox/")
    assert page.locator('a[data-view="mine"] .count').inner_text() == "1"
    page.locator('a[data-view="mine"]').click()
    page.wait_for_url(re.compile(r"mine=1"))
    assert _rows(page) == [orders[0].number]

    # Back to everything: take (领取) another one; 我的 now counts two.
    page.locator('a[data-view="all"]').click()
    page.locator(f'tr[data-order="{orders[1].number}"]').get_by_role(
        "button", name=re.compile("领取")
    ).click()
    page.wait_for_load_state()
    assert page.locator('a[data-view="mine"] .count').inner_text() == "2"
    taken = Assignment.objects.get(order=orders[1], role="lead")
    assert taken.handler.username == "q-zhang"


def test_the_whole_boards_counts_and_duplicates_arrive_after_the_page(page, log_in) -> None:
    """The whole board draws each section's first rows at once; its counts and the
    duplicate panel arrive by htmx (decision 0037) and say what the database says."""
    centre, street = _units()
    _user("q-board", Role.HOTLINE_SUPERVISOR, centre, "督办员老王")
    now = timezone.now()
    for i in range(12):
        order = WorkOrderFactory(dispatched=True, lead_unit=street)
        WorkOrder.objects.filter(pk=order.pk).update(dispatched_at=now - dt.timedelta(hours=i))
        SlaClockFactory(
            order=order,
            started_at=now - dt.timedelta(days=3),
            yellow_at=now - dt.timedelta(hours=5),
            due_at=now - dt.timedelta(hours=1),
        )
    for _ in range(3):
        WorkOrderFactory(replied=True, lead_unit=street)
    manholes = CategoryFactory(name="井盖")
    twins = [
        WorkOrderFactory(
            category=manholes, title="华师路井盖缺失", content="华师路口井盖缺失，很危险。"
        )
        for _ in range(2)
    ]
    # The panel reads the groups the periodic job stored (decision 0049): run it once.
    duplicate_scan(actor=Actor.system("duplicate-scan"))

    log_in("q-board")
    page.goto("/hotline/board/")

    def count(key: str, timeout: float = 10_000) -> str:
        # The pending "…" becomes a counted span when its fragment has arrived.
        arrived = page.locator(f"#count-{key}.count")
        arrived.wait_for(timeout=timeout)
        return arrived.inner_text()

    assert count("overdue") == "12"
    assert count("callbacks") == "3"
    assert count("returns") == "0"
    more = page.get_by_role("link", name="查看全部已超时（共 12 张）")
    assert more.is_visible()
    assert page.locator("#overdue tr[data-order]").count() == 10  # the head, not all 12
    # The duplicate panel replaces its placeholder when scrolled into view, with the stored
    # groups and when they were computed; its count is the groups it shows.
    page.locator("#merges").scroll_into_view_if_needed()
    merges = count("merges")
    groups = page.locator("#merges form.merge-group")
    assert merges == str(groups.count())
    assert groups.count() >= 1
    panel = page.locator("#merges").inner_text()
    assert all(t.number in panel for t in twins)
    assert re.search(r"更新于 \d\d:\d\d", panel)
    more.click()
    page.wait_for_url(re.compile(r"section=overdue"))
    assert _pager_count(page) == 12
    _screenshot(page, "queues-board-counts")


def test_a_common_words_count_arrives_after_its_page(page, log_in, monkeypatch) -> None:
    """工单查询 for a word in many orders draws its page first and says it is counting; the
    true count and the whole pager arrive after (decision 0051)."""
    from django.db import connection

    from hongmian.hotline import queues

    # 3 make a word common here (5,000 at a million); SQLite has no bigram index, so its
    # choice is forced as PostgreSQL's would be.
    monkeypatch.setattr(queues, "TEXT_PROBE", 3)
    if connection.vendor != "postgresql":
        monkeypatch.setattr(queues, "text_index_used", lambda q, *, using: len(q) >= 2)
    centre, _street = _units()
    _user("q-agent", Role.HOTLINE_AGENT, centre, "话务员小李")
    now = timezone.now()
    for i in range(30):  # 24 with the word
        order = WorkOrderFactory(title="油烟扰民" if i % 5 else "路灯不亮", assignments=False)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=now - dt.timedelta(minutes=i))
    newest = list(
        WorkOrder.objects.filter(title="油烟扰民")
        .order_by("-created_at", "-id")
        .values_list("number", flat=True)
    )
    log_in("q-agent")
    response = page.goto("/hotline/search/?q=油烟扰民&per_page=20")
    assert "正在计数…" in response.text()  # the page as first sent
    counted = page.locator("nav.pager[data-count]").first
    counted.wait_for(timeout=10_000)
    assert counted.get_attribute("data-count") == "24"
    assert page.get_by_text(re.compile(r"共\s*24\s*张，第\s*1–20\s*张")).first.is_visible()
    assert page.locator("nav.pager[data-counting]").count() == 0
    assert _rows(page) == newest[:20]
    assert page.get_by_text("正在计数…").count() == 0
    page.get_by_role("link", name="下一页").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    page.locator("nav.pager[data-count]").first.wait_for(timeout=10_000)
    assert _rows(page) == newest[20:]
    assert page.locator("nav.pager").first.get_attribute("data-pages") == "2"
    _screenshot(page, "queues-search-common-word")
