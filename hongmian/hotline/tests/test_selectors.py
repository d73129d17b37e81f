"""Reads: who sees which orders, the caller's data per reader, the timeline, inbox, board,
the one filtered list, and the caller's lookup by number and phone."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import SlaClock, WorkOrder
from hongmian.hotline.schemas import Ordering
from hongmian.hotline.selectors import (
    WORK_ORDER_ORDERINGS,
    access_work_order,
    caller_history,
    supervisor_board,
    timeline_for,
    unit_inbox,
    work_order_caller_view,
    work_order_get,
    work_order_list,
    work_order_track,
    work_orders_visible_to,
)
from hongmian.hotline.services import sla
from hongmian.hotline.services.lifecycle_dispatch import work_order_dispatch, work_order_subdispatch
from hongmian.hotline.services.lifecycle_handling import work_order_progress
from hongmian.hotline.states import Status, Visibility
from hongmian.hotline.tests.factories import WorkOrderFactory, actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


# --- visibility -----------------------------------------------------------------------------


def test_visibility_per_role(
    flow, units, agent, supervisor, tianhe_handler, shipai_handler, yuexiu_handler, citizen
) -> None:
    at_shipai = flow.dispatched(units.shipai)
    at_water = flow.dispatched(units.water)
    received = flow.received()
    mine = WorkOrderFactory(submitted_by=citizen)
    everything = {at_shipai.pk, at_water.pk, received.pk, mine.pk}
    assert ids(work_orders_visible_to(agent)) == everything
    assert ids(work_orders_visible_to(supervisor)) == everything
    assert ids(work_orders_visible_to(UserFactory(role=Role.CITY_LEADER))) == everything
    assert ids(work_orders_visible_to(shipai_handler)) == {at_shipai.pk}
    assert ids(work_orders_visible_to(tianhe_handler)) == {at_shipai.pk}  # its street's
    assert ids(work_orders_visible_to(yuexiu_handler)) == set()
    assert ids(work_orders_visible_to(citizen)) == {mine.pk}


def test_nobody_else_sees_anything(flow, units) -> None:
    flow.dispatched(units.shipai)
    hall = UserFactory(role=Role.HALL_STAFF, org_unit=units.shipai)
    inactive = UserFactory(role=Role.HOTLINE_AGENT, is_active=False)
    from django.contrib.auth.models import AnonymousUser

    for user in (hall, inactive, AnonymousUser(), None):
        assert not work_orders_visible_to(user).exists()


def test_unit_keeps_seeing_what_it_once_handled(flow, units, agent_actor, shipai_handler) -> None:
    order = work_order_dispatch(
        actor=agent_actor, order=flow.dispatched(units.shipai), lead_unit=units.water
    )
    assert order.pk in ids(work_orders_visible_to(shipai_handler))
    assert order.pk not in ids(unit_inbox(shipai_handler))


def test_order_assigned_twice_is_listed_once(flow, units, agent_actor, shipai_handler) -> None:
    order = flow.dispatched(units.shipai)
    work_order_dispatch(actor=agent_actor, order=order, lead_unit=units.shipai)
    assert work_orders_visible_to(shipai_handler).count() == 1


def test_citizen_sees_orders_naming_their_person(citizen, citizen_person) -> None:
    named = WorkOrderFactory(caller_person=citizen_person)
    WorkOrderFactory(caller_person=PersonFactory())
    assert ids(work_orders_visible_to(citizen)) == {named.pk}


# --- access and the caller's data -----------------------------------------------------------


def test_forbidden_looks_like_not_found(flow, units, yuexiu_handler, citizen) -> None:
    order = flow.dispatched(units.shipai)
    for user in (yuexiu_handler, citizen):
        with pytest.raises(NotFound) as forbidden:
            access_work_order(user, order.pk)
        with pytest.raises(NotFound) as missing:
            access_work_order(user, 999_999)
        assert (forbidden.value.code, forbidden.value.message) == (
            missing.value.code,
            missing.value.message,
        )
    with pytest.raises(NotFound):
        access_work_order(yuexiu_handler, "not-a-number")
    assert not AuditEvent.objects.filter(action="work_order.read").exists()


def test_agent_reads_caller_in_full_and_is_audited(flow, units, agent) -> None:
    order = access_work_order(agent, flow.dispatched(units.shipai).pk)
    assert (order.caller_name, order.caller_phone) == ("陈先生", "13800138000")
    event = AuditEvent.objects.get(action="work_order.read")
    assert event.target_id == str(order.pk)
    assert event.actor == agent


def test_unit_reads_caller_masked(flow, units, shipai_handler) -> None:
    order = flow.dispatched(units.shipai)
    view = work_order_caller_view(shipai_handler, order)
    assert (view.name, view.phone, view.person_id) == ("陈**", "138****8000", None)
    assert view.address == order.address  # the place the unit must go to
    read = access_work_order(shipai_handler, order.pk)
    assert (read.caller_name, read.caller_phone) == ("陈**", "138****8000")


def test_confidential_caller_is_hidden_from_units(
    flow, units, shipai_handler, agent, citizen, citizen_person
) -> None:
    order = flow.dispatched(units.shipai, confidential=True, caller_person=citizen_person)
    view = work_order_caller_view(shipai_handler, order)
    assert view.hidden
    assert view.confidential
    assert (view.name, view.phone, view.person_id, view.enterprise_id) == ("", "", None, None)
    assert "华师路1号" not in view.address
    read = access_work_order(shipai_handler, order.pk)
    assert (read.caller_name, read.caller_phone, read.caller_person) == ("", "", None)
    assert not work_order_caller_view(agent, order).hidden
    # The caller themself sees their own name.
    order.submitted_by = citizen
    assert work_order_caller_view(citizen, order).name == "陈先生"


def test_confidential_caller_hidden_from_city_leaders_too(flow, units) -> None:
    order = flow.received(confidential=True)
    assert work_order_caller_view(UserFactory(role=Role.CITY_LEADER), order).hidden


def test_caller_reading_own_order_is_not_audited(citizen) -> None:
    order = WorkOrderFactory(submitted_by=citizen)
    assert access_work_order(citizen, order.pk, actor=actor_of(citizen)).pk == order.pk
    assert not AuditEvent.objects.filter(action="work_order.read").exists()


def test_work_order_get_skips_audit(flow, units, agent) -> None:
    assert work_order_get(agent, flow.received().pk)
    assert not AuditEvent.objects.filter(action="work_order.read").exists()


# --- timeline -------------------------------------------------------------------------------


def test_timeline_per_reader(flow, units, agent, shipai_handler, citizen) -> None:
    order = flow.acknowledged(units.shipai)
    order.submitted_by = citizen
    order.save()
    centre = actor_of(agent)
    work_order_progress(actor=centre, order=order, text="内部备注", visibility=Visibility.INTERNAL)
    work_order_progress(actor=centre, order=order, text="工作人员备注", visibility=Visibility.STAFF)
    everything = list(timeline_for(agent, order).values_list("visibility", flat=True))
    assert Visibility.INTERNAL in everything
    unit_sees = set(timeline_for(shipai_handler, order).values_list("visibility", flat=True))
    assert unit_sees == {Visibility.PUBLIC, Visibility.STAFF}
    caller_sees = set(timeline_for(citizen, order).values_list("visibility", flat=True))
    assert caller_sees == {Visibility.PUBLIC}


# --- lists with pinned query counts ---------------------------------------------------------


def test_work_order_list_is_one_query(
    flow, units, agent, category, django_assert_num_queries
) -> None:
    for _ in range(3):
        flow.dispatched(units.shipai, category=category)
    with django_assert_num_queries(1):
        rows = list(work_order_list(agent))
        names = [(o.category.name, o.lead_unit.name) for o in rows]
    assert len(names) == 3


def test_work_order_list_filters(flow, units, agent, category) -> None:
    a = flow.dispatched(units.shipai, category=category, title="路灯不亮")
    b = flow.dispatched(units.water, channel="web", request_type="inquiry", content="水压低")
    c = flow.received()
    assert ids(work_order_list(agent, category_code=category.code)) == {a.pk}
    # A category stands for everything below it.
    assert ids(work_order_list(agent, category_code=category.parent.code)) == {a.pk}
    assert ids(work_order_list(agent, lead_unit_id=units.shipai.pk)) == {a.pk}
    assert ids(work_order_list(agent, search="路灯")) == {a.pk}
    assert ids(work_order_list(agent, search="水压")) == {b.pk}  # the content too
    assert ids(work_order_list(agent, search=a.number)) == {a.pk}
    assert ids(work_order_list(agent, search=a.number[-6:])) == {a.pk}
    assert ids(work_order_list(agent, search="  ")) == {a.pk, b.pk, c.pk}
    assert ids(work_order_list(agent, status=Status.CLOSED)) == set()
    assert ids(work_order_list(agent, status=[Status.RECEIVED, Status.CLOSED])) == {c.pk}
    assert ids(work_order_list(agent, channel="web", request_type=["inquiry"])) == {b.pk}
    assert ids(work_order_list(agent, district_code=a.district_code)) == {a.pk, b.pk, c.pk}
    assert ids(work_order_list(agent, district_code="440104000")) == set()


def test_work_order_list_by_time_and_order(flow, agent) -> None:
    first, second = flow.received(), flow.received()
    WorkOrder.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    yesterday = timezone.now() - dt.timedelta(days=1)

    assert ids(work_order_list(agent, created_from=yesterday)) == {second.pk}
    assert ids(work_order_list(agent, created_to=yesterday)) == {first.pk}
    # A naive time is read in the project's time zone.
    naive = timezone.make_naive(yesterday)
    assert ids(work_order_list(agent, created_from=naive)) == {second.pk}
    assert list(work_order_list(agent)) == [second, first]
    assert list(work_order_list(agent, ordering="created_at")) == [first, second]
    with pytest.raises(ValidationFailed):
        work_order_list(agent, ordering="caller_phone")


def test_the_list_sorts_by_what_the_api_offers() -> None:
    assert get_args(Ordering) == WORK_ORDER_ORDERINGS


def test_the_list_is_scoped_like_every_read(flow, units, yuexiu_handler, citizen) -> None:
    flow.dispatched(units.shipai)
    mine = flow.dispatched(units.yuexiu)

    assert ids(work_order_list(yuexiu_handler)) == {mine.pk}
    assert ids(work_order_list(citizen)) == set()


# --- the caller's lookup by number and phone ------------------------------------------------


def test_track_finds_the_order_by_number_and_phone(flow) -> None:
    order = flow.dispatched()

    assert work_order_track(order.number, "13800138000") == order
    assert work_order_track(f" {order.number} ", "+86 138 0013 8000") == order


@pytest.mark.parametrize("phone", ["13900000000", "", "abc", "020-12345678"])
def test_track_with_a_wrong_phone_is_not_found(flow, phone) -> None:
    order = flow.dispatched()

    with pytest.raises(NotFound) as missing:
        work_order_track(order.number, phone)

    assert missing.value.code == "work_order.not_found"


def test_track_of_a_missing_number_is_the_same_not_found(flow) -> None:
    other = flow.dispatched(caller_phone="13900000000")

    for number in ("GZ-20000101-000001", "", other.number):
        with pytest.raises(NotFound):
            work_order_track(number, "13800138000")


def test_unit_inbox(flow, units, tianhe_handler, shipai_handler, django_assert_num_queries) -> None:
    first = flow.dispatched(units.shipai)
    second = flow.acknowledged(units.tianhe)
    work_order_subdispatch(actor=actor_of(tianhe_handler), order=second, unit=units.liede)
    flow.replied(units.shipai)  # replied: no longer in the inbox
    flow.dispatched(units.water)
    with django_assert_num_queries(1):
        rows = [(o.pk, o.resolution_due_at, o.lead_unit.name) for o in unit_inbox(tianhe_handler)]
    assert {r[0] for r in rows} == {first.pk, second.pk}
    assert all(r[1] is not None for r in rows)
    assert ids(unit_inbox(shipai_handler)) == {first.pk}


def test_supervisor_board(flow, units, django_assert_num_queries) -> None:
    now = timezone.now()
    late = flow.dispatched(units.shipai)
    SlaClock.objects.filter(order=late, kind="acknowledge").update(
        due_at=now - dt.timedelta(hours=1), yellow_at=now - dt.timedelta(hours=2)
    )
    soon = flow.dispatched(units.liede)
    SlaClock.objects.filter(order=soon, kind="resolution").update(
        yellow_at=now - dt.timedelta(minutes=1)
    )
    for order in (late, soon):
        sla.sla_order_clocks_sync(order=order)
    replied = flow.replied(units.water)
    with django_assert_num_queries(1):
        board = supervisor_board(now)
    with django_assert_num_queries(7):
        overdue = [o.lead_unit.name for o in board.overdue]
        due_soon = list(board.due_soon)
        awaiting = list(board.awaiting_callback)
        for section in (
            board.returns,
            board.extensions,
            board.callback_reviews,
            board.joint_meetings,
        ):
            assert list(section) == []
    assert overdue == [units.shipai.name]
    assert [o.pk for o in due_soon] == [soon.pk]
    assert [o.pk for o in awaiting] == [replied.pk]
    assert board.counts == {Status.DISPATCHED: 2, Status.REPLIED: 1}


def test_caller_history(flow, units) -> None:
    a = flow.received(caller_phone="13900139000")
    b = flow.received(caller_phone="+86 139 0013 9000")
    flow.received(caller_phone="13800138000")
    assert [o.pk for o in caller_history("139-0013-9000")] == [b.pk, a.pk]
    assert not caller_history("not a phone").exists()
    assert not caller_history("").exists()


def test_system_actor_is_not_a_reader(flow) -> None:
    assert not work_orders_visible_to(Actor.system("x").user).exists()
