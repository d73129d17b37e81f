"""A small world for the booking tests: one district hall with two windows (4 seats a
slot), Monday–Friday hours, one appointment item, people and staff. Dates are fixed and
`now` is passed to the services, so the calendar of the day the tests run never matters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from hongmian.appointments.models import Hall, ItemGroup, OpeningHours, Slot, Window
from hongmian.appointments.services.slots import slots_generate
from hongmian.appointments.states import HallLevel
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.core.calendar import CALENDAR_TZ
from hongmian.geo.models import Division
from hongmian.identity.models import Person, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory, UserFactory

# A Monday with nothing special about it, and the Friday before it.
DAY = dt.date(2026, 12, 14)
NOW = dt.datetime(2026, 12, 11, 10, 0, tzinfo=CALENDAR_TZ)


def actor_of(user: User | None) -> Actor:
    return Actor(user=user, via="web", client_address="127.0.0.1")


@dataclass
class World:
    hall: Hall
    group: ItemGroup
    item: ServiceItem
    other_item: ServiceItem
    citizen: User
    person: Person
    other_citizen: User
    other_person: Person
    agent: User
    hall_staff: User
    other_staff: User

    def slots(self, day: dt.date = DAY) -> list[Slot]:
        return list(Slot.objects.filter(hall=self.hall, day=day).order_by("starts_at"))


def citizen_with_person(username: str) -> tuple[User, Person]:
    user = UserFactory(role=Role.CITIZEN, username=username)
    return user, PersonFactory(user=user)


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def make_world(citizen: User | None = None) -> World:
    """The world above; `citizen` (with a person made for it) instead of a new one."""
    city = Division.objects.create(code="440100000", name="广州市", short_name="广州", level="city")
    district = Division.objects.create(
        code="440106000", name="天河区", short_name="天河", level="district", parent=city
    )
    unit = OrgUnitFactory(code="t-hall", name="天河区政务服务中心", kind=UnitKind.SERVICE_HALL)
    elsewhere = OrgUnitFactory(code="t-elsewhere", kind=UnitKind.SERVICE_HALL)
    dept = OrgUnitFactory(code="t-police", name="天河区公安分局")
    item = ServiceItem.objects.create(
        code="T-0001",
        name="居民身份证换领",
        department=dept,
        status=ItemStatus.PUBLISHED,
        appointment_required=True,
    )
    other_item = ServiceItem.objects.create(
        code="T-0002",
        name="内地居民婚姻登记",
        department=dept,
        status=ItemStatus.PUBLISHED,
        appointment_required=True,
    )
    hall = Hall.objects.create(
        code="HT",
        name="天河区政务服务中心",
        level=HallLevel.DISTRICT,
        division=district,
        org_unit=unit,
        address="天河区测试路 1 号",
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            hall=hall, weekday=weekday, opens=dt.time(9, 0), closes=dt.time(12, 0)
        )
        OpeningHours.objects.create(
            hall=hall, weekday=weekday, opens=dt.time(13, 30), closes=dt.time(17, 30)
        )
    group = ItemGroup.objects.create(hall=hall, name="户籍证件", slot_minutes=30, per_window=2)
    group.items.add(item, other_item)
    Window.objects.create(hall=hall, number="01", group=group)
    Window.objects.create(hall=hall, number="02", group=group)
    slots_generate(actor=Actor.system("test"), days=1, start=DAY, halls=[hall])
    if citizen is None:
        citizen, person = citizen_with_person("t-citizen")
    else:
        person = PersonFactory(user=citizen)
    other_citizen, other_person = citizen_with_person("t-other")
    return World(
        hall=hall,
        group=group,
        item=item,
        other_item=other_item,
        citizen=citizen,
        person=person,
        other_citizen=other_citizen,
        other_person=other_person,
        agent=UserFactory(role=Role.HOTLINE_AGENT, username="t-agent"),
        hall_staff=UserFactory(role=Role.HALL_STAFF, org_unit=unit, username="t-hall"),
        other_staff=UserFactory(role=Role.HALL_STAFF, org_unit=elsewhere, username="t-hall2"),
    )
