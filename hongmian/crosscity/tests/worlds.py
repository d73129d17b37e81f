"""One city's small world for the cross-city tests, made the same way in this test's
database and in the second instance's (through `hongmian shell`): a department, an item
handled with the other city, its form and one material, a citizen at L2, a handler with an
API key."""

from __future__ import annotations

from typing import Any

from hongmian.applications.services.forms import item_form_set
from hongmian.catalog.models import Material, ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.identity.models import OrgUnit, Person, User
from hongmian.identity.states import Role

ITEM_CODE = "CC-0001"
MATERIAL = "申请人居民身份证"
# Provided by an e-certificate in the two-instance test (the receiver verifies it with the
# sender's published certificate keys).
CERT_MATERIAL = "居民户口簿"
FORM = [
    {"key": "name", "label": "姓名"},
    {"key": "resident_id", "label": "身份证号"},
    {"key": "phone", "label": "联系电话", "kind": "phone"},
]


def city_world(*, partner_name: str, prefix: str) -> dict[str, Any]:
    dept = OrgUnit.objects.create(code=f"{prefix}-dept", name=f"{prefix}政务服务数据管理局")
    item = ServiceItem.objects.create(
        code=ITEM_CODE,
        name="居住证签注",
        department=dept,
        status=ItemStatus.PUBLISHED,
        revision=1,
        promised_limit_days=5,
        required_level=2,
        partner_cities=[partner_name],
    )
    Material.objects.create(item=item, position=1, name=MATERIAL)
    Material.objects.create(item=item, position=2, name=CERT_MATERIAL, required=False)
    item_form_set(actor=Actor.system("test"), item=item, fields=FORM)
    citizen = User.objects.create_user(
        username=f"{prefix}-citizen", password="x", role=Role.CITIZEN
    )
    person = Person.objects.create(
        user=citizen, name="陈秀英", resident_id="440106199001011234", assurance_level=2
    )
    handler = User.objects.create_user(
        username=f"{prefix}-handler", password="x", role=Role.DEPT_HANDLER, org_unit=dept
    )
    return {"dept": dept, "item": item, "citizen": citizen, "person": person, "handler": handler}
