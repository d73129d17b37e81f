"""数据资源目录 in real Chromium (issue 15, items 1–2): a data steward opens the catalogue and
sees the true count, searches it, filters by sharing type, opens a dataset and sees its fields
with their grades, its lineage, the quality of its last load and the run with its rejects;
another department's 不予共享 dataset shows no fields; the steward edits its catalogue entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser


def _catalogue(steward: Any) -> None:
    from hongmian.core.actors import Actor
    from hongmian.datahub.ingest import Extract
    from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
    from hongmian.datahub.services.ingestion import dataset_ingest
    from hongmian.datahub.states import SharingType
    from hongmian.identity.tests.factories import OrgUnitFactory

    actor = Actor.system("test")
    schema = {
        "primaryKey": "building_id",
        "fields": [
            {
                "name": "building_id",
                "type": "string",
                "title": "楼栋编码",
                "constraints": {"required": True},
            },
            {"name": "floors", "type": "integer", "title": "层数"},
            {
                "name": "owner_phone",
                "type": "string",
                "title": "业主电话",
                "grade": "important",
                "personal": True,
            },
        ],
    }
    buildings = dataset_create(
        actor=actor,
        code="GZ-BUILDINGS",
        provider=steward.org_unit,
        schema=schema,
        meta=DatasetMeta(
            name="房屋建筑基础信息",
            themes=["城市建设"],
            keywords=["楼栋"],
            sharing_type=SharingType.UNCONDITIONAL,
            pipeline="房屋管理系统",
        ),
    )
    rows = [
        (2, {"building_id": "B1", "floors": "3", "owner_phone": ""}),
        (3, {"building_id": "B2", "floors": "十二", "owner_phone": ""}),
        (4, {"building_id": "B3", "floors": "9", "owner_phone": "13800000000"}),
    ]
    dataset_ingest(
        actor=actor,
        dataset=buildings,
        commit=True,
        extract=Extract("buildings.csv", ("building_id", "floors", "owner_phone"), iter(rows)),
    )
    police = OrgUnitFactory(code="gz-police", name="广州市公安局")
    dataset_create(
        actor=actor,
        code="GZ-POPULATION",
        provider=police,
        schema=schema,
        meta=DatasetMeta(
            name="实有人口", sharing_type=SharingType.NOT_SHARED, legal_basis="《数据安全法》"
        ),
    )


def test_steward_browses_the_catalogue(
    page: Any,
    make_user: Callable[..., Any],
    log_in: Callable[[str], None],
    settings: Any,
    tmp_path: Path,
    live_server: Any,
) -> None:
    settings.HONGMIAN_DATAHUB_STORE = tmp_path / "datahub"
    steward = make_user(Role.DATA_STEWARD)
    _catalogue(steward)
    log_in(steward.username)

    page.goto(f"{live_server.url}/datahub/")
    assert page.locator("#count").inner_text() == "共 2 个数据资源"
    assert page.locator("#datasets tbody tr").count() == 2

    page.get_by_label("搜索").fill("房屋建筑")
    page.get_by_role("button", name="筛选").click()
    assert page.locator("#count").inner_text() == "共 1 个数据资源"
    page.get_by_label("搜索").fill("")
    page.get_by_label("共享类型").select_option("not_shared")
    page.get_by_role("button", name="筛选").click()
    assert page.locator("#count").inner_text() == "共 1 个数据资源"
    page.get_by_role("link", name="GZ-POPULATION").click()
    # is_visible() does not wait: the dataset's page may still be loading after the click.
    page.locator("#fields-withheld").wait_for(state="visible")

    page.go_back()
    page.get_by_label("共享类型").select_option("")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="GZ-BUILDINGS").click()
    fields = page.locator("#fields")
    assert "业主电话" in fields.inner_text()
    assert "重要数据" in fields.locator("tr", has_text="owner_phone").inner_text()
    assert "房屋管理系统" in page.locator("#lineage").inner_text()
    assert page.locator("#row-count").inner_text() == "2"
    quality = page.locator("#quality").inner_text()
    assert "67%" in quality  # validity: 2 of 3 rows
    run = page.locator("#runs tbody tr").first.inner_text()
    assert "已入库" in run
    assert "3" in run
    assert "1" in run

    page.get_by_role("link", name="编辑目录信息").click()
    page.get_by_label("资源名称").fill("房屋建筑信息（2026版）")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/datahub/datasets/GZ-BUILDINGS/")
    assert "房屋建筑信息（2026版）" in page.locator("h1").inner_text()
