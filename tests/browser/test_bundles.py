"""一件事一次办 in real Chromium (issue 13, item 4): an elder-mode citizen opens the life
event's page, clicks 一次办理, fills the combined form once (the shared name from their file
with its source, asked once for both items), uploads the shared material once, submits
both items in one go and sees the combined status; each department's handler sees only
their own part; one accepts, the other refuses at the door, and the citizen sees the
whole bundle withdrawn with the reason — with no serious axe-core violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role
from tests.browser.test_applications import _photo, _serious_violations

pytestmark = pytest.mark.browser


def _bundle(citizen: Any, police: Any, insurance: Any) -> None:
    from hongmian.applications.services.bundles import bundle_define
    from hongmian.applications.services.forms import item_form_set
    from hongmian.catalog.models import LifeEvent, Material, ServiceItem
    from hongmian.core.actors import Actor
    from hongmian.identity.models import FileValue
    from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory

    source = OrgUnitFactory(code="gz-police", name="广州市公安局", short_name="市公安局")
    common = [
        {"key": "name", "label": "申请人姓名", "file_field": "identity.name"},
        {"key": "phone", "label": "联系电话", "kind": "phone"},
        {"key": "child_name", "label": "新生儿姓名"},
    ]
    items = []
    for code, name, unit, own in (
        ("P-0001", "出生登记（户口申报）", police, {"key": "household", "label": "户籍地址"}),
        ("M-0001", "城乡居民医保参保登记", insurance, {"key": "bank", "label": "缴费银行账号"}),
    ):
        item = ServiceItem.objects.create(
            code=code,
            name=name,
            department=unit.org_unit,
            status="published",
            revision=1,
            promised_limit_days=5,
            required_level=2,
        )
        Material.objects.create(item=item, position=1, name="申请人居民身份证")
        item_form_set(actor=Actor.system("test"), item=item, fields=[*common, own])
        items.append(item)
    event = LifeEvent.objects.create(slug="birth", name="出生一件事", description="宝宝出生")
    event.items.add(*items)
    bundle_define(actor=Actor.system("test"), life_event=event, item_names=[i.name for i in items])
    person = PersonFactory(user=citizen, name="陈秀英", assurance_level=2)
    FileValue.objects.create(
        person=person,
        field_key="identity.name",
        value="陈秀英",
        source=source,
        as_of=dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC),
    )


def test_one_bundle_one_submission_combined_status(
    page: Any, make_user: Callable[..., Any], log_in: Callable[..., None], tmp_path: Any
) -> None:
    citizen = make_user(Role.CITIZEN, elder_mode=True)
    police = make_user(Role.DEPT_HANDLER, username="police-h")
    from hongmian.identity.tests.factories import OrgUnitFactory

    insurance = make_user(
        Role.DEPT_HANDLER,
        username="insurance-h",
        org_unit=OrgUnitFactory(code="gz-ybj", name="广州市医疗保障局"),
    )
    _bundle(citizen, police, insurance)
    log_in(citizen.username)

    page.goto("/services/life-events/birth/")
    page.get_by_role("link", name="一次办理").click()
    page.wait_for_url("**/bundles/start/birth/")
    assert page.locator("#bundle-parts li").count() == 2
    assert not _serious_violations(page)
    page.get_by_role("button", name="开始填写").click()
    page.wait_for_url("**/me/applications/bundles/*/")
    page.get_by_role("button", name="授权并自动填写").click()
    page.wait_for_load_state()
    # Asked once for both items, filled from the file with its source.
    assert page.get_by_label("申请人姓名").count() == 1
    assert page.get_by_label("申请人姓名").input_value() == "陈秀英"
    assert page.locator('[data-source="name"]').inner_text() == "来源：市公安局，2026-10-09"
    assert (
        "出生登记（户口申报）、城乡居民医保参保登记"
        in page.locator('[data-shared="name"]').inner_text()
    )
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("新生儿姓名").fill("陈小明")
    page.get_by_label("户籍地址").fill("广州市越秀区北京路1号")
    page.get_by_label("缴费银行账号").fill("6222020200001234")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    # One upload serves both items.
    assert page.locator("#materials .material").count() == 1
    page.locator("#materials input[type=file]").set_input_files(_photo(tmp_path))
    page.locator("button[data-upload]").click()
    page.wait_for_load_state()
    assert page.locator("#materials .provided").inner_text().startswith("已提供")
    size = page.locator("#bundle-form").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 22  # elder mode
    assert not _serious_violations(page)
    page.get_by_role("button", name="一次提交全部事项").click()
    page.wait_for_load_state()
    assert page.locator("#bundle-status").inner_text() == "已提交，等待各部门受理"
    assert page.locator("[data-part-status=submitted]").count() == 2
    assert not _serious_violations(page)

    # Each department sees its own part only; the police accept, insurance refuses.
    log_in(police.username, switching=True)
    page.goto("/applications/desk/")
    assert page.locator("#count").inner_text() == "共 1 件"
    page.locator("table a").first.click()
    page.wait_for_url("**/applications/desk/*/")
    assert page.locator("#bundle-note").is_visible()
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    log_in(insurance.username, switching=True)
    page.goto("/applications/desk/")
    assert page.locator("#count").inner_text() == "共 1 件"
    page.locator("table a").first.click()
    page.wait_for_url("**/applications/desk/*/")
    page.locator("#id_reason").fill("参保人已在外地参保")
    page.get_by_role("button", name="不予受理").click()
    page.wait_for_load_state()

    log_in(citizen.username, switching=True)
    page.goto("/me/applications/bundles/")
    assert page.locator("#count").inner_text() == "共 1 件"
    assert page.locator("td[data-status]").inner_text() == "已撤回"
    page.locator("table a").first.click()
    page.wait_for_url("**/me/applications/bundles/*/")
    assert page.locator("#bundle-status").inner_text() == "已撤回"
    assert "参保人已在外地参保" in page.locator("#withdraw-reason").inner_text()
    assert page.locator("[data-part-status=withdrawn]").count() == 1
    assert page.locator("[data-part-status=not_accepted]").count() == 1
    assert not _serious_violations(page)
