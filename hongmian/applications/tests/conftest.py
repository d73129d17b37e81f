"""Fixtures of the applications' tests: one department with a reviewer and a manager, one
of another district, a published item with a form and two materials, a citizen at L2 with
a file the police supplied."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hongmian.applications.models import Application
from hongmian.applications.services.drafts import application_create
from hongmian.applications.services.forms import item_form_set
from hongmian.catalog.models import Material, ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.identity.models import FileValue, OrgUnit, Person, User
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory, UserFactory

AS_OF = dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC)
FORM = [
    {"key": "name", "label": "姓名", "file_field": "identity.name"},
    {"key": "resident_id", "label": "身份证号", "file_field": "identity.resident_id"},
    {"key": "address", "label": "居住地址", "file_field": "address.residence"},
    {"key": "phone", "label": "联系电话", "kind": "phone"},
    {"key": "reason", "label": "申请事由", "kind": "textarea", "required": False},
]


def actor_of(user: User | None) -> Actor:
    return Actor(user=user, via="web", client_address="127.0.0.1")


@dataclass
class World:
    police: OrgUnit
    dept: OrgUnit
    other_dept: OrgUnit
    handler: User
    manager: User
    other_handler: User
    citizen: User
    person: Person
    other_citizen: User
    item: ServiceItem
    id_material: Material
    photo_material: Material

    def draft(self, user: User | None = None, **kwargs: Any) -> Application:
        return application_create(actor=actor_of(user or self.citizen), item=self.item, **kwargs)[0]


def make_item(dept: OrgUnit, code: str, **fields: Any) -> ServiceItem:
    fields.setdefault("name", "居住证签注")
    fields.setdefault("promised_limit_days", 5)
    fields.setdefault("required_level", 2)
    return ServiceItem.objects.create(
        code=code, department=dept, status=ItemStatus.PUBLISHED, revision=1, **fields
    )


@pytest.fixture
def world(db: None) -> World:
    police = OrgUnitFactory(code="gz-police", name="广州市公安局", short_name="市公安局")
    dept = OrgUnitFactory(code="a-dept", name="天河区政务服务数据管理局")
    other = OrgUnitFactory(code="b-dept", name="越秀区政务服务数据管理局")
    item = make_item(dept, "A-0001")
    id_material = Material.objects.create(item=item, position=1, name="申请人居民身份证")
    photo = Material.objects.create(item=item, position=2, name="近期免冠彩色证件照片")
    item_form_set(actor=Actor.system("test"), item=item, fields=FORM)
    citizen = UserFactory(role=Role.CITIZEN)
    person = PersonFactory(user=citizen, name="陈秀英", assurance_level=2)
    for key, value in (
        ("identity.name", "陈秀英"),
        ("identity.resident_id", person.resident_id),
        ("address.residence", "广州市天河区天河路1号"),
    ):
        FileValue.objects.create(
            person=person, field_key=key, value=value, source=police, as_of=AS_OF
        )
    other_citizen = UserFactory(role=Role.CITIZEN)
    PersonFactory(user=other_citizen, assurance_level=2)
    return World(
        police=police,
        dept=dept,
        other_dept=other,
        handler=UserFactory(role=Role.DEPT_HANDLER, org_unit=dept),
        manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=dept),
        other_handler=UserFactory(role=Role.DEPT_HANDLER, org_unit=other),
        citizen=citizen,
        person=person,
        other_citizen=other_citizen,
        item=item,
        id_material=id_material,
        photo_material=photo,
    )


def jpeg(name: str = "照片.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 40), (20, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
