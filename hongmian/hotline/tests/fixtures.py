"""Fixtures for the hotline's tests and the insights app's (both conftests import them from
here): a small organisation tree, one user per role, actors.

    city ─┬─ centre (12345 热线中心: agent, supervisor)
          ├─ tianhe (区政府: tianhe_handler) ─┬─ shipai (街道: shipai_handler)
          │                                   └─ liede (街道: liede_handler)
          ├─ yuexiu (区政府: yuexiu_handler)
          └─ water (市水务局: water_handler)

`actor_of(user)` (from factories) turns any user into the Actor a web request would build;
`article` is a published knowledge article, for direct answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from hongmian.core.actors import Actor
from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.tests.factories import CategoryFactory, actor_of
from hongmian.identity.models import OrgUnit, Person, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory, UserFactory


@dataclass
class Units:
    city: OrgUnit
    centre: OrgUnit
    tianhe: OrgUnit
    shipai: OrgUnit
    liede: OrgUnit
    yuexiu: OrgUnit
    water: OrgUnit


@pytest.fixture
def units(db: None) -> Units:
    city = OrgUnitFactory(code="h-city", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT)
    centre = OrgUnitFactory(
        code="h-centre", name="12345热线中心", kind=UnitKind.HOTLINE_CENTRE, parent=city
    )
    tianhe = OrgUnitFactory(
        code="h-tianhe",
        name="天河区人民政府",
        kind=UnitKind.DISTRICT_GOVERNMENT,
        division_code="440106000",
        parent=city,
    )
    shipai = OrgUnitFactory(
        code="h-shipai",
        name="石牌街道办事处",
        kind=UnitKind.STREET,
        division_code="440106006",
        parent=tianhe,
    )
    liede = OrgUnitFactory(
        code="h-liede",
        name="猎德街道办事处",
        kind=UnitKind.STREET,
        division_code="440106013",
        parent=tianhe,
    )
    yuexiu = OrgUnitFactory(
        code="h-yuexiu",
        name="越秀区人民政府",
        kind=UnitKind.DISTRICT_GOVERNMENT,
        division_code="440104000",
        parent=city,
    )
    water = OrgUnitFactory(
        code="h-water", name="广州市水务局", kind=UnitKind.CITY_DEPARTMENT, parent=city
    )
    return Units(city, centre, tianhe, shipai, liede, yuexiu, water)


@pytest.fixture
def agent(units: Units) -> User:
    return UserFactory(role=Role.HOTLINE_AGENT, org_unit=units.centre, display_name="话务员小李")


@pytest.fixture
def supervisor(units: Units) -> User:
    return UserFactory(
        role=Role.HOTLINE_SUPERVISOR, org_unit=units.centre, display_name="督办员老王"
    )


@pytest.fixture
def tianhe_handler(units: Units) -> User:
    return UserFactory(role=Role.DEPT_HANDLER, org_unit=units.tianhe)


@pytest.fixture
def shipai_handler(units: Units) -> User:
    return UserFactory(role=Role.DEPT_HANDLER, org_unit=units.shipai)


@pytest.fixture
def liede_handler(units: Units) -> User:
    return UserFactory(role=Role.DEPT_HANDLER, org_unit=units.liede)


@pytest.fixture
def yuexiu_handler(units: Units) -> User:
    return UserFactory(role=Role.DEPT_HANDLER, org_unit=units.yuexiu)


@pytest.fixture
def water_handler(units: Units) -> User:
    return UserFactory(role=Role.DEPT_HANDLER, org_unit=units.water)


@pytest.fixture
def citizen(db: None) -> User:
    return UserFactory(role=Role.CITIZEN)


@pytest.fixture
def citizen_person(citizen: User) -> Person:
    return PersonFactory(user=citizen, name="张小明", mobile="13800138000")


@pytest.fixture
def agent_actor(agent: User) -> Actor:
    return actor_of(agent)


@pytest.fixture
def supervisor_actor(supervisor: User) -> Actor:
    return actor_of(supervisor)


@pytest.fixture
def category(db: None) -> Category:
    root = CategoryFactory(code="h-env", name="环境保护")
    return CategoryFactory(code="h-env-noise", name="噪音污染", parent=root)


@pytest.fixture
def article(units: Units) -> Iterator[Any]:
    """A published answer of 市水务局, written and approved through the knowledge app."""
    from hongmian.knowledge import services
    from hongmian.knowledge.search import _backend

    _backend.cache_clear()  # the search index is per process; build it from this test's rows
    author = UserFactory(role=Role.DEPT_HANDLER, org_unit=units.water)
    manager = UserFactory(role=Role.DEPT_MANAGER, org_unit=units.water)
    article = services.article_create(
        actor=actor_of(author),
        owning_unit=units.water,
        title="停水查询",
        body="计划停水会提前公告，突然停水可拨打自来水公司热线 96968 查询。",
    )
    services.article_submit(actor=actor_of(author), article=article)
    services.article_approve(actor=actor_of(manager), article=article)
    yield article
    _backend.cache_clear()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The notices the services ask for, as (kind, order id), instead of enqueuing jobs.
    Services call them on commit: wrap the call in django_capture_on_commit_callbacks."""
    from hongmian.hotline import notifications

    calls: list[tuple[str, int]] = []
    for kind in ("order_received", "reply_ready", "callback_requested"):
        monkeypatch.setattr(
            notifications, kind, lambda order_id, kind=kind, **_: calls.append((kind, order_id))
        )
    # Intake queues its notices (one or many orders) through orders_received, inside the
    # order's transaction when the queue is the database; here they are counted on commit
    # like the others (test_notifications checks the queue rows themselves).
    monkeypatch.setattr(
        notifications,
        "orders_received",
        lambda orders: calls.extend(("order_received", pk) for pk, _ in orders),
    )
    monkeypatch.setattr(
        notifications,
        "in_transaction",
        lambda notice, *args, **kwargs: transaction.on_commit(lambda: notice(*args, **kwargs)),
    )
    return calls


class Flow:
    """Reaches a status through the services themselves (so clocks, assignments and the
    timeline are real): `flow.replied(units.shipai)` is taken, dispatched, 签收 and replied."""

    def __init__(self, units: Units, agent: User) -> None:
        self.units = units
        self.agent = agent
        self.centre = actor_of(agent)
        self.handlers: dict[int, User] = {}

    def handler(self, unit: OrgUnit) -> User:
        if unit.pk not in self.handlers:
            self.handlers[unit.pk] = UserFactory(role=Role.DEPT_HANDLER, org_unit=unit)
        return self.handlers[unit.pk]

    def received(self, **fields: object) -> WorkOrder:
        from hongmian.hotline.services.intake import work_order_intake
        from hongmian.hotline.services.intake_validation import IntakeRequest

        values: dict[str, object] = {
            "channel": "phone",
            "request_type": "complaint",
            "title": "石牌街道垃圾清运不及时",
            "content": "垃圾堆放三天无人清理。",
            "caller_name": "陈先生",
            "caller_phone": "13800138000",
            "address": "天河区石牌街道华师路1号",
        }
        order, _ = work_order_intake(
            actor=self.centre,
            request=IntakeRequest(**(values | fields)),
        )
        return order

    def dispatched(self, unit: OrgUnit | None = None, **fields: object) -> WorkOrder:
        from hongmian.hotline.services.lifecycle_dispatch import work_order_dispatch

        co_units = fields.pop("co_units", ())
        return work_order_dispatch(
            actor=self.centre,
            order=self.received(**fields),
            lead_unit=unit or self.units.shipai,
            co_units=co_units,  # type: ignore[arg-type]
        )

    def acknowledged(self, unit: OrgUnit | None = None, **fields: object) -> WorkOrder:
        from hongmian.hotline.services.lifecycle_dispatch import work_order_acknowledge

        unit = unit or self.units.shipai
        order = self.dispatched(unit, **fields)
        return work_order_acknowledge(actor=actor_of(self.handler(unit)), order=order)

    def replied(self, unit: OrgUnit | None = None, **fields: object) -> WorkOrder:
        from hongmian.hotline.services.lifecycle_handling import work_order_reply

        unit = unit or self.units.shipai
        order = self.acknowledged(unit, **fields)
        return work_order_reply(
            actor=actor_of(self.handler(unit)), order=order, reply="已清运，并加密清运频次。"
        )


@pytest.fixture
def flow(units: Units, agent: User) -> Flow:
    return Flow(units, agent)


def stored_files() -> list[str]:
    """Every file in the attachments' storage (a folder for the whole run: conftest.py)."""
    from hongmian.hotline.services.attachments import attachment_storage

    root = attachment_storage().path("")
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


@pytest.fixture
def new_files() -> Callable[[], list[str]]:
    """The attachment files the test has stored so far."""
    before = set(stored_files())
    return lambda: sorted(set(stored_files()) - before)


# The fixtures a conftest takes with `from hongmian.hotline.tests.fixtures import *`: the
# hotline's own tests and the insights app's, which run on the same orders.
__all__ = [
    "agent",
    "agent_actor",
    "article",
    "category",
    "citizen",
    "citizen_person",
    "flow",
    "liede_handler",
    "new_files",
    "sent",
    "shipai_handler",
    "supervisor",
    "supervisor_actor",
    "tianhe_handler",
    "units",
    "water_handler",
    "yuexiu_handler",
]
