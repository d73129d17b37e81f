"""Shared fixtures of the file tests: the departments that own fields, their stewards, a
person and an enterprise with an account each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from hongmian.identity.models import Enterprise, OrgUnit, Person, User
from hongmian.identity.services.files import FileRecord
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)

AS_OF = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Depts:
    police: OrgUnit
    traffic: OrgUnit  # 车管所, under the police
    hrss: OrgUnit
    market: OrgUnit
    tax: OrgUnit
    police_steward: User
    hrss_steward: User
    market_steward: User


@dataclass
class Owners:
    citizen: User
    person: Person
    other_citizen: User
    other_person: Person
    rep: User
    enterprise: Enterprise


@pytest.fixture
def depts(db: None) -> Depts:
    police = OrgUnitFactory(code="gz-police", name="广州市公安局", short_name="市公安局")
    traffic = OrgUnitFactory(
        code="gz-police-vms", name="广州市公安局交通警察支队车辆管理所", parent=police
    )
    hrss = OrgUnitFactory(code="gz-hrss", name="广州市人力资源和社会保障局", short_name="市人社局")
    market = OrgUnitFactory(
        code="gz-market", name="广州市市场监督管理局", short_name="市市场监管局"
    )
    tax = OrgUnitFactory(code="gz-tax", name="国家税务总局广州市税务局", short_name="市税务局")
    OrgUnitFactory(code="gz-edu", name="广州市教育局", short_name="市教育局")
    return Depts(
        police=police,
        traffic=traffic,
        hrss=hrss,
        market=market,
        tax=tax,
        police_steward=UserFactory(role=Role.DATA_STEWARD, org_unit=police),
        hrss_steward=UserFactory(role=Role.DATA_STEWARD, org_unit=hrss),
        market_steward=UserFactory(role=Role.DATA_STEWARD, org_unit=market),
    )


@pytest.fixture
def owners(db: None) -> Owners:
    citizen = UserFactory(role=Role.CITIZEN)
    other = UserFactory(role=Role.CITIZEN)
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    enterprise = EnterpriseFactory()
    enterprise.representatives.add(rep)
    return Owners(
        citizen=citizen,
        person=PersonFactory(user=citizen, name="陈秀英"),
        other_citizen=other,
        other_person=PersonFactory(user=other),
        rep=rep,
        enterprise=enterprise,
    )


def person_record(
    person: Person, field: str, value: object, as_of: dt.datetime = AS_OF
) -> FileRecord:
    return FileRecord(field=field, value=value, as_of=as_of, resident_id=person.resident_id)


def enterprise_record(
    enterprise: Enterprise, field: str, value: object, as_of: dt.datetime = AS_OF
) -> FileRecord:
    return FileRecord(field=field, value=value, as_of=as_of, credit_code=enterprise.credit_code)
