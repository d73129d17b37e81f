"""办件 in real Chromium (issue 13, items 2 and 7): an elder-mode citizen applies from the
item's page, lets the form fill from their file and sees each value's source, corrects one
(kept as their statement), uploads a material and submits; the department's handler finds
it on the review desk, sees the statement and accepts it, and the clock's light shows — with
no serious axe-core violation on the form, the list, the desk or the review page."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], "axe ran no checks"
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _item_and_file(citizen: Any, handler: Any) -> Any:
    from hongmian.applications.services.forms import item_form_set
    from hongmian.catalog.models import Material, ServiceItem
    from hongmian.core.actors import Actor
    from hongmian.identity.models import FileValue
    from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory

    police = OrgUnitFactory(code="gz-police", name="广州市公安局", short_name="市公安局")
    item = ServiceItem.objects.create(
        code="B-0001",
        name="居住证签注",
        department=handler.org_unit,
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
    return item


def _photo(tmp_path: Any) -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 80), (30, 90, 160)).save(out, "JPEG")
    path = tmp_path / "照片.jpg"
    path.write_bytes(out.getvalue())
    return str(path)


def test_apply_with_sources_then_review(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None], tmp_path: Any
) -> None:
    citizen = make_user(Role.CITIZEN, elder_mode=True)
    handler = make_user(Role.DEPT_HANDLER, username="handler-b")
    item = _item_and_file(citizen, handler)
    log_in(citizen.username)

    page.goto(f"/services/items/{item.code}/")
    page.get_by_role("button", name="在线申请").click()
    page.wait_for_url("**/me/applications/*/")
    assert page.locator("#status").inner_text() == "草稿"
    page.get_by_role("button", name="授权并自动填写").click()
    page.wait_for_load_state()
    assert page.get_by_label("申请人姓名").input_value() == "陈秀英"
    assert page.locator('[data-source="address"]').inner_text() == "来源：市公安局，2026-10-09"
    page.get_by_label("居住地址").fill("广州市越秀区中山路2号")
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert (
        "档案中为“广州市越秀区北京路1号”" in page.locator('[data-statement="address"]').inner_text()
    )
    page.locator("#materials input[type=file]").set_input_files(_photo(tmp_path))
    page.locator("button[data-upload]").click()
    page.wait_for_load_state()
    assert page.locator("#materials .provided").inner_text().startswith("已上传")
    # Elder mode: large type on the form too.
    size = page.locator("#application-form").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert size >= 22
    assert not _serious_violations(page)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "已提交"
    number = page.locator("#number").inner_text()
    page.goto("/me/applications/")
    assert page.locator("#count").inner_text() == "共 1 件"
    assert not _serious_violations(page)

    log_in(handler.username, switching=True)
    page.goto("/applications/desk/")
    assert page.locator("#count").inner_text() == "共 1 件"
    assert not _serious_violations(page)
    page.get_by_role("link", name=number).click()
    page.wait_for_url("**/applications/desk/*/")
    assert "申请人声明" in page.locator('[data-statement="address"]').inner_text()
    assert not _serious_violations(page)
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "已受理"
    assert page.locator(".light").inner_text() == "正常"
