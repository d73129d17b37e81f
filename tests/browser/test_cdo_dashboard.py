"""首席数据官看板 in real Chromium (issue 15, item 4): the city's CDO opens the ranking and sees
both departments in the documented order, opens the first and sees its catalogue
completeness, freshness, this week's quality, its top consumer, the failed run's alert (no
silent failure) and the sharing seam said plainly; then the asset registry with the usage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hongmian.identity.states import Role

pytestmark = pytest.mark.browser


def _world(steward: Any) -> None:
    from hongmian.core.actors import Actor
    from hongmian.datahub.ingest import Extract
    from hongmian.datahub.services.alerts import data_alerts_check
    from hongmian.datahub.services.assets import asset_use_record, dataset_asset
    from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
    from hongmian.datahub.services.ingestion import dataset_ingest
    from hongmian.datahub.states import Frequency, SharingType
    from hongmian.identity.tests.factories import OrgUnitFactory

    actor = Actor.system("test")
    described = {"description": "说明", "classification": "基础信息"}
    schema = {
        "primaryKey": "building_id",
        "fields": [
            {"name": "building_id", "type": "string", "title": "楼栋编码", **described},
            {"name": "floors", "type": "integer", "title": "层数", **described},
        ],
    }
    buildings = dataset_create(
        actor=actor,
        code="YX-BUILDINGS",
        provider=steward.org_unit,
        schema=schema,
        meta=DatasetMeta(
            name="越秀区房屋建筑",
            summary="全区房屋建筑的基础信息",
            themes=["城市建设"],
            keywords=["楼栋"],
            sharing_type=SharingType.UNCONDITIONAL,
            update_frequency=Frequency.DAILY,
            owner=steward,
        ),
    )
    columns = ("building_id", "floors")
    rows = [(2, {"building_id": "B1", "floors": "3"}), (3, {"building_id": "B2", "floors": "9"})]
    dataset_ingest(
        actor=actor, dataset=buildings, commit=True, extract=Extract("a.csv", columns, iter(rows))
    )
    # The source changed its header: a failed run, which must reach the unit as an alert.
    dataset_ingest(
        actor=actor,
        dataset=buildings,
        commit=True,
        extract=Extract("b.csv", ("building_id", "storeys"), iter([])),
    )
    police = OrgUnitFactory(code="gz-police", name="广州市公安局")
    dataset_create(
        actor=actor,
        code="GA-POPULATION",
        provider=police,
        schema=schema,
        meta=DatasetMeta(
            name="实有人口",
            sharing_type=SharingType.CONDITIONAL,
            legal_basis="《数据安全法》",
            update_frequency=Frequency.DAILY,
        ),
    )
    asset_use_record(asset=dataset_asset(buildings), consumer=police, count=7)
    data_alerts_check(actor=actor)


def test_city_cdo_reads_the_ranking_and_a_department(
    page: Any,
    make_user: Callable[..., Any],
    log_in: Callable[[str], None],
    settings: Any,
    tmp_path: Path,
    live_server: Any,
) -> None:
    settings.HONGMIAN_DATAHUB_STORE = tmp_path / "datahub"
    steward = make_user(Role.DATA_STEWARD)
    cdo = make_user(Role.CHIEF_DATA_OFFICER, username="cdo-b")
    _world(steward)
    log_in(cdo.username)

    page.goto(f"{live_server.url}/datahub/cdo/")
    assert page.locator("#count").inner_text() == "共 2 个部门"
    rows = page.locator("#ranking tbody tr")
    assert rows.nth(0).get_attribute("data-unit") == "GZ-YX"
    assert rows.nth(1).get_attribute("data-unit") == "gz-police"
    assert rows.nth(1).locator(".score").inner_text() == "0.0"  # incomplete, never loaded

    page.get_by_role("link", name="越秀区人民政府").click()
    assert "100%" in page.locator("#completeness").inner_text()
    assert "100%" in page.locator("#freshness").inner_text()
    assert "全市第 1 / 2 名" in page.locator("#rank").inner_text()
    this_week = page.locator("#trend tbody tr").last
    assert this_week.locator("meter").count() == 1
    assert "广州市公安局" in page.locator("#consumers").inner_text()
    assert "7 次" in page.locator("#consumers").inner_text()
    alerts = page.locator("#alerts").inner_text()
    assert "采集失败" in alerts
    assert "datahub.header_mismatch" in alerts
    assert "尚未上线" in page.locator("#sharing").inner_text()

    page.get_by_role("link", name="本单位的数据资产").click()
    assert page.locator("#count").inner_text() == "共 1 项资产"
    row = page.locator("#assets tbody tr").first
    assert "越秀区房屋建筑" in row.inner_text()
    assert row.locator("td.num").first.inner_text() == "7"
