"""Sharing between departments in real Chromium (issue 15 item 3): another department's
steward requests a 有条件共享 dataset from its page, sees it waiting in "my requests"; the
provider's steward finds it in the inbox and approves it with fewer fields; the consumer's
call of the rows API then gets only the granted fields, filtered and masked by grade; the
provider sees the call in "who uses my data"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser


def _dataset(provider: Any) -> None:
    from hongmian.core.actors import Actor
    from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
    from hongmian.datahub.states import SharingType
    from hongmian.datahub.tests.test_sharing import RESIDENTS, _load

    dataset = dataset_create(
        actor=Actor.system("test"),
        code="GZ-RESIDENTS",
        provider=provider,
        schema=RESIDENTS,
        meta=DatasetMeta(
            name="居民住房信息",
            sharing_type=SharingType.CONDITIONAL,
            legal_basis="《广州市政务数据管理办法》",
        ),
    )
    _load(dataset)


def test_request_approve_then_rows(
    page: Any,
    make_user: Callable[..., Any],
    log_in: Callable[..., None],
    settings: Any,
    tmp_path: Path,
    live_server: Any,
) -> None:
    from hongmian.identity.models import OrgUnit
    from hongmian.identity.states import UnitKind

    settings.HONGMIAN_DATAHUB_STORE = tmp_path / "datahub"
    provider = make_user(Role.DATA_STEWARD, username="provider-b")
    police = OrgUnit.objects.create(
        code="GZ-GA", name="广州市公安局", kind=UnitKind.CITY_DEPARTMENT, path="/gz/ga/", depth=1
    )
    consumer = make_user(Role.DATA_STEWARD, username="consumer-b", org_unit=police)
    _dataset(provider.org_unit)

    log_in(consumer.username)
    page.goto(f"{live_server.url}/datahub/datasets/GZ-RESIDENTS/")
    page.get_by_role("link", name="申请共享").click()
    page.get_by_label("用途").fill("核查低保申请人住房情况")
    for label in (
        "rid（一般数据）",
        "身份证号（一般数据）",
        "住址（一般数据）",
        "月收入（重要数据）",
    ):
        page.get_by_label(label).check()
    page.get_by_label("行过滤条件", exact=False).fill("district=天河区")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/datahub/sharing/mine/")
    assert page.locator("#count").inner_text() == "共 1 条申请"
    assert page.locator("#requests tbody tr .status").inner_text() == "待审核"
    # No grant yet: the rows are "not found".
    assert (
        page.request.get(f"{live_server.url}/api/datahub/datasets/GZ-RESIDENTS/rows").status == 404
    )

    log_in(provider.username, switching=True)
    page.goto(f"{live_server.url}/datahub/sharing/inbox/")
    assert page.locator("#count").inner_text() == "共 1 条申请"
    page.locator("#requests tbody tr a").first.click()
    page.locator("#approve-form input[name=fields_granted][value=income]").uncheck()
    page.locator("#approve-form").get_by_label("每日行数配额").fill("100")
    page.locator("#approve-form").get_by_role("button", name="批准").click()
    assert page.locator("#status").inner_text() == "已批准"
    assert page.locator("#granted").inner_text() == "rid、id_no、address"

    log_in(consumer.username, switching=True)
    page.goto(f"{live_server.url}/datahub/sharing/mine/")
    page.locator("#requests tbody tr a").first.click()
    assert "GZ-RESIDENTS/rows" in page.locator("#how-to-call").inner_text()
    answer = page.request.get(f"{live_server.url}/api/datahub/datasets/GZ-RESIDENTS/rows")
    assert answer.status == 200
    body = answer.json()
    assert body["count"] == 2
    assert body["quota_left"] == 98
    assert [set(r) for r in body["rows"]] == [{"rid", "id_no", "address"}] * 2
    assert body["rows"][0]["address"] == "天河区"
    assert body["rows"][0]["id_no"] != "440106199005011234"

    log_in(provider.username, switching=True)
    page.goto(f"{live_server.url}/datahub/sharing/usage/")
    assert "1 个单位调用 1 次，返回 2 行" in page.locator("#totals").inner_text()
    row = page.locator("#usage tbody tr").first.inner_text()
    assert "广州市公安局" in row
    assert "GZ-RESIDENTS" in row
