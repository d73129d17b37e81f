"""The screens on the server: the big screen's tiles, lights, map and alerts for staff; the
push stream's events (resumable, a fresh screen skips old readings); citizens refused;
the urban-village view's figures from the hub's datasets and the hotline."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory
from hongmian.opscentre.models import Reading
from hongmian.opscentre.services.indicators import indicator_evaluate
from hongmian.opscentre.tests.conftest import SYSTEM, make_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_streams(settings: Any) -> None:
    settings.HONGMIAN_OPS_STREAM_SECONDS = 0.05
    settings.HONGMIAN_OPS_POLL_SECONDS = 0.01


def _stream(client: Client, **headers: str) -> str:
    response = client.get(reverse("opscentre:stream"), **headers)  # type: ignore[arg-type]
    assert response["Content-Type"] == "text/event-stream"
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]


def test_the_screen_shows_tiles_lights_map_and_alerts(client: Client, owner: OrgUnit) -> None:
    indicator = make_indicator(owner, group_by="district")
    for _ in range(3):
        WorkOrderFactory()  # 天河区, today
    indicator_evaluate(actor=SYSTEM, indicator=indicator)
    client.force_login(UserFactory(role=Role.CITY_LEADER))
    response = client.get(reverse("opscentre:screen"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-tile="HOT-COMPLAINTS"' in html
    assert "ops-tile--alarm" in html
    board = json.loads(
        html.split('id="ops-data" type="application/json">')[1].split("</script>")[0]
    )
    (tile,) = board["tiles"]
    assert (tile["value"], tile["level"], tile["level_label"]) == (3.0, "alarm", "告警")
    assert board["map"]["code"] == "HOT-COMPLAINTS"
    tianhe = next(d for d in board["districts"] if d["name"] == "天河区")
    assert tianhe["value"] == 3.0
    assert board["alerts_total"] == 1
    order = WorkOrder.objects.get(channel="system")
    assert board["alerts"][0]["order"] == order.number
    assert board["alerts"][0]["unit"] == owner.name
    assert "<script>" not in html  # CSP: no inline script (the data is JSON, not code)


def test_the_stream_pushes_each_new_reading(client: Client, owner: OrgUnit) -> None:
    indicator = make_indicator(owner, alarm=None, warn=None)
    first = indicator_evaluate(actor=SYSTEM, indicator=indicator)
    client.force_login(UserFactory(role=Role.HOTLINE_SUPERVISOR))
    assert "event: reading" not in _stream(client)  # a fresh screen: nothing old replays
    WorkOrderFactory()
    second = indicator_evaluate(actor=SYSTEM, indicator=indicator, period=first.period)
    body = _stream(client, HTTP_LAST_EVENT_ID=str(first.pk))
    assert f"id: {second.pk}\nevent: reading\n" in body
    data = json.loads(body.split("data: ", 1)[1].split("\n", 1)[0])
    assert data["code"] == "HOT-COMPLAINTS"
    assert data["board"]["tiles"][0]["reading"] == second.pk
    assert Reading.objects.count() == 2


def test_citizens_are_refused(client: Client, owner: OrgUnit) -> None:
    client.force_login(UserFactory(role=Role.CITIZEN))
    for name in ("opscentre:screen", "opscentre:stream", "opscentre:villages"):
        assert client.get(reverse(name)).status_code == 403


def test_the_village_view_counts_from_the_hub_and_the_hotline(
    client: Client, owner: OrgUnit
) -> None:
    import random

    from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
    from hongmian.datahub.services.ingestion import dataset_ingest
    from hongmian.opscentre.demo import GRID_EVENTS, GRID_SCHEMA, _extract, grid_event_rows

    grid = dataset_create(
        actor=SYSTEM,
        code=GRID_EVENTS,
        provider=owner,
        schema=GRID_SCHEMA,
        meta=DatasetMeta(name="城中村网格事件", sharing_type="unconditional"),
    )
    rows = grid_event_rows(dt.date(2026, 12, 8), random.Random(2))  # noqa: S311 (test rows)
    dataset_ingest(actor=SYSTEM, dataset=grid, extract=_extract(rows), commit=True)
    WorkOrderFactory(address="广州市天河区石牌村东二巷3号")
    WorkOrderFactory(title="冼村路口积水")
    client.force_login(UserFactory(role=Role.DEPT_HANDLER, org_unit=owner))
    response = client.get(reverse("opscentre:villages"))
    assert response.status_code == 200
    by_name = {v["village"]: v for v in response.context["villages"]}
    shipai = by_name["石牌村"]
    assert shipai["events"] == sum(1 for r in rows if r["village"] == "石牌村")
    assert shipai["events_open"] == sum(
        1 for r in rows if r["village"] == "石牌村" and r["status"] != "已办结"
    )
    assert (shipai["district"], shipai["hotline"], by_name["冼村"]["hotline"]) == ("天河区", 1, 1)
    assert shipai["migrants"] is None  # the population dataset is not loaded yet
    assert response.context["sources"] == {
        "GZ-POLICE-POPULATION": False,
        "GZ-HOUSING-RENTALS": False,
        "GZ-VILLAGE-GRID-EVENTS": True,
    }
    assert "广州市天河区石牌村东二巷3号" not in response.content.decode()  # counted, not shown
    assert "未接入" in response.content.decode()

    # The hub's own demo loads population, buildings and rentals (with its bad rows).
    import pyarrow.parquet as pq

    from hongmian.datahub import demo as datahub_demo
    from hongmian.datahub.models import Dataset
    from hongmian.datahub.services.ingestion import dataset_file

    for code in ("gz-housing", "gz-police"):
        OrgUnitFactory(code=code, parent=owner.parent)
    datahub_demo.seed(actor=SYSTEM, progress=lambda *_: None)
    by_name = {
        v["village"]: v for v in client.get(reverse("opscentre:villages")).context["villages"]
    }

    def table(code: str) -> list[dict[str, Any]]:
        return pq.read_table(dataset_file(Dataset.objects.get(code=code))).to_pylist()

    village_of = {b["building_id"]: b["village"] for b in table("GZ-HOUSING-BUILDINGS")}
    rentals = [r for r in table("GZ-HOUSING-RENTALS") if village_of[r["building_id"]] == "石牌村"]
    (people,) = [p for p in table("GZ-POLICE-POPULATION") if p["village"] == "石牌村"]
    shipai = by_name["石牌村"]
    assert (shipai["registered"], shipai["migrants"]) == (people["registered"], people["migrants"])
    assert shipai["rentals"] == len(rentals) > 0
    assert shipai["rooms"] == sum(r["rooms"] for r in rentals)
