"""The board's duplicate groups (并单候选) computed by the periodic job and read from the store
(decision 0049): the scan stores what the on-request scoring found, the board drops what
was merged or closed since, a merge removes its group at once, and a fresh database says
the groups are being computed and queues the job."""

from __future__ import annotations

import datetime as dt

import pytest
from crontask import scheduler
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied
from hongmian.core.models import JobRun
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.lifecycle_closing import work_order_merge
from hongmian.hotline.states import Status
from hongmian.hotline.tests.factories import WorkOrderFactory, actor_of
from hongmian.insights.models import DuplicateScan, DuplicateScanGroup
from hongmian.insights.services.duplicates import (
    duplicate_groups,
    duplicate_groups_stored,
    duplicate_scan,
)
from hongmian.insights.tasks import duplicate_scan_job
from hongmian.insights.tests.test_duplicates import MANHOLE, MANHOLE_AGAIN, NOISE, TREE
from hongmian.insights.views.board import DUPLICATE_SCAN_QUEUED_KEY

SYSTEM = Actor.system("duplicate-scan")
LIEDE = "440106013"
NOISE_AGAIN = ("石牌东路酒吧太吵", "石牌东路那间酒吧天天放音乐到凌晨，噪音吵得附近居民睡不着。")
TREE_AGAIN = ("天河北路树倒了", "天河北路有棵大树被风吹倒，挡住了人行道，行人只能走马路。")


def _order(title_content, *, ago_days=0.0, street="440106006", **kw) -> WorkOrder:
    title, content = title_content
    order = WorkOrderFactory(
        title=title, content=content, street_code=street, district_code="440106000", **kw
    )
    when = timezone.now() - dt.timedelta(days=ago_days)
    WorkOrder.objects.filter(pk=order.pk).update(created_at=when)
    order.refresh_from_db()
    return order


def _three_groups() -> dict[str, list[WorkOrder]]:
    """A group of three (manholes), two of two (noise, trees), and orders of no group."""
    groups = {
        "manhole": [
            _order(MANHOLE, ago_days=3),
            _order(MANHOLE_AGAIN, ago_days=2),
            _order(MANHOLE, ago_days=1),
        ],
        "noise": [_order(NOISE, ago_days=2), _order(NOISE_AGAIN, ago_days=1)],
        "tree": [_order(TREE, ago_days=4), _order(TREE_AGAIN, ago_days=1)],
    }
    _order(MANHOLE, street=LIEDE)  # the same words at another street
    _order(NOISE, status=Status.CLOSED)  # finished: nothing to merge
    return groups


def _shape(groups) -> list[list[tuple[int, float | None, tuple[str, ...]]]]:
    return [[(r.order.pk, r.score, r.reasons) for r in g.rows] for g in groups]


@pytest.mark.django_db
def test_the_scan_stores_the_groups_the_request_used_to_score(django_assert_num_queries) -> None:
    groups = _three_groups()
    now = timezone.now()
    on_request = duplicate_groups(now)

    scan = duplicate_scan(actor=SYSTEM, now=now)
    with django_assert_num_queries(2):
        stored = duplicate_groups_stored(limit=50)

    assert len(on_request) == 3
    assert _shape(stored.groups) == _shape(on_request)  # the same orders, scores and reasons
    assert [g.area for g in stored.groups] == [g.area for g in on_request]
    assert [o.pk for o in stored.groups[0].orders] == [o.pk for o in groups["manhole"]]
    assert stored.scanned_at == now
    assert (scan.found, stored.count, len(stored)) == (3, 3, 3)
    assert scan.compared == 8  # the seven of the groups and the one at another street
    # The panel shows the first groups and keeps the true count.
    assert (
        duplicate_groups_stored(limit=1).count,
        len(duplicate_groups_stored(limit=1).groups),
    ) == (
        3,
        1,
    )


@pytest.mark.django_db
def test_a_second_scan_replaces_the_first_and_an_empty_one_is_kept() -> None:
    _three_groups()
    duplicate_scan(actor=SYSTEM)
    WorkOrder.objects.update(status=Status.CLOSED)

    duplicate_scan(actor=SYSTEM)

    assert DuplicateScan.objects.count() == 1
    assert not DuplicateScanGroup.objects.exists()
    stored = duplicate_groups_stored(limit=50)
    assert stored.scanned_at is not None  # computed: nothing found, not "being computed"
    assert stored.count == 0


@pytest.mark.django_db
def test_orders_closed_or_merged_since_the_scan_are_not_offered() -> None:
    groups = _three_groups()
    duplicate_scan(actor=SYSTEM)
    manhole, noise, tree = groups["manhole"], groups["noise"], groups["tree"]
    # Changed behind the board's back (no merge service): the read must still see it.
    WorkOrder.objects.filter(pk=manhole[2].pk).update(status=Status.CLOSED)
    WorkOrder.objects.filter(pk=noise[1].pk).update(status=Status.MERGED, master=noise[0])
    WorkOrder.objects.filter(pk=tree[0].pk).update(status=Status.REPLIED)  # the master

    stored = duplicate_groups_stored(limit=50)

    assert [[o.pk for o in g.orders] for g in stored.groups] == [[manhole[0].pk, manhole[1].pk]]
    assert stored.count == 1


@pytest.mark.django_db
def test_a_merge_removes_its_group_at_once(agent) -> None:
    groups = _three_groups()
    duplicate_scan(actor=SYSTEM)
    manhole = groups["manhole"]

    # Two of three merged: the group is decided, the third is not offered under it again.
    work_order_merge(actor=actor_of(agent), master=manhole[0], duplicates=[manhole[1]])

    stored = duplicate_groups_stored(limit=50)
    assert manhole[0].pk not in {o.pk for g in stored.groups for o in g.orders}
    assert stored.count == 2
    assert DuplicateScanGroup.objects.count() == 2


@pytest.mark.django_db
def test_a_merge_from_the_board_takes_the_group_off_the_panel(client, supervisor) -> None:
    groups = _three_groups()
    duplicate_scan(actor=SYSTEM)
    noise = groups["noise"]
    client.force_login(supervisor)
    before = client.get(reverse("hotline:board"), {"panel": "merges"}).content.decode()
    assert noise[1].number in before
    assert '<span class="count" id="count-merges" hx-swap-oob="true">3</span>' in before
    assert "更新于" in before

    response = client.post(
        reverse("hotline:merge"),
        {"master": noise[0].pk, "duplicates": [noise[1].pk], "next": "/hotline/board/#merges"},
    )

    assert response.status_code == 302
    after = client.get(reverse("hotline:board"), {"panel": "merges"}).content.decode()
    assert noise[1].number not in after
    assert '<span class="count" id="count-merges" hx-swap-oob="true">2</span>' in after


@pytest.mark.django_db
def test_before_the_first_scan_the_panel_says_so_and_queues_the_job(client, supervisor) -> None:
    _three_groups()
    cache.delete(DUPLICATE_SCAN_QUEUED_KEY)
    client.force_login(supervisor)

    first = client.get(reverse("hotline:board"), {"panel": "merges"})
    again = client.get(reverse("hotline:board"), {"panel": "merges"})
    alone = client.get(reverse("hotline:board"), {"section": "merges"})

    assert first.status_code == again.status_code == alone.status_code == 200
    html = first.content.decode()
    assert "正在计算疑似重复的工单" in html
    assert "正在计算疑似重复的工单" in alone.content.decode()
    assert 'hx-trigger="load delay:15s"' in html  # the fragment asks again by itself
    assert 'class="count-pending" id="count-merges"' in html
    queued = DBTaskResult.objects.filter(task_path=duplicate_scan_job.module_path)
    assert queued.count() == 1  # once, not once per request
    cache.delete(DUPLICATE_SCAN_QUEUED_KEY)


def test_the_scan_is_scheduled_every_ten_minutes() -> None:
    [job] = [j for j in scheduler.get_jobs() if j.name == duplicate_scan_job.name]
    assert str(job.trigger.fields[6]) == "*/10"  # the minute field


@pytest.mark.django_db
def test_the_job_scans_as_the_system_and_no_one_else_may(settings, supervisor) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _three_groups()

    result = duplicate_scan_job.enqueue()

    assert result.return_value["found"] == 3
    assert JobRun.objects.get().outcome == JobRun.Outcome.SUCCEEDED
    with pytest.raises(PermissionDenied):
        duplicate_scan(actor=actor_of(supervisor))
