"""集体码 in real Chromium (issue 14, item 7; decision 0079): an enterprise's representative
makes the collective code asking for one status and invites a resident by ID number and
name; the resident consents on 我的红棉码, sharing that status; the representative then sees
the member active with the shared value and the collective QR. No serious axe-core
violation on either page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role
from tests.browser.test_assisted_service import _serious_violations

pytestmark = pytest.mark.browser


def test_an_enterprise_invites_and_the_member_consents(
    page: Any, make_user: Callable[..., Any], log_in: Callable[..., None]
) -> None:
    from hongmian.citycode.services.attributes import attribute_set, attribute_type_save
    from hongmian.core.actors import Actor
    from hongmian.identity.tests.factories import (
        EnterpriseFactory,
        OrgUnitFactory,
        PersonFactory,
    )

    civil = OrgUnitFactory(code="gz-civil", name="广州市民政局")
    clerk = make_user(Role.DEPT_HANDLER, username="civil-c", org_unit=civil)
    attribute_type_save(
        actor=Actor.cli(None, "test"),
        code="elder_care",
        name="长者关爱",
        authorised_units=[clerk.org_unit],
        values=["是"],
    )
    rep = make_user(Role.ENTERPRISE_REP, username="rep-c")
    EnterpriseFactory(name="广州市测试物流有限公司", representatives=[rep])
    citizen = make_user(Role.CITIZEN, username="member-c")
    person = PersonFactory(user=citizen, name="陈秀英")
    attribute_set(
        actor=Actor(user=clerk, via="web"), person=person, type_code="elder_care", value="是"
    )

    log_in(rep.username)
    page.goto("/citycode/collectives/")
    assert not _serious_violations(page)
    page.get_by_label("名称").fill("物流公司员工码")
    page.get_by_label("长者关爱").check()
    page.get_by_role("button", name="申领").click()
    page.wait_for_url("**/citycode/collectives/*/")
    page.get_by_label("身份证号码").fill(person.resident_id)
    page.get_by_label("姓名").fill("陈秀英")
    page.get_by_role("button", name="邀请").click()
    page.wait_for_load_state()
    assert "待本人确认" in page.locator(".messages").inner_text()
    assert "待确认 1" in page.locator("#member-counts").inner_text()

    page.context.clear_cookies()
    log_in(citizen.username)
    page.goto("/me/citycode/")
    memberships = page.locator("#memberships")
    assert "物流公司员工码" in memberships.inner_text()
    assert not _serious_violations(page)
    memberships.get_by_label("长者关爱").check()
    memberships.get_by_role("button", name="同意加入").click()
    page.wait_for_load_state()
    assert "已加入" in page.locator("#memberships").inner_text()

    page.context.clear_cookies()
    log_in(rep.username)
    page.goto("/citycode/collectives/")
    page.get_by_role("link", name="物流公司员工码").click()
    page.wait_for_url("**/citycode/collectives/*/")
    row = page.locator("#members tbody tr").first
    assert "陈秀英" in row.inner_text()
    assert "有效" in row.inner_text()
    assert person.resident_id not in row.inner_text()  # masked
    assert page.locator("#cc-code svg").count() == 1
    assert not _serious_violations(page)
