"""The running clocks copied onto the order (`clock_due_at`, `clock_yellow_at`,
`resolution_due_at`; decision 0036) say what the clocks say after every step of an order's
life, and the lists' lights read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Min
from django.utils import timezone

from hongmian.hotline.models import SlaClock, WorkOrder
from hongmian.hotline.queues import light_q
from hongmian.hotline.services import sla, sla_recompute
from hongmian.hotline.services.lifecycle_closing import (
    work_order_callback,
    work_order_callback_review,
)
from hongmian.hotline.services.lifecycle_dispatch import (
    work_order_acknowledge,
    work_order_return_request,
    work_order_return_review,
)
from hongmian.hotline.services.lifecycle_handling import (
    work_order_extension_decide,
    work_order_extension_request,
    work_order_progress,
    work_order_reply,
)
from hongmian.hotline.states import ClockKind, ClockLight, Status
from hongmian.hotline.tests.factories import actor_of

pytestmark = pytest.mark.django_db


def what_the_clocks_say(order: WorkOrder) -> tuple[object, object, object]:
    running = SlaClock.objects.filter(order=order, stopped_at__isnull=True)
    worst = running.aggregate(due=Min("due_at"), yellow=Min("yellow_at"))
    resolution = running.filter(kind=ClockKind.RESOLUTION).first()
    return worst["due"], worst["yellow"], resolution.due_at if resolution else None


def assert_copied(order: WorkOrder, *, running: bool) -> None:
    stored = WorkOrder.objects.get(pk=order.pk)
    copy = (stored.clock_due_at, stored.clock_yellow_at, stored.resolution_due_at)
    assert copy == what_the_clocks_say(order)
    assert (copy[0] is not None) == running


def test_every_step_of_an_orders_life_keeps_the_copy_true(
    flow, units, agent_actor, supervisor_actor
) -> None:
    order = flow.received()
    assert_copied(order, running=False)

    order = flow.dispatched(units.shipai)  # three clocks start
    assert_copied(order, running=True)
    acknowledge_due = SlaClock.objects.get(order=order, kind=ClockKind.ACKNOWLEDGE).due_at
    assert WorkOrder.objects.get(pk=order.pk).clock_due_at == acknowledge_due

    shipai = actor_of(flow.handler(units.shipai))
    order = work_order_acknowledge(actor=shipai, order=order)  # 签收 stops its clock
    assert_copied(order, running=True)
    order = work_order_progress(actor=shipai, order=order, text="已派人核查")  # first response
    assert_copied(order, running=True)
    assert order.clock_due_at == order.resolution_due_at  # only resolution still runs

    before = order.resolution_due_at
    extension = work_order_extension_request(
        actor=shipai, order=order, reason="需现场勘查", amount="2"
    )
    order = work_order_extension_decide(actor=agent_actor, extension=extension, approve=True)
    assert_copied(order, running=True)
    assert WorkOrder.objects.get(pk=order.pk).resolution_due_at > before

    order = work_order_return_request(
        actor=shipai,
        order=order,
        suggested_unit=units.water,
        reason="not_our_duty",
        legal_basis="《广州市供水用水条例》第五条",
        explanation="供水管网属市水务局管理。",
    )
    assert_copied(order, running=True)
    order = work_order_return_review(actor=agent_actor, order=order, accept=True, note="同意")
    assert order.status == Status.DISPATCHED  # re-dispatched: new clocks
    assert_copied(order, running=True)

    water = actor_of(flow.handler(units.water))
    order = work_order_acknowledge(actor=water, order=order)
    order = work_order_reply(actor=water, order=order, reply="已处理完毕。")  # clocks stop
    assert_copied(order, running=False)

    order = work_order_callback(
        actor=agent_actor, order=order, reached=True, satisfaction="dissatisfied", resolved=False
    )
    assert_copied(order, running=False)
    order = work_order_callback_review(
        actor=supervisor_actor, order=order, reopen=True, reason="确未解决"
    )  # 重办: new clocks
    assert_copied(order, running=True)

    order = work_order_acknowledge(actor=water, order=order)
    order = work_order_reply(actor=water, order=order, reply="已再次处理。")
    order = work_order_callback(
        actor=agent_actor, order=order, reached=True, satisfaction="satisfied", resolved=True
    )
    assert order.status == Status.CLOSED
    assert_copied(order, running=False)


def test_the_lights_read_the_copy_like_the_clocks(flow, units) -> None:
    now = timezone.now()
    green = flow.dispatched(units.shipai)
    yellow = flow.dispatched(units.shipai)
    red = flow.dispatched(units.shipai)
    SlaClock.objects.filter(order=yellow, kind=ClockKind.RESOLUTION).update(
        yellow_at=now - dt.timedelta(minutes=1)
    )
    SlaClock.objects.filter(order=red, kind=ClockKind.ACKNOWLEDGE).update(
        yellow_at=now - dt.timedelta(hours=2), due_at=now - dt.timedelta(hours=1)
    )
    for order in (yellow, red):
        sla.sla_order_clocks_sync(order=order)
    closed = flow.replied(units.shipai)
    for order, light in (
        (green, ClockLight.GREEN),
        (yellow, ClockLight.YELLOW),
        (red, ClockLight.RED),
        (closed, ClockLight.MET),
    ):
        clocks = SlaClock.objects.filter(order=order)
        assert sla.sla_order_light(clocks, now) == light
        assert set(WorkOrder.objects.filter(light_q(light, now)).values_list("pk", flat=True)) == {
            order.pk
        }


def test_a_recomputed_calendar_moves_the_copy_too(flow, units, agent_actor) -> None:
    order = flow.dispatched(units.shipai)
    clock = SlaClock.objects.get(order=order, kind=ClockKind.RESOLUTION)
    SlaClock.objects.filter(pk=clock.pk).update(unit="working_days", limit=5)
    moved = sla_recompute.sla_recompute_running(actor=agent_actor)
    assert moved >= 1
    assert_copied(order, running=True)
