"""The `can_*` predicates per role, and the caller-data rules they feed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from hongmian.core.actors import Actor
from hongmian.hotline import permissions as p
from hongmian.hotline.states import Channel, Visibility
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CENTRE_ACTS = [
    p.can_direct_answer,
    p.can_dispatch,
    p.can_review_return,
    p.can_decide_extension,
    p.can_callback,
    p.can_merge,
    p.can_hold_joint_meeting,
    p.can_archive,
]
LEAD_ACTS = [p.can_reply, p.can_subdispatch, p.can_request_return, p.can_request_extension]


@pytest.fixture
def order(flow, units):
    return flow.dispatched(units.shipai, co_units=[units.water])


@pytest.mark.parametrize("role", [Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR])
def test_centre_does_centre_acts(order, role) -> None:
    user = UserFactory(role=role)
    assert all(can(user, order) for can in CENTRE_ACTS)
    assert not any(can(user, order) for can in LEAD_ACTS)
    assert not p.can_acknowledge(user, order)
    assert p.can_progress(user, order)
    assert p.can_supervise(user, order, "urge")
    assert p.can_supervise(user, order, "supervise") == (role == Role.HOTLINE_SUPERVISOR)
    assert p.can_review_callback(user, order) == (role == Role.HOTLINE_SUPERVISOR)


@pytest.mark.parametrize(
    "role", [Role.CITY_LEADER, Role.CHIEF_DATA_OFFICER, Role.SYSTEM_ADMIN, Role.CITIZEN]
)
def test_readers_and_public_do_nothing(order, role) -> None:
    user = UserFactory(role=role)
    for can in [*CENTRE_ACTS, *LEAD_ACTS, p.can_acknowledge, p.can_progress, p.can_co_reply]:
        assert not can(user, order)


def test_lead_unit_its_parent_and_co_unit(
    order, units, shipai_handler, tianhe_handler, water_handler, liede_handler
) -> None:
    for lead in (shipai_handler, tianhe_handler):
        assert all(can(lead, order) for can in LEAD_ACTS)
        assert p.can_acknowledge(lead, order)
        assert p.can_progress(lead, order)
        assert not any(can(lead, order) for can in CENTRE_ACTS)
    assert not any(can(water_handler, order) for can in LEAD_ACTS)
    assert p.can_co_reply(water_handler, order)
    assert p.can_acknowledge(water_handler, order)
    assert not p.can_view_work_order(liede_handler, order)
    assert not p.can_acknowledge(liede_handler, order)


def test_manager_acts_like_handler_but_hall_staff_do_not(order, units) -> None:
    manager = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.shipai)
    hall = UserFactory(role=Role.HALL_STAFF, org_unit=units.shipai)
    assert p.can_reply(manager, order)
    assert p.can_view_work_order(manager, order)
    assert not p.can_reply(hall, order)
    assert not p.can_view_work_order(hall, order)


def test_inactive_and_anonymous(order, units) -> None:
    gone = UserFactory(role=Role.HOTLINE_AGENT, is_active=False)
    for user in (gone, AnonymousUser(), None):
        assert not p.can_view_work_order(user, order)
        assert not p.can_dispatch(user, order)
        assert not p.can_intake(user, Channel.PHONE)


@pytest.mark.parametrize(
    ("role", "channel", "allowed"),
    [
        (Role.HOTLINE_AGENT, Channel.PHONE, True),
        (Role.HOTLINE_AGENT, Channel.LETTER, True),
        (Role.CITIZEN, Channel.APP, True),
        (Role.CITIZEN, Channel.PHONE, False),
        (Role.ENTERPRISE_REP, Channel.OPEN311, True),
        (Role.ENTERPRISE_REP, Channel.TRANSFER, False),
        (Role.DEPT_HANDLER, Channel.WEB, False),
    ],
)
def test_can_intake(db, role, channel, allowed) -> None:
    assert p.can_intake(UserFactory(role=role), channel) is allowed


def test_system_actor_is_only_the_system() -> None:
    assert p.is_system_actor(Actor.system("sweep"))
    assert p.is_system_actor(Actor.cli(None))
    assert not p.is_system_actor(Actor(user=None, via="api"))
    assert not p.is_system_actor(Actor(user=None, via="web"))


def test_caller_and_timeline_rules(db, citizen, citizen_person, agent, shipai_handler) -> None:
    order = WorkOrderFactory(caller_person=citizen_person, confidential=True)
    assert p.is_caller(citizen, order)
    assert not p.is_caller(agent, order)
    assert p.caller_in_full(citizen, order)
    assert p.caller_in_full(agent, order)
    assert p.caller_hidden(shipai_handler, order)
    assert p.timeline_visibilities(agent, order) == frozenset(Visibility.values)
    assert p.timeline_visibilities(shipai_handler, order) == {Visibility.PUBLIC, Visibility.STAFF}
    assert p.timeline_visibilities(citizen, order) == {Visibility.PUBLIC}
    assert p.timeline_visibilities(UserFactory(role=Role.CITIZEN), order) == frozenset()
    # An agent who typed the order in is its recorder, not its caller.
    typed = WorkOrderFactory(submitted_by=agent, confidential=True)
    assert not p.is_caller(agent, typed)
