"""跨域通办 in real Chromium (issue 13, items 5 and 7): the citizen submits a draft to a
partner city from the application's page and sees where it is — sent, then the partner's
status as it comes back ("广安市 已受理"); the department's handler finds an application that
a partner city sent here on the desk marked with that city, and its review page says so —
with no serious axe-core violation on the panel or the desk."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role
from tests.browser.test_applications import _serious_violations

pytestmark = pytest.mark.browser

ANSWERS = {"name": "陈秀英", "resident_id": "440106199001011234", "phone": "13800138000"}


def _world(citizen: Any, handler: Any) -> Any:
    from django.utils import timezone
    from joserfc.jwk import ECKey

    from hongmian.applications.services.forms import item_form_set
    from hongmian.catalog.models import Material, ServiceItem
    from hongmian.core.actors import Actor
    from hongmian.crosscity.models import Partner
    from hongmian.crosscity.services.partners import partner_add
    from hongmian.crosscity.tests.conftest import jwk_set
    from hongmian.identity.models import Person

    item = ServiceItem.objects.create(
        code="CC-0001",
        name="居住证签注",
        department=handler.org_unit,
        status="published",
        revision=1,
        promised_limit_days=5,
        required_level=2,
        partner_cities=["广安市"],
    )
    Material.objects.create(item=item, position=1, name="申请人居民身份证")
    item_form_set(
        actor=Actor.system("test"),
        item=item,
        fields=[
            {"key": "name", "label": "姓名"},
            {"key": "resident_id", "label": "身份证号"},
            {"key": "phone", "label": "联系电话", "kind": "phone"},
        ],
    )
    Person.objects.create(
        user=citizen, name="陈秀英", resident_id="440106199001011234", assurance_level=2
    )
    key = ECKey.generate_key("P-256", parameters={"kid": "ga-1"}, private=True)
    partner = partner_add(
        actor=Actor.system("test"), code="511600", name="广安市", endpoint="http://127.0.0.1:9"
    )
    Partner.objects.filter(pk=partner.pk).update(
        jwks=jwk_set(key), certificates_jwks=jwk_set(key), keys_fetched_at=timezone.now()
    )
    return item, key


def test_send_to_a_partner_city_and_see_its_status(
    page: Any, make_user: Callable[..., Any], log_in: Callable[..., None]
) -> None:
    from hongmian.applications.services.drafts import application_create
    from hongmian.applications.services.materials import material_upload
    from hongmian.applications.tests.conftest import actor_of, jpeg
    from hongmian.crosscity.models import Package
    from hongmian.crosscity.services.receiving import package_receive
    from hongmian.crosscity.services.status import status_receive
    from hongmian.crosscity.states import TYP_PACKAGE, TYP_STATUS
    from hongmian.crosscity.tests.conftest import sign

    citizen = make_user(Role.CITIZEN)
    handler = make_user(Role.DEPT_HANDLER, username="handler-b")
    item, key = _world(citizen, handler)
    draft, _ = application_create(actor=actor_of(citizen), item=item, answers=ANSWERS)
    material_upload(
        actor=actor_of(citizen),
        application=draft,
        material_id=item.materials.get().pk,
        upload=jpeg(),
    )

    log_in(citizen.username)
    page.goto(f"/me/applications/{draft.pk}/")
    panel = page.locator("#crosscity")
    assert _serious_violations(page) == []
    panel.get_by_label("办理城市").select_option(label="广安市")
    panel.get_by_role("button", name="提交到所选城市办理").click()
    page.wait_for_load_state()
    assert "申请已签名发往广安市" in page.locator(".messages").inner_text()
    assert "发往广安市" in panel.inner_text()
    assert panel.locator("[data-delivery]").inner_text().startswith("待发送")
    assert page.locator("#status").inner_text() == "已提交"

    # 广安市 accepts it: its signed status update arrives (as the partner's job would post it).
    package = Package.objects.get(application=draft)
    status_receive(
        token=sign(
            key,
            {
                "typ": TYP_STATUS,
                "uid": str(uuid.uuid4()),
                "pid": str(package.package_id),
                "iss": "511600",
                "aud": "440100",
                "iat": int(time.time()),
                "status": "accepted",
                "status_label": "已受理",
                "reference": "SQ202612080000009",
            },
        )
    )
    page.reload()
    assert "广安市 已受理" in panel.inner_text()
    assert "广安市 已受理" in page.locator("#events").inner_text()

    # An application 广安市 sent here: on the handler's desk, marked with the city.
    package_receive(
        token=sign(
            key,
            {
                "typ": TYP_PACKAGE,
                "pid": str(uuid.uuid4()),
                "iss": "511600",
                "aud": "440100",
                "iat": int(time.time()),
                "item": {"code": item.code, "name": item.name},
                "reference": "SQ202612080000042",
                "form": {"revision": 1, "answers": ANSWERS},
                "applicant": {"name": "李四", "resident_id": "440106199202021234"},
                "materials": [],
                "certificates": [],
            },
        ),
        files=[],
    )
    log_in(handler.username, switching=True)
    page.goto("/applications/desk/")
    badge = page.locator("[data-origin]")
    assert badge.count() == 1
    assert badge.inner_text() == "跨域·广安市"
    assert draft.number not in page.locator("table").inner_text()  # sent away: not ours
    assert _serious_violations(page) == []
    page.locator("[data-origin]").locator("xpath=ancestor::tr//a").click()
    page.wait_for_load_state()
    assert "广安市发来，对方编号 SQ202612080000042" in page.locator("#origin").inner_text()
