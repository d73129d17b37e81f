"""Fixtures of the life-event bundles' tests: 出生一件事 over three items of three
departments, on the applications' test world."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hongmian.applications.models import Bundle, BundleApplication
from hongmian.applications.services import bundles
from hongmian.applications.services.forms import item_form_set
from hongmian.applications.tests.conftest import FORM, World, actor_of, jpeg, make_item
from hongmian.catalog.models import LifeEvent, Material
from hongmian.core.actors import Actor
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

CHILD = [{"key": "child_name", "label": "新生儿姓名"}]
SHARED = {"name": "陈秀英", "resident_id": "x", "address": "天河路1号", "phone": "13812345678"}


@dataclass
class Birth:
    bundle: Bundle
    health_handler: object
    insurance_handler: object


@pytest.fixture
def birth(world: World) -> Birth:
    """出生一件事 over three items of three departments: the world's item (the police's
    registration here), a health item and an insurance item; the ID card is asked by two."""
    health = OrgUnitFactory(code="h-dept", name="天河区卫生健康局")
    insurance = OrgUnitFactory(code="m-dept", name="广州市医疗保障局")
    world.item.name = "出生登记（户口申报）"
    world.item.save()
    item_form_set(actor=Actor.system("test"), item=world.item, fields=[*FORM, *CHILD])
    cert = make_item(health, "H-0001", name="出生医学证明首次签发")
    item_form_set(actor=Actor.system("test"), item=cert, fields=[*FORM[:2], *CHILD])
    Material.objects.create(item=cert, position=1, name="申请人居民身份证")
    medical = make_item(insurance, "M-0001", name="城乡居民医保参保登记")
    item_form_set(
        actor=Actor.system("test"),
        item=medical,
        fields=[*FORM[:4], {"key": "registered_address", "label": "户籍地址"}],
    )
    event = LifeEvent.objects.create(slug="birth", name="出生一件事")
    event.items.add(world.item, cert, medical)
    bundle = bundles.bundle_define(
        actor=Actor.system("test"),
        life_event=event,
        item_names=[world.item.name, cert.name, medical.name],
    )
    return Birth(
        bundle=bundle,
        health_handler=UserFactory(role=Role.DEPT_HANDLER, org_unit=health),
        insurance_handler=UserFactory(role=Role.DEPT_HANDLER, org_unit=insurance),
    )


def started(world: World, birth: Birth) -> BundleApplication:
    return bundles.bundle_start(actor=actor_of(world.citizen), bundle=birth.bundle)[0]


def filled(world: World, birth: Birth) -> BundleApplication:
    """A started bundle with every answer and every material."""
    started_ = started(world, birth)
    actor = actor_of(world.citizen)
    bundles.bundle_answers_update(
        actor=actor,
        bundle_application=started_,
        shared={**SHARED, "child_name": "陈小明"},
        own={2: {"registered_address": "天河区"}},
    )
    for name in ("申请人居民身份证", "近期免冠彩色证件照片"):
        bundles.bundle_material_upload(
            actor=actor, bundle_application=started_, name=name, upload=jpeg()
        )
    return started_
