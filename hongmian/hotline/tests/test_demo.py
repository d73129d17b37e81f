"""The hotline's demo seed on a small count: every status, deterministic, idempotent, dated
in the past as its steps happened, and its made-up callers never texted."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.geo.address import parse_address
from hongmian.hotline import demo
from hongmian.hotline.demo.plan import SCENARIO_STATUS, SCENARIOS, SPAN_DAYS, plan_orders
from hongmian.hotline.demo.runner import DEMO_REF
from hongmian.hotline.demo.text import TextGenerator
from hongmian.hotline.demo.topics import TOPICS
from hongmian.hotline.models import (
    Callback,
    ExtensionRequest,
    JointMeeting,
    ReturnRequest,
    SlaClock,
    Supervision,
    TimelineEntry,
    WorkOrder,
)
from hongmian.hotline.states import Status
from hongmian.identity import demo as identity_demo

pytestmark = pytest.mark.django_db

COUNT = 60
# A fixed anchor makes the seed's dates comparable between runs; the tests' own clock
# still stamps the rows, which the seeder moves back to this past.
ANCHOR = dt.datetime(2026, 6, 30, 18, 0, tzinfo=dt.UTC)


def _quiet(*_: object) -> None:
    pass


@pytest.fixture
def identity(db: None) -> None:
    """The units and the demo logins the hotline seed acts with (persons and enterprises are
    optional to it, and slow to make)."""
    actor = Actor.system("test")
    units = identity_demo.seed_org_units(actor=actor, progress=_quiet)
    identity_demo.seed_users(actor=actor, progress=_quiet, units=units)


def _seed(**kwargs: Any) -> None:
    demo.seed(actor=Actor.system("seed_demo"), progress=_quiet, count=COUNT, now=ANCHOR, **kwargs)


def _snapshot() -> tuple[list[tuple[object, ...]], list[tuple[dt.datetime, ...]]]:
    """What a run produced, and its times apart: these carry the milliseconds the services
    took within each step, which differ between runs. The counter in order numbers differs
    too (a PostgreSQL sequence does not roll back); their date does not."""
    rows = WorkOrder.objects.order_by("external_ref").values_list(
        "external_ref",
        "number",
        "status",
        "channel",
        "request_type",
        "priority",
        "title",
        "content",
        "address",
        "district_code",
        "street_code",
        "category__code",
        "lead_unit__code",
        "satisfaction",
        "reopen_count",
        "return_count",
        "extension_count",
        "created_at",
        "closed_at",
    )
    facts, times = [], []
    for ref, number, *rest, created, closed in rows:
        facts.append((ref, number.rsplit("-", 1)[0], *rest))
        times.append((created, closed or created))
    return facts, times


def test_every_status_through_the_services(identity: None) -> None:
    _seed()
    orders = WorkOrder.objects.filter(external_ref__startswith=DEMO_REF)
    assert orders.count() == COUNT
    assert set(orders.values_list("status", flat=True)) == set(Status.values)
    # The acts behind the statuses were all made, each through its service.
    assert orders.filter(close_reason="direct_answer").exists()
    assert orders.filter(close_reason="callback").exists()
    assert orders.filter(reopen_count__gt=0).exists()
    assert ReturnRequest.objects.filter(status="accepted").exists()
    assert ReturnRequest.objects.filter(status="refused").exists()
    assert JointMeeting.objects.exists()
    assert set(ExtensionRequest.objects.values_list("status", flat=True)) == {
        "pending",
        "approved",
        "refused",
    }
    assert set(Supervision.objects.values_list("kind", flat=True)) == {"urge", "supervise"}
    assert {"satisfied", "dissatisfied"} <= set(
        Callback.objects.values_list("satisfaction", flat=True)
    )
    assert orders.filter(assignments__role="co").exists()
    assert orders.filter(channel="phone").count() > COUNT // 3


def test_each_scenario_ends_where_it_should(identity: None) -> None:
    _seed()
    status = dict(
        WorkOrder.objects.filter(external_ref__startswith=DEMO_REF).values_list(
            "external_ref", "status"
        )
    )
    for plan in plan_orders(COUNT, now=ANCHOR):
        got = status[f"{DEMO_REF}{plan.index:05d}"]
        if plan.scenario in SCENARIO_STATUS:
            assert got == SCENARIO_STATUS[plan.scenario], plan.scenario
        elif not SCENARIOS[plan.scenario][1]:
            assert got in (Status.CLOSED, Status.ARCHIVED, Status.MERGED), plan.scenario


def test_dated_in_the_past_as_it_happened(identity: None) -> None:
    _seed()
    start = ANCHOR - dt.timedelta(days=SPAN_DAYS)
    for order in WorkOrder.objects.filter(external_ref__startswith=DEMO_REF):
        assert start <= order.created_at <= ANCHOR
        day = timezone.localtime(order.created_at).strftime("%Y%m%d")
        assert re.fullmatch(rf"GZ-{day}-\d+", order.number), order.number
        times = list(order.timeline.order_by("id").values_list("created_at", "kind"))
        assert times[0][1] == "received"
        assert [t for t, _ in times] == sorted(t for t, _ in times), order.number
        assert all(start <= t <= ANCHOR for t, _ in times)
        for moment in (order.dispatched_at, order.replied_at, order.closed_at, order.archived_at):
            assert moment is None or order.created_at <= moment <= ANCHOR
        assert order.number in order.timeline.first().text
    for clock in SlaClock.objects.all():
        assert clock.started_at < clock.yellow_at <= clock.due_at
        assert clock.started_at <= ANCHOR
    assert not AuditEvent.objects.filter(created_at__gt=ANCHOR, action__startswith="work_order.")


def test_deterministic(identity: None) -> None:
    snapshots = []
    for _ in range(2):
        with transaction.atomic():
            _seed()
            snapshots.append(_snapshot())
            transaction.set_rollback(True)
    (facts, times), (facts_again, times_again) = snapshots
    assert facts == facts_again
    assert len(facts) == COUNT
    for first, second in zip(times, times_again, strict=True):
        for a, b in zip(first, second, strict=True):
            assert abs(a - b) < dt.timedelta(seconds=2)


def test_idempotent(identity: None) -> None:
    _seed()
    counts = (
        WorkOrder.objects.count(),
        TimelineEntry.objects.count(),
        AuditEvent.objects.count(),
        SlaClock.objects.count(),
    )
    _seed()
    assert (
        WorkOrder.objects.count(),
        TimelineEntry.objects.count(),
        AuditEvent.objects.count(),
        SlaClock.objects.count(),
    ) == counts


def test_seeded_callers_are_not_texted(identity: None, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _seed()
    queued = DBTaskResult.objects.filter(task_path__endswith="notifications.send_notice")
    assert not queued.exists()


def test_each_title_heads_its_own_content() -> None:
    for topic in TOPICS:
        assert len(topic.titles) == len(topic.contents), topic.key
        assert topic.request_types, topic.key


def test_texts_name_the_place_they_were_made_for() -> None:
    gen = TextGenerator(random.Random(7))  # noqa: S311  # test data
    for _ in range(300):
        place = gen.place()
        parsed = parse_address(place.address)
        assert parsed.district is not None
        assert parsed.district.code == place.district_code
        assert (parsed.street.code if parsed.street else "") == place.street_code


def test_direct_answers_read_from_an_article_record_it(identity: None) -> None:
    from hongmian.knowledge import demo as knowledge_demo
    from hongmian.knowledge.models import ArticleUsage

    knowledge_demo.seed(actor=Actor.system("seed_demo"), progress=_quiet)
    demo.seed(actor=Actor.system("seed_demo"), progress=_quiet, count=200, now=ANCHOR)

    usages = list(ArticleUsage.objects.select_related("article"))
    assert usages, "no direct answer of the demo was read from a knowledge article"
    orders = WorkOrder.objects.in_bulk([u.order_ref for u in usages], field_name="number")
    mapped = {
        f"demo-{slug}": topic.answers[i]
        for topic in TOPICS
        for i, slug in enumerate(topic.articles)
        if slug
    }
    for usage in usages:
        order = orders[usage.order_ref]
        assert order.close_reason == "direct_answer"
        assert order.answer_source == f"knowledge:{usage.article_id}"
        # The answer is the one that article stands behind, not another of the topic's.
        assert order.reply == mapped[usage.article.external_id]
