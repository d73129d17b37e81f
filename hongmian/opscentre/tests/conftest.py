"""Fixtures for the operations centre: an owner unit that takes hotline orders, the chief
data officer, a store folder for datasets, and a helper that makes an indicator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory
from hongmian.opscentre.models import Indicator
from hongmian.opscentre.services.indicators import IndicatorSpec, indicator_create

SYSTEM = Actor.system("test")
TODAY = dt.date(2026, 12, 8)


@pytest.fixture(autouse=True)
def _store(settings: Any, tmp_path: Path) -> Path:
    settings.HONGMIAN_DATAHUB_STORE = tmp_path / "datahub"
    return tmp_path / "datahub"


@pytest.fixture
def owner(db: None) -> OrgUnit:
    city = OrgUnitFactory(code="o-city", name="市政府", kind=UnitKind.CITY_GOVERNMENT)
    return OrgUnitFactory(
        code="o-tianhe", name="天河区人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, parent=city
    )


def make_indicator(owner: OrgUnit, code: str = "HOT-COMPLAINTS", **spec: Any) -> Indicator:
    fields: dict[str, Any] = {
        "name": "投诉量",
        "owner": owner,
        "source": "hotline_orders",
        "measure": "count",
        "unit_of_measure": "件",
        "warn": 2,
        "alarm": 3,
        **spec,
    }
    return indicator_create(actor=SYSTEM, code=code, spec=IndicatorSpec(**fields))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
