"""The chief data officers' figures: catalogue completeness, freshness, quality trend, the
city ranking's order on a crafted world, the usage counters and the asset registry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.datahub.models import Dataset, DatasetField, IngestRun
from hongmian.datahub.models_assets import AssetKind, AssetUsage, DataAsset
from hongmian.datahub.selectors_assets import (
    asset_page,
    city_ranking,
    composite,
    is_fresh,
    missing_metadata,
    scorecards,
    top_consumers,
)
from hongmian.datahub.services.assets import asset_use_record, assets_sync, dataset_asset
from hongmian.datahub.states import Frequency, RunOutcome
from hongmian.datahub.tests.conftest import Org, make_dataset
from hongmian.identity.tests.factories import OrgUnitFactory

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))
GOOD = {"completeness": 1.0, "validity": 1.0, "uniqueness": 1.0, "timeliness": 1.0}


def complete(dataset: Dataset, org: Org) -> Dataset:
    """Fill every required metadata item and describe and classify every field."""
    Dataset.objects.filter(pk=dataset.pk).update(
        summary="全市房屋建筑", themes=["住房"], keywords=["房屋"], owner=org.steward
    )
    DatasetField.objects.filter(dataset=dataset).update(
        title="字段", description="说明", classification="基础信息"
    )
    return Dataset.objects.get(pk=dataset.pk)


def run(
    dataset: Dataset, at: dt.datetime, quality: dict[str, Any] | None = None, **kw: Any
) -> IngestRun:
    r = IngestRun.objects.create(
        dataset=dataset, outcome=kw.pop("outcome", RunOutcome.LOADED), quality=quality or {}, **kw
    )
    IngestRun.objects.filter(pk=r.pk).update(created_at=at)
    return r


def loaded(dataset: Dataset, at: dt.datetime) -> None:
    Dataset.objects.filter(pk=dataset.pk).update(last_loaded_at=at)


def test_completeness_names_each_missing_item(org: Org) -> None:
    d = make_dataset(org, update_frequency=Frequency.DAILY)
    missing = missing_metadata(d, d.fields.all())
    assert "摘要" in missing
    assert "数据责任人" in missing
    assert "数据项说明（5 项）" in missing
    assert "数据项分类（5 项）" in missing
    d = complete(d, org)
    assert missing_metadata(d, d.fields.all()) == []
    # One field left undescribed makes the entry incomplete again.
    DatasetField.objects.filter(dataset=d, name="floors").update(description="")
    assert missing_metadata(d, d.fields.all()) == ["数据项说明（1 项）"]


def test_freshness_is_against_the_declared_frequency(org: Org) -> None:
    daily = make_dataset(org, update_frequency=Frequency.DAILY)
    assert is_fresh(daily, NOW) is False  # never loaded
    daily.last_loaded_at = NOW - dt.timedelta(hours=23)
    assert is_fresh(daily, NOW) is True
    daily.last_loaded_at = NOW - dt.timedelta(hours=25)
    assert is_fresh(daily, NOW) is False
    daily.update_frequency = Frequency.IRREGULAR
    assert is_fresh(daily, NOW) is None  # not counted either way


def test_a_scorecard_counts_true_figures_and_weekly_quality(org: Org) -> None:
    a = complete(make_dataset(org, code="HZ-A", update_frequency=Frequency.DAILY), org)
    make_dataset(org, code="HZ-B", update_frequency=Frequency.WEEKLY)  # incomplete, stale
    make_dataset(org, code="HZ-C", update_frequency=Frequency.IRREGULAR)
    loaded(a, NOW - dt.timedelta(hours=2))
    run(a, NOW - dt.timedelta(hours=2), GOOD)
    run(a, NOW - dt.timedelta(days=7), {**GOOD, "validity": 0.6})
    run(a, NOW - dt.timedelta(days=1), outcome=RunOutcome.FAILED, error_code="datahub.x")
    run(a, NOW - dt.timedelta(weeks=20), {**GOOD, "validity": 0.0})  # outside the 12 weeks
    (card,) = scorecards([org.housing], NOW)
    assert (card.datasets, card.complete, card.with_frequency, card.fresh) == (3, 1, 2, 1)
    assert (card.completeness, card.freshness) == (0.3333, 0.5)
    assert (card.runs, card.failed_runs) == (2, 1)
    assert len(card.trend) == 12
    assert card.trend[-1] == (dt.date(2026, 12, 7), 1.0)
    assert card.trend[-2] == (dt.date(2026, 11, 30), 0.9)
    assert all(v is None for _, v in card.trend[:-2])
    assert card.quality == 0.95
    assert card.sharing is None  # the sharing requests are not on main yet (the seam)
    # (0.3 × 0.3333 + 0.3 × 0.5 + 0.25 × 0.95) / 0.85
    assert card.score == 57.4


def test_composite_leaves_out_missing_parts() -> None:
    assert (
        composite({"completeness": 1.0, "freshness": None, "quality": None, "sharing": None})
        == 100.0
    )
    assert (
        composite({"completeness": 0.0, "freshness": 1.0, "quality": None, "sharing": None}) == 50.0
    )
    assert composite({k: None for k in ("completeness", "freshness", "quality", "sharing")}) is None


def test_the_city_ranking_orders_departments_by_score(org: Org) -> None:
    transport = OrgUnitFactory(code="d-transport", name="广州市交通运输局", parent=org.city)
    OrgUnitFactory(code="d-empty", name="无数据资源的单位", parent=org.city)
    # Housing: complete and fresh, good quality → first.
    h = complete(make_dataset(org, code="HZ-A", update_frequency=Frequency.DAILY), org)
    loaded(h, NOW - dt.timedelta(hours=1))
    run(h, NOW - dt.timedelta(hours=1), GOOD)
    # Police: incomplete and stale → last.
    make_dataset(org, code="GA-A", unit=org.police, update_frequency=Frequency.DAILY)
    # Transport: complete, stale, no runs → between.
    t = complete(
        make_dataset(org, code="JT-A", unit=transport, update_frequency=Frequency.DAILY), org
    )
    loaded(t, NOW - dt.timedelta(days=3))
    ranking = city_ranking(NOW)
    assert [(c.rank, c.unit.code, c.score) for c in ranking] == [
        (1, "d-housing", 100.0),
        (2, "d-transport", 50.0),
        (3, "d-police", 0.0),
    ]


def test_equal_scores_share_a_rank(org: Org) -> None:
    make_dataset(org, code="HZ-A")
    make_dataset(org, code="GA-A", unit=org.police)
    assert [(c.rank, c.unit.code) for c in city_ranking(NOW)] == [
        (1, "d-housing"),
        (1, "d-police"),
    ]


def test_usage_is_counted_per_day_and_consumer(org: Org) -> None:
    d = make_dataset(org)
    asset = dataset_asset(d)
    for _ in range(3):
        asset_use_record(asset=asset, consumer=org.police, at=NOW)
    asset_use_record(asset=asset, consumer=org.police, at=NOW - dt.timedelta(days=1))
    asset_use_record(asset=asset, consumer=None, at=NOW, count=5)
    asset_use_record(asset=asset, consumer=None, at=NOW)
    asset_use_record(asset=asset, consumer=org.housing, at=NOW)  # its own reads
    rows = {(r.day.isoformat(), r.consumer_id): r.count for r in AssetUsage.objects.all()}
    assert rows == {
        ("2026-12-06", org.police.pk): 1,
        ("2026-12-07", org.police.pk): 3,
        ("2026-12-07", None): 6,
        ("2026-12-07", org.housing.pk): 1,
    }
    consumers = top_consumers(org.housing, NOW)
    assert [(c.unit.code, c.count) for c in consumers] == [("d-police", 4)]


def test_assets_sync_registers_and_retires(org: Org, settings: Any) -> None:
    settings.HONGMIAN_DATA_BUREAU_UNIT = "d-city"
    d = make_dataset(org)
    result = assets_sync(actor=Actor.system("test"))
    keys = set(DataAsset.objects.values_list("kind", "key"))
    assert (AssetKind.DATASET, "HZ-BUILDINGS") in keys
    assert (AssetKind.API, "GET /api/datahub/dcat.ttl") in keys
    assert DataAsset.objects.get(key="GET /api/datahub/dcat.ttl").owner_unit == org.city
    assert result.created == len(keys)
    assert assets_sync(actor=Actor.system("test")).created == 0  # nothing new
    d.delete()
    again = assets_sync(actor=Actor.system("test"))
    assert again.created == 0
    assert not DataAsset.objects.filter(key="HZ-BUILDINGS").exists()  # cascaded with it


@pytest.mark.parametrize("who", ["steward", "police_steward", "cdo"])
def test_an_asset_page_is_for_its_unit_and_the_city(org: Org, who: str) -> None:
    asset = dataset_asset(make_dataset(org))
    asset_use_record(asset=asset, consumer=org.police)
    page = asset_page(getattr(org, who), asset.pk)
    if who == "police_steward":
        assert page is None
    else:
        assert page is not None
        assert page.total == 1
        assert len(page.usage) == 30


# --- the pages -------------------------------------------------------------------------------


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_pages_keep_each_department_to_its_own(org: Org) -> None:
    make_dataset(org)
    make_dataset(org, code="GA-A", unit=org.police)
    steward = _client(org.steward)
    own = steward.get("/datahub/cdo/").content.decode()
    assert "广州市住房和城乡建设局" in own
    assert 'id="completeness"' in own
    assert "共享申请功能尚未上线" in own  # the seam, said on the page
    assert steward.get("/datahub/cdo/d-police/").status_code == 404
    assert steward.get("/datahub/cdo/no-such/").status_code == 404
    assert _client(org.handler).get("/datahub/cdo/").status_code == 403
    ranking = _client(org.cdo).get("/datahub/cdo/").content.decode()
    assert "共 2 个部门" in ranking
    assert _client(org.cdo).get("/datahub/cdo/d-police/").status_code == 200


def test_reads_of_a_dataset_and_of_dcat_are_counted(org: Org) -> None:
    d = make_dataset(org)
    police = _client(org.police_steward)
    assert police.get("/datahub/datasets/HZ-BUILDINGS/").status_code == 200
    assert police.get("/datahub/datasets/HZ-BUILDINGS/").status_code == 200
    assert _client(org.steward).get("/api/datahub/dcat.ttl").status_code == 200
    asset = DataAsset.objects.get(kind=AssetKind.DATASET, key=d.code)
    assert asset.owner_unit == org.housing
    assert AssetUsage.objects.get(asset=asset, consumer=org.police).count == 2
    dcat = AssetUsage.objects.get(asset__key="GET /api/datahub/dcat.ttl")
    assert (dcat.consumer, dcat.count) == (org.housing, 1)
    page = _client(org.steward).get("/datahub/cdo/").content.decode()
    assert "广州市公安局" in page  # the top consumer
    registry = _client(org.steward).get("/datahub/assets/").content.decode()
    assert "共 1 项资产" in registry  # the DCAT operation has no owner unit: the city's
    detail = _client(org.steward).get(f"/datahub/assets/{asset.pk}/").content.decode()
    assert 'id="total">2<' in detail
    assert _client(org.police_steward).get(f"/datahub/assets/{asset.pk}/").status_code == 404
