"""秒批 in real Chromium (issue 13, item 3; decision 0066): the department's handler writes a
rule with a mistake and sees the error by its path, fixes it, tests it against a sample
applicant (each condition shown), saves and submits it; the unit's manager publishes it; a
qualifying citizen's submission then shows 已批准 at once — with no serious axe-core
violation on the rule page."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from hongmian.identity.states import Role
from tests.browser.test_applications import _serious_violations

pytestmark = pytest.mark.browser

RULE: dict[str, Any] = {
    "all": [
        {"field": "identity.birth_date", "op": "age_gte", "value": 60, "label": "年满60周岁"},
        {"field": "address.residence", "op": "contains", "value": "广州市", "label": "居住在广州"},
    ],
    "result": "优待证已制发",
}


def _item_and_file(citizen: Any, handler: Any) -> Any:
    from hongmian.applications.services.forms import item_form_set
    from hongmian.catalog.models import Material, ServiceItem
    from hongmian.core.actors import Actor
    from hongmian.identity.models import FileValue
    from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory

    police = OrgUnitFactory(code="gz-police", name="广州市公安局", short_name="市公安局")
    item = ServiceItem.objects.create(
        code="B-0060",
        name="老年人优待证办理",
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
            {"key": "phone", "label": "联系电话", "kind": "phone"},
        ],
    )
    person = PersonFactory(user=citizen, name="陈秀英", assurance_level=2)
    as_of = dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC)
    for key, value in (
        ("identity.name", "陈秀英"),
        ("identity.birth_date", "1950-03-02"),
        ("address.residence", "广州市越秀区北京路1号"),
    ):
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


def test_a_department_writes_and_tests_a_rule_and_a_citizen_is_approved_at_once(
    page: Any, make_user: Callable[..., Any], log_in: Callable[..., None], tmp_path: Any
) -> None:
    citizen = make_user(Role.CITIZEN)
    handler = make_user(Role.DEPT_HANDLER, username="handler-b")
    manager = make_user(Role.DEPT_MANAGER, username="manager-b")
    item = _item_and_file(citizen, handler)

    log_in(handler.username)
    page.goto("/applications/desk/")
    page.locator("#rules-link").click()
    page.get_by_label("事项编码").fill(item.code)
    page.get_by_role("button", name="编辑规则").click()
    page.wait_for_url(f"**/applications/rules/{item.code}/")
    wrong = {"all": [{**RULE["all"][0], "op": "older_than"}, RULE["all"][1]]}
    page.get_by_label("规则", exact=True).fill(json.dumps(wrong, ensure_ascii=False))
    page.get_by_role("button", name="测试规则").click()
    page.wait_for_load_state()
    error = page.locator('#rule-errors [data-path="all[0].op"]')
    assert "rule.op_unknown" in error.inner_text()
    page.get_by_label("规则", exact=True).fill(json.dumps(RULE, ensure_ascii=False))
    page.get_by_label("示例申请人").select_option("elder_gz")
    page.get_by_role("button", name="用示例测试").click()
    page.wait_for_load_state()
    assert "符合秒批条件" in page.locator("#test-verdict").inner_text()
    assert page.locator('#checks tr[data-passed="true"]').count() == 2
    page.get_by_label("示例申请人").select_option("newcomer")
    page.get_by_role("button", name="用示例测试").click()
    page.wait_for_load_state()
    failed = page.locator('#checks tr[data-passed="false"]')
    assert failed.count() == 1
    assert "年满60周岁" in failed.inner_text()
    assert not _serious_violations(page)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "审核中" in page.locator("#pending").inner_text()

    log_in(manager.username, switching=True)
    page.goto(f"/applications/rules/{item.code}/")
    page.get_by_role("button", name="审核通过并发布").click()
    page.wait_for_load_state()
    assert "第 1 版" in page.locator("#in-force").inner_text()

    log_in(citizen.username, switching=True)
    page.goto(f"/services/items/{item.code}/")
    page.get_by_role("button", name="在线申请").click()
    page.wait_for_url("**/me/applications/*/")
    page.get_by_role("button", name="授权并自动填写").click()
    page.wait_for_load_state()
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    page.locator("#materials input[type=file]").set_input_files(_photo(tmp_path))
    page.locator("button[data-upload]").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert "已批准" in page.locator("#instant").inner_text()
    assert page.locator("#status").inner_text() == "已出证"
    assert "秒批：准予许可" in page.locator("#events").inner_text()
