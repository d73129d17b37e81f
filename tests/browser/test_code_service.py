"""码上办 in real Chromium (issue 14, item 8; decision 0079): the hall's terminal scans the
person's city code through the API; its answer checks them in (no booking today: a coded
answer) and links the desk; the hall's staff open the link, see the person and the
code-service items (true count), choose one, and the application opens filled from the
person's file under their own consent. No serious axe-core violation on the desk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role
from tests.browser.test_assisted_service import _serious_violations, _world

pytestmark = pytest.mark.browser


def test_a_scan_at_the_hall_starts_a_prefilled_code_service(
    page: Any, make_user: Callable[..., Any], log_in: Callable[..., None]
) -> None:
    from hongmian.appointments.models import Hall
    from hongmian.citycode.services.codes import citycode_holder_ensure, citycode_issue
    from hongmian.citycode.services.terminals import terminal_register
    from hongmian.core.actors import Actor
    from hongmian.geo.models import Division
    from hongmian.identity.services.api_keys import api_key_create
    from hongmian.identity.tests.factories import OrgUnitFactory

    staff = make_user(Role.HALL_STAFF, username="hall-c", display_name="窗口乙")
    citizen = make_user(Role.CITIZEN, username="elder-c")
    item, person = _world(citizen, staff.org_unit)
    item.code_service = True
    item.save(update_fields=["code_service"])
    Hall.objects.create(
        code="YX",
        name="越秀区政务服务中心",
        level="district",
        division=Division.objects.create(code="440100000", name="广州市", level="city"),
        org_unit=staff.org_unit,
        address="越秀区测试路 1 号",
    )
    system = Actor.cli(None, "test")
    terminal = terminal_register(
        actor=system,
        code="yx-1",
        name="越秀中心取号机",
        kind="hall",
        owner_unit=staff.org_unit,
        place_name="越秀区测试路 1 号",
        latitude="23.13",
        longitude="113.27",
        identity_fields=["name"],
    )
    _row, key = api_key_create(actor=system, user=terminal.account, name="终端密钥")
    holder = citycode_holder_ensure(actor=Actor(user=citizen, via="web"), person=person)
    scanned = page.request.post(
        "/api/citycode/scans",
        data={"payload": citycode_issue(holder=holder).payload},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert scanned.status == 200
    answer = scanned.json()
    assert (answer["valid"], answer["name"]) == (True, "陈秀英")
    assert answer["checkin"]["code"] == "checkin.no_booking"
    log_in(staff.username)
    page.goto(answer["desk_url"])
    assert page.locator("#desk-name").inner_text() == "陈秀英"
    assert page.locator("#desk-count").inner_text() == "共 1 项"
    assert not _serious_violations(page)
    page.get_by_role("button", name="开始办理").click()
    page.wait_for_url("**/applications/assist/applications/*/")
    assert page.get_by_label("申请人姓名").input_value() == "陈秀英"
    assert page.get_by_label("居住地址").input_value() == "广州市越秀区北京路1号"
    # Another hall's staff cannot open the same scan's desk.
    page.context.clear_cookies()
    elsewhere = OrgUnitFactory(code="GZ-HZ", name="海珠区政务服务中心")
    log_in(make_user(Role.HALL_STAFF, username="hall-d", org_unit=elsewhere).username)
    response = page.goto(answer["desk_url"])
    assert response is not None
    assert response.status == 404
