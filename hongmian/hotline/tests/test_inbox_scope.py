"""The unit inbox reads the holding unit from the order (`lead_unit`, decision 0037) instead
of an EXISTS over assignments per order. These tests hold it to the old definition — an
active assignment, lead or co-handling, of the reader's unit or one below it — after every
step of an order's life, for a reader in each place of the tree."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef

from hongmian.hotline import permissions, selectors
from hongmian.hotline.models import Assignment, WorkOrder
from hongmian.hotline.services.lifecycle_closing import (
    work_order_callback,
    work_order_callback_review,
    work_order_merge,
)
from hongmian.hotline.services.lifecycle_dispatch import (
    work_order_acknowledge,
    work_order_dispatch,
    work_order_joint_meeting,
    work_order_return_request,
    work_order_return_review,
    work_order_subdispatch,
)
from hongmian.hotline.services.lifecycle_handling import work_order_co_reply, work_order_reply
from hongmian.hotline.states import WITH_UNIT_STATUSES, AssignmentRole, Status
from hongmian.hotline.tests.factories import actor_of
from hongmian.hotline.tests.fixtures import Flow, Units
from hongmian.identity.models import User

pytestmark = pytest.mark.django_db


def held_by_assignments(user: User) -> set[int]:
    """The inbox as it was defined before the copy: EXISTS over the active assignments."""
    path = permissions.handler_unit_path(user)
    assert path is not None
    holding = Assignment.objects.filter(
        order=OuterRef("pk"),
        unit__path__startswith=path,
        status__in=permissions.ACTIVE_ASSIGNMENT_STATUSES,
    )
    rows = WorkOrder.objects.filter(Exists(holding), status__in=WITH_UNIT_STATUSES)
    return set(rows.values_list("pk", flat=True))


def check(flow: Flow, units: Units, *orders: WorkOrder) -> dict[str, set[int]]:
    """Every reader's inbox equals the assignments' answer; the lead on the order is the
    unit of its one active lead assignment while a unit holds it. Returns who holds what."""
    for order in orders:
        stored = WorkOrder.objects.get(pk=order.pk)
        active_leads = list(
            stored.assignments.filter(
                role=AssignmentRole.LEAD, status__in=permissions.ACTIVE_ASSIGNMENT_STATUSES
            ).values_list("unit_id", flat=True)
        )
        if stored.status in WITH_UNIT_STATUSES:
            assert active_leads == [stored.lead_unit_id], stored.status
    seen = {}
    for name in ("tianhe", "shipai", "liede", "yuexiu", "water", "city"):
        reader = flow.handler(getattr(units, name))
        inbox = set(selectors.unit_inbox(reader).values_list("pk", flat=True))
        assert inbox == held_by_assignments(reader), name
        seen[name] = inbox
    return seen


def test_the_inbox_follows_every_step_of_an_orders_life(
    flow: Flow, units: Units, agent_actor, supervisor_actor
) -> None:
    order = flow.received()
    assert check(flow, units, order)["city"] == set()

    order = work_order_dispatch(
        actor=agent_actor, order=order, lead_unit=units.shipai, co_units=[units.water]
    )
    seen = check(flow, units, order)
    # The street holds it, its district above sees it, the co-handler too; a sibling not.
    assert {k for k, v in seen.items() if order.pk in v} == {"tianhe", "shipai", "water", "city"}

    shipai = actor_of(flow.handler(units.shipai))
    order = work_order_acknowledge(actor=shipai, order=order)  # 签收
    check(flow, units, order)
    water = actor_of(flow.handler(units.water))
    order = work_order_co_reply(actor=water, order=order, reply="管网无异常。")  # 协办 done
    seen = check(flow, units, order)
    assert order.pk not in seen["water"]

    order = work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.liede)  # 改派
    seen = check(flow, units, order)
    assert order.pk in seen["liede"]
    assert order.pk not in seen["shipai"]

    liede = actor_of(flow.handler(units.liede))
    order = work_order_return_request(
        actor=liede,
        order=order,
        suggested_unit=units.yuexiu,
        reason="not_our_duty",
        legal_basis="《广州市城市市容和环境卫生管理规定》",
        explanation="地址属越秀区。",
    )
    check(flow, units, order)  # 退单审核中: still in the unit's hands
    order = work_order_return_review(actor=agent_actor, order=order, accept=False, note="属实")
    check(flow, units, order)
    order = work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.yuexiu)
    yuexiu = actor_of(flow.handler(units.yuexiu))
    order = work_order_return_request(
        actor=yuexiu,
        order=order,
        suggested_unit=units.water,
        reason="not_our_duty",
        legal_basis="《广州市供水用水条例》第五条",
        explanation="供水管网属市水务局管理。",
    )
    order = work_order_return_review(actor=agent_actor, order=order, accept=True, note="同意")
    seen = check(flow, units, order)  # 退单 accepted: re-dispatched to 水务局
    assert order.pk in seen["water"]
    assert order.pk not in seen["yuexiu"] | seen["tianhe"]

    order = work_order_return_request(
        actor=water,
        order=order,
        suggested_unit=None,
        reason="not_our_duty",
        legal_basis="《广州市供水用水条例》第五条",
        explanation="权属不清。",
    )
    order = work_order_return_review(
        actor=agent_actor, order=order, accept=True, note="会商", to_joint_meeting=True
    )
    assert order.status == Status.JOINT_MEETING
    assert check(flow, units, order)["city"] == set()
    order = work_order_joint_meeting(
        actor=agent_actor,
        order=order,
        units=[units.yuexiu, units.tianhe],
        decided_unit=units.tianhe,
        minutes="由天河区办理。",
    )
    check(flow, units, order)

    tianhe = actor_of(flow.handler(units.tianhe))
    order = work_order_acknowledge(actor=tianhe, order=order)
    order = work_order_subdispatch(actor=tianhe, order=order, unit=units.shipai)  # 下派
    seen = check(flow, units, order)
    assert order.pk in seen["shipai"]
    assert order.pk in seen["tianhe"]

    duplicate = flow.dispatched(units.liede, co_units=[units.water])
    check(flow, units, order, duplicate)
    work_order_merge(actor=agent_actor, master=order, duplicates=[duplicate])  # 并单
    seen = check(flow, units, order, duplicate)
    assert duplicate.pk not in seen["liede"] | seen["water"]

    order = work_order_acknowledge(actor=shipai, order=order)
    order = work_order_reply(actor=shipai, order=order, reply="已处理。")  # 答复
    assert check(flow, units, order)["city"] == set()
    order = work_order_callback(
        actor=agent_actor, order=order, reached=True, satisfaction="dissatisfied", resolved=False
    )
    order = work_order_callback_review(
        actor=supervisor_actor, order=order, reopen=True, reason="确未解决"
    )  # 重办: back to the same unit
    assert order.pk in check(flow, units, order)["shipai"]
    order = work_order_acknowledge(actor=shipai, order=order)
    order = work_order_reply(actor=shipai, order=order, reply="已再次处理。")
    order = work_order_callback(
        actor=agent_actor, order=order, reached=True, satisfaction="satisfied", resolved=True
    )
    assert order.status == Status.CLOSED  # 办结
    assert check(flow, units, order)["city"] == set()


def test_the_inbox_is_one_query_whoever_reads_it(
    flow: Flow, units: Units, django_assert_num_queries
) -> None:
    flow.dispatched(units.shipai, co_units=[units.water])
    reader = flow.handler(units.tianhe)
    with django_assert_num_queries(1):
        assert len(list(selectors.unit_inbox(reader))) == 1
