"""帮办代办 in real Chromium (issue 13, items 6–7): at the hall's desk, staff find the
elder at the window by the ID card read, record the authorisation with them present, apply
for them (the form filled from their file under their own consent) and submit; the elder
then sees the application and the file read under the authorisation. Online, a person
authorises a relative with the signed letter; the relative applies for them (为家人办理);
the person sees it and revokes. No serious axe-core violation on the new pages.

The setup is per test: the live server needs committed rows, and transactional_db flushes
them after each test, so a module-scoped world cannot outlive the first test."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
FILE_FIELDS = ["identity.name", "address.residence"]


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], "axe ran no checks"
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _world(citizen: Any, department: Any) -> tuple[Any, Any]:
    """An item with a form and one material; the elder with a file and their consent that
    forms may be filled from it."""
    import datetime as dt

    from hongmian.applications.services.drafts import PREFILL_PURPOSE
    from hongmian.applications.services.forms import item_form_set
    from hongmian.catalog.models import Material, ServiceItem
    from hongmian.core.actors import Actor
    from hongmian.identity.models import FileValue
    from hongmian.identity.services.files import consent_grant
    from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory

    police = OrgUnitFactory(code="gz-police", name="广州市公安局", short_name="市公安局")
    item = ServiceItem.objects.create(
        code="B-0001",
        name="高龄津贴申领",
        department=department,
        status="published",
        revision=1,
        promised_limit_days=5,
        required_level=2,
    )
    Material.objects.create(item=item, position=1, name="近期免冠彩色证件照片")
    item_form_set(
        actor=Actor.system("test"),
        item=item,
        fields=[
            {"key": "name", "label": "申请人姓名", "file_field": "identity.name"},
            {"key": "address", "label": "居住地址", "file_field": "address.residence"},
            {"key": "phone", "label": "联系电话", "kind": "phone"},
        ],
    )
    person = PersonFactory(user=citizen, name="陈秀英", assurance_level=2)
    as_of = dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC)
    for key, value in (("identity.name", "陈秀英"), ("address.residence", "广州市越秀区北京路1号")):
        FileValue.objects.create(
            person=person, field_key=key, value=value, source=police, as_of=as_of
        )
    consent_grant(
        actor=Actor(user=citizen, via="web"),
        subject=person,
        purpose=PREFILL_PURPOSE,
        requester="越秀区人民政府",
        fields=FILE_FIELDS,
    )
    return item, person


def _photo(tmp_path: Any, name: str = "照片.jpg") -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 80), (30, 90, 160)).save(out, "JPEG")
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return str(path)


def _fill_and_submit(page: Any, tmp_path: Any) -> str:
    """On the form page: fill from the file, give the phone, upload the photo, submit."""
    page.get_by_role("button", name="重新从档案填写").click()
    page.wait_for_load_state()
    assert page.get_by_label("申请人姓名").input_value() == "陈秀英"
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    page.locator("#materials input[type=file]").set_input_files(_photo(tmp_path))
    page.locator("button[data-upload]").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "已提交"
    return str(page.locator("#number").inner_text())


def test_the_hall_desk_applies_for_the_elder_present(
    page: Any, make_user: Callable[..., Any], log_in: Callable[..., None], tmp_path: Any
) -> None:
    from hongmian.appointments.models import Hall
    from hongmian.geo.models import Division

    staff = make_user(Role.HALL_STAFF, username="hall-b", display_name="窗口甲")
    elder = make_user(Role.CITIZEN, username="elder-b", elder_mode=True)
    item, person = _world(elder, staff.org_unit)
    Hall.objects.create(
        code="YX",
        name="越秀区政务服务中心",
        level="district",
        division=Division.objects.create(code="440100000", name="广州市", level="city"),
        org_unit=staff.org_unit,
        address="越秀区测试路 1 号",
    )
    log_in(staff.username)
    page.goto("/applications/assist/")
    assert page.locator("#count").inner_text() == "共 0 件"
    assert not _serious_violations(page)
    # A number alone finds nobody: the card must be read.
    page.get_by_label("身份证号码").fill(person.resident_id)
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    assert "读卡核验未通过" in page.locator(".messages").inner_text()
    page.get_by_label("身份证号码").fill(person.resident_id)
    page.get_by_label("身份证读卡信息").fill(person.resident_id)
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/applications/assist/persons/*/")
    assert page.locator("#person-name").inner_text() == "陈秀英"
    assert not _serious_violations(page)
    form = page.locator("#hall-grant-form")
    form.get_by_label("身份证读卡信息").fill(person.resident_id)
    form.get_by_label("授权范围").select_option("items")
    form.get_by_label("事项编码（多个用空格或逗号分隔）").fill(item.code)
    form.get_by_label("允许读取我的档案用于填表").check()
    form.get_by_role("button", name="核验并登记").click()
    page.wait_for_load_state()
    assert "授权已登记" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="代为申请").click()
    page.wait_for_url("**/applications/assist/applications/*/")
    assert "代办：窗口甲 为 陈秀英 办理" in page.locator("#on-behalf").inner_text()
    number = _fill_and_submit(page, tmp_path)
    page.goto("/applications/assist/")
    assert page.locator("#count").inner_text() == "共 1 件"
    assert page.get_by_role("link", name=number).is_visible()

    # The elder sees the application, and who read their file under the authorisation.
    log_in(elder.username, switching=True)
    page.goto("/me/applications/")
    assert page.get_by_role("link", name=number).is_visible()
    page.goto("/me/mandates/")
    page.get_by_role("link", name="越秀区政务服务中心").click()
    page.wait_for_url("**/me/mandates/*/")
    assert page.locator("#apps-count").inner_text() == "共 1 件"
    assert "越秀区政务服务中心 帮办" in page.locator("#uses-heading + p + div").inner_text()
    assert not _serious_violations(page)


def test_a_relative_applies_for_the_person_who_then_revokes(
    page: Any, make_user: Callable[..., Any], log_in: Callable[..., None], tmp_path: Any
) -> None:
    from hongmian.identity.tests.factories import PersonFactory

    handler = make_user(Role.DEPT_HANDLER, username="handler-b")
    elder = make_user(Role.CITIZEN, username="elder-b")
    son = make_user(Role.CITIZEN, username="son-b", display_name="陈小明")
    son_person = PersonFactory(user=son, name="陈小明")
    item, _person = _world(elder, handler.org_unit)
    log_in(elder.username)
    page.goto("/me/mandates/")
    assert not _serious_violations(page)
    form = page.locator("#grant-form")
    form.get_by_label("受托人姓名").fill("陈小明")
    form.get_by_label("受托人身份证号码").fill(son_person.resident_id)
    form.get_by_label("授权范围").select_option("items")
    form.get_by_label("事项编码（多个用空格或逗号分隔）").fill(item.code)
    form.get_by_label("允许读取我的档案用于填表").check()
    form.get_by_label("签字的授权委托书（PDF 或图片）").set_input_files(
        _photo(tmp_path, "委托书.jpg")
    )
    form.get_by_role("button", name="确认委托").click()
    page.wait_for_url("**/me/mandates/*/")
    mandate_url = page.url
    assert "代办人 陈小明" in page.locator("h1").inner_text()

    log_in(son.username, switching=True)
    page.goto("/me/mandates/")
    assert "陈秀英" in page.locator("#family").inner_text()
    page.get_by_role("button", name="为TA申请").click()
    page.wait_for_url("**/me/applications/*/")
    assert "代办：陈小明 为 陈秀英 办理" in page.locator("#on-behalf").inner_text()
    number = _fill_and_submit(page, tmp_path)

    log_in(elder.username, switching=True)
    page.goto(mandate_url)
    assert page.get_by_role("link", name=number).is_visible()
    assert "代办人 陈小明" in page.locator("#uses-heading + p + div").inner_text()
    page.get_by_role("button", name="撤销授权").click()
    page.wait_for_load_state()
    assert "已撤销" in page.locator(".mandate-status").inner_text()

    log_in(son.username, switching=True)
    page.goto("/me/mandates/")
    assert "该委托已不可用" in page.locator("#family").inner_text()
