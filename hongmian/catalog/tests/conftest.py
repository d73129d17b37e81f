"""Fixtures for the catalogue tests: a small organisation, one user per role that matters,
and a helper that makes items through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hongmian.catalog.models import ServiceItem
from hongmian.catalog.services.content import ItemContent
from hongmian.catalog.services.items import (
    catalog_item_approve,
    catalog_item_create,
    catalog_item_submit,
)
from hongmian.core.actors import Actor
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory


def actor_of(user: User) -> Actor:
    return Actor(user=user, via="web", client_address="127.0.0.1")


@dataclass
class Org:
    """city ─┬─ market (市场监管局) ── market_office (a section below it)
    └─ police (公安局)"""

    city: OrgUnit
    market: OrgUnit
    market_office: OrgUnit
    police: OrgUnit
    author: User  # handler of market
    manager: User  # manager of market
    police_author: User
    police_manager: User
    cdo: User  # chief data officer: reviews and imports city-wide
    citizen: User


@pytest.fixture
def org(db: None) -> Org:
    city = OrgUnitFactory(code="c-city", name="市政府", kind=UnitKind.CITY_GOVERNMENT)
    market = OrgUnitFactory(
        code="c-market", name="广州市市场监督管理局", short_name="市市场监管局", parent=city
    )
    office = OrgUnitFactory(code="c-market-lic", name="登记注册处", parent=market)
    police = OrgUnitFactory(code="c-police", name="广州市公安局", parent=city)
    return Org(
        city=city,
        market=market,
        market_office=office,
        police=police,
        author=UserFactory(role=Role.DEPT_HANDLER, org_unit=market, username="c-author"),
        manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=market, username="c-manager"),
        police_author=UserFactory(role=Role.DEPT_HANDLER, org_unit=police, username="c-pa"),
        police_manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=police, username="c-pm"),
        cdo=UserFactory(role=Role.CHIEF_DATA_OFFICER, username="c-cdo"),
        citizen=UserFactory(role=Role.CITIZEN, username="c-citizen"),
    )


def make_item(
    org: Org,
    *,
    code: str = "C-0001",
    publish: bool = True,
    unit: OrgUnit | None = None,
    **fields: Any,
) -> ServiceItem:
    """An item of `unit` (market by default), written by its handler and, if `publish`,
    approved by its manager."""
    unit = unit or org.market
    ours = unit.path.startswith(org.market.path)
    author = org.author if ours else org.police_author
    manager = org.manager if ours else org.police_manager
    fields.setdefault("name", "食品经营许可")
    item = catalog_item_create(
        actor=actor_of(author), department=unit, code=code, content=ItemContent(**fields)
    )
    if publish:
        catalog_item_submit(actor=actor_of(author), item=item)
        catalog_item_approve(actor=actor_of(manager), item=item)
    item.refresh_from_db()
    return item


__all__ = ["Org", "actor_of", "make_item"]
