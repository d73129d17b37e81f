"""Fixtures for the certificates tests: the issuing departments of two types, their staff,
a citizen with a person and an enterprise representative with an enterprise."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hongmian.certificates.models import Certificate
from hongmian.certificates.services import certificate_issue
from hongmian.certificates.verification import revocations_changed
from hongmian.core.actors import Actor
from hongmian.core.keyring import keyring_cache_clear
from hongmian.identity.models import Enterprise, OrgUnit, Person, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)

MARRIAGE = {
    "certificate_no": "J440106-2024-001234",
    "spouse_name": "李四",
    "registered_on": "2024-05-20",
}
LICENCE = {
    "legal_representative": "黄志明",
    "registered_capital": "100万元人民币",
    "business_scope": "餐饮服务",
    "established_on": "2023-03-01",
}


def actor_of(user: User | None) -> Actor:
    if user is None:
        return Actor.cli(None, "test")
    return Actor(user=user, via="web", client_address="127.0.0.1")


@dataclass
class World:
    civil: OrgUnit
    market: OrgUnit
    clerk: User  # handler of 民政局: issues marriage certificates
    manager: User  # manager of 民政局: revokes them
    market_clerk: User
    citizen: User
    person: Person
    other_citizen: User
    other_person: Person
    rep: User
    enterprise: Enterprise

    def issue(self, **kwargs: Any) -> Certificate:
        kwargs.setdefault("type_code", "marriage")
        kwargs.setdefault("holder", self.person)
        kwargs.setdefault("data", MARRIAGE if kwargs["type_code"] == "marriage" else LICENCE)
        clerk = self.clerk if kwargs["type_code"] == "marriage" else self.market_clerk
        return certificate_issue(actor=actor_of(kwargs.pop("by", clerk)), **kwargs)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # Keys and revocations are cached per process; each test has its own database rows.
    keyring_cache_clear()
    revocations_changed()
    yield
    keyring_cache_clear()
    revocations_changed()


@pytest.fixture
def world(db: None) -> World:
    city = OrgUnitFactory(code="gz", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT)
    civil = OrgUnitFactory(code="gz-civil", name="广州市民政局", parent=city)
    market = OrgUnitFactory(code="gz-market", name="广州市市场监督管理局", parent=city)
    citizen = UserFactory(role=Role.CITIZEN, username="zhangsan", display_name="张三")
    other = UserFactory(role=Role.CITIZEN, username="lisi")
    rep = UserFactory(role=Role.ENTERPRISE_REP, username="rep")
    enterprise = EnterpriseFactory()
    enterprise.representatives.add(rep)
    return World(
        civil=civil,
        market=market,
        clerk=UserFactory(role=Role.DEPT_HANDLER, org_unit=civil, username="civil-clerk"),
        manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=civil, username="civil-mgr"),
        market_clerk=UserFactory(role=Role.DEPT_HANDLER, org_unit=market, username="mk-clerk"),
        citizen=citizen,
        person=PersonFactory(user=citizen, name="张三"),
        other_citizen=other,
        other_person=PersonFactory(user=other),
        rep=rep,
        enterprise=enterprise,
    )
