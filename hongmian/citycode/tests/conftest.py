"""Fixtures for the city code tests: a hall (name + attributes), a metro gate 30 km away
(valid/invalid only), a health department authorised for one attribute type, a citizen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from hongmian.citycode.models import AttributeType, CodeHolder, Terminal
from hongmian.citycode.selectors import key_set_forget
from hongmian.citycode.services.attributes import attribute_type_save
from hongmian.citycode.services.codes import citycode_holder_ensure
from hongmian.citycode.services.terminals import terminal_register
from hongmian.core.actors import Actor
from hongmian.core.keyring import keyring_cache_clear
from hongmian.identity.models import OrgUnit, Person, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory, UserFactory

SYSTEM = Actor.cli(None, "test")


def actor_of(user: User) -> Actor:
    return Actor(user=user, via="api", client_address="127.0.0.1")


@dataclass
class World:
    hall_unit: OrgUnit
    metro_unit: OrgUnit
    health: OrgUnit
    health_clerk: User
    other_clerk: User
    admin: User
    citizen: User
    person: Person
    holder: CodeHolder
    hall: Terminal
    gate: Terminal
    care: AttributeType


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # Keys are cached per process; each test has its own database rows.
    keyring_cache_clear()
    key_set_forget()
    yield
    keyring_cache_clear()
    key_set_forget()


@pytest.fixture
def world(db: None) -> World:
    city = OrgUnitFactory(code="gz", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT)
    hall_unit = OrgUnitFactory(code="gz-hall", name="广州市政务服务中心", parent=city)
    metro_unit = OrgUnitFactory(code="gz-metro", name="广州地铁集团", parent=city)
    health = OrgUnitFactory(code="gz-health", name="广州市卫生健康委员会", parent=city)
    other = OrgUnitFactory(code="gz-civil", name="广州市民政局", parent=city)
    care = attribute_type_save(
        actor=SYSTEM, code="elder_care", name="长者关爱", authorised_units=[health], values=["是"]
    )
    hall = terminal_register(
        actor=SYSTEM,
        code="hall-1",
        name="市政务中心一号机",
        kind="hall",
        owner_unit=hall_unit,
        place_name="天河区天府路1号",
        latitude="23.1291",
        longitude="113.3245",
        identity_fields=["name", "attributes"],
        attribute_types=[care],
    )
    gate = terminal_register(
        actor=SYSTEM,
        code="metro-panyu",
        name="番禺广场站闸机",
        kind="gate",
        owner_unit=metro_unit,
        place_name="番禺广场站",
        latitude="22.9380",
        longitude="113.3840",
    )
    citizen = UserFactory(role=Role.CITIZEN, username="zhangsan", display_name="张三")
    person = PersonFactory(user=citizen, name="张三")
    return World(
        hall_unit=hall_unit,
        metro_unit=metro_unit,
        health=health,
        health_clerk=UserFactory(role=Role.DEPT_HANDLER, org_unit=health, username="health-1"),
        other_clerk=UserFactory(role=Role.DEPT_HANDLER, org_unit=other, username="civil-1"),
        admin=UserFactory(role=Role.SYSTEM_ADMIN, username="admin-1"),
        citizen=citizen,
        person=person,
        holder=citycode_holder_ensure(actor=actor_of(citizen), person=person),
        hall=hall,
        gate=gate,
        care=care,
    )
