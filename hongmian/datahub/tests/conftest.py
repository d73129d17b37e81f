"""Fixtures for the data hub: two departments with a steward each, the chief data officer,
a store in a temporary folder, and a helper that creates datasets through the service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hongmian.core.actors import Actor
from hongmian.datahub.models import Dataset
from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
from hongmian.datahub.states import SharingType
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory


def actor_of(user: User) -> Actor:
    return Actor(user=user, via="web", client_address="127.0.0.1")


@dataclass
class Org:
    city: OrgUnit
    housing: OrgUnit
    police: OrgUnit
    steward: User  # data steward of housing
    police_steward: User
    handler: User  # a housing handler: reads, never edits
    cdo: User


@pytest.fixture
def org(db: None) -> Org:
    city = OrgUnitFactory(code="d-city", name="市政府", kind=UnitKind.CITY_GOVERNMENT)
    housing = OrgUnitFactory(code="d-housing", name="广州市住房和城乡建设局", parent=city)
    police = OrgUnitFactory(code="d-police", name="广州市公安局", parent=city)
    return Org(
        city=city,
        housing=housing,
        police=police,
        steward=UserFactory(role=Role.DATA_STEWARD, org_unit=housing, username="d-steward"),
        police_steward=UserFactory(role=Role.DATA_STEWARD, org_unit=police, username="d-ps"),
        handler=UserFactory(role=Role.DEPT_HANDLER, org_unit=housing, username="d-handler"),
        cdo=UserFactory(role=Role.CHIEF_DATA_OFFICER, username="d-cdo"),
    )


@pytest.fixture(autouse=True)
def _store(settings: Any, tmp_path: Path) -> Path:
    settings.HONGMIAN_DATAHUB_STORE = tmp_path / "datahub"
    return tmp_path / "datahub"


BUILDINGS = {
    "primaryKey": "building_id",
    "fields": [
        {
            "name": "building_id",
            "type": "string",
            "constraints": {"required": True, "pattern": "B[0-9]{4}"},
        },
        {"name": "district", "type": "string", "constraints": {"enum": ["越秀区", "天河区"]}},
        {"name": "floors", "type": "integer", "constraints": {"minimum": 1, "maximum": 120}},
        {"name": "built", "type": "date"},
        {"name": "owner_phone", "type": "string", "grade": "important", "personal": True},
    ],
}
PERMITS = {
    "primaryKey": ["permit_no"],
    "foreignKeys": [
        {
            "fields": "building_id",
            "reference": {"resource": "HZ-BUILDINGS", "fields": "building_id"},
        }
    ],
    "fields": [
        {"name": "permit_no", "type": "integer", "constraints": {"required": True}},
        {"name": "building_id", "type": "string"},
        {"name": "issued", "type": "datetime"},
    ],
}


def make_dataset(
    org: Org,
    *,
    code: str = "HZ-BUILDINGS",
    schema: dict[str, Any] | None = None,
    sharing: str = SharingType.UNCONDITIONAL,
    unit: OrgUnit | None = None,
    **meta: Any,
) -> Dataset:
    meta.setdefault("name", "房屋建筑基础信息")
    if sharing != SharingType.UNCONDITIONAL:
        meta.setdefault("legal_basis", "《广州市政务数据管理办法》")
    return dataset_create(
        actor=actor_of(org.cdo),
        code=code,
        provider=unit or org.housing,
        schema=schema or BUILDINGS,
        meta=DatasetMeta(sharing_type=sharing, **meta),
    )
