"""Demo data of the operations centre: a grid-events dataset of eight urban villages
(城中村网格事件, loaded through the data hub's own dataset and ingestion services, with a
surge today in 石牌村), and eight indicators over the hotline's orders, the halls'
bookings, the applications and that dataset — evaluated once, so that the big screen has
figures and one indicator (网格事件) is in alarm with its task filed to 市城管执法局.

Called by `hongmian seed_demo` after the datahub demo. The events are dated back from
today (an indicator is about today), drawn from a fixed seed; a second run finds the
dataset and the indicators there and only evaluates again."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.datahub.ingest import Extract
from hongmian.datahub.models import Dataset
from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
from hongmian.datahub.services.ingestion import dataset_ingest
from hongmian.datahub.states import Frequency, SharingType
from hongmian.identity.models import OrgUnit
from hongmian.opscentre.models import Indicator
from hongmian.opscentre.services.indicators import (
    IndicatorSpec,
    indicator_create,
    indicators_evaluate_due,
)

Progress = Callable[[str, int, int], None]

GRID_EVENTS = "GZ-VILLAGE-GRID-EVENTS"
# The villages of the datahub demo, each in its district.
VILLAGES = {
    "石牌村": "天河区",
    "冼村": "天河区",
    "猎德村": "天河区",
    "棠下村": "天河区",
    "三元里村": "白云区",
    "康乐村": "海珠区",
    "沥滘村": "海珠区",
    "凤和村": "海珠区",
}
EVENT_KINDS = ["出租屋安全隐患", "违法建设", "环境卫生", "消防通道堵塞", "治安隐患", "占道经营"]
EVENT_STATUSES = ["已办结", "已办结", "已办结", "处置中", "待处置"]
GRID_SCHEMA: dict[str, Any] = {
    "primaryKey": "event_id",
    "fields": [
        {
            "name": "event_id",
            "type": "string",
            "title": "事件编号",
            "constraints": {"required": True},
        },
        {"name": "day", "type": "date", "title": "上报日期", "constraints": {"required": True}},
        {
            "name": "district",
            "type": "string",
            "title": "所在区",
            "constraints": {"required": True},
        },
        {"name": "village", "type": "string", "title": "村居", "constraints": {"required": True}},
        {
            "name": "kind",
            "type": "string",
            "title": "事件类型",
            "constraints": {"enum": EVENT_KINDS},
        },
        {"name": "status", "type": "string", "title": "处置状态"},
    ],
}


def grid_event_rows(today: dt.date, rng: random.Random) -> list[dict[str, str]]:
    """28 quiet days (0–1 event a village a day), then today's surge in 石牌村 (12)."""
    rows: list[dict[str, str]] = []
    for back in range(28, -1, -1):
        day = today - dt.timedelta(days=back)
        for village, district in VILLAGES.items():
            n = 12 if (back == 0 and village == "石牌村") else rng.randint(0, 1)
            for _ in range(n):
                rows.append(
                    {
                        "event_id": f"WG{day:%Y%m%d}{len(rows):05d}",
                        "day": day.isoformat(),
                        "district": district,
                        "village": village,
                        "kind": rng.choice(EVENT_KINDS),
                        "status": "待处置" if back == 0 else rng.choice(EVENT_STATUSES),
                    }
                )
    return rows


def _extract(rows: list[dict[str, str]]) -> Extract:
    def numbered() -> Iterator[tuple[int, dict[str, Any]]]:
        yield from enumerate(rows, start=2)

    return Extract(
        f"{GRID_EVENTS}.csv", tuple(f["name"] for f in GRID_SCHEMA["fields"]), numbered()
    )


def _indicators(grid: Dataset | None) -> list[tuple[str, str, dict[str, Any]]]:
    # (code, owner unit code, the spec's other fields)
    done = ["closed", "merged", "archived"]
    out: list[tuple[str, str, dict[str, Any]]] = [
        (
            "HOT-INTAKE",
            "gz-12345",
            {
                "name": "12345 今日受理量",
                "source": "hotline_orders",
                "measure": "count",
                "unit_of_measure": "件",
                "group_by": "district",
                "warn": 400,
                "alarm": 600,
                "anomaly_k": 3,
            },
        ),
        (
            "HOT-COMPLAINTS",
            "gz-12345",
            {
                "name": "今日投诉量",
                "source": "hotline_orders",
                "measure": "count",
                "unit_of_measure": "件",
                "filters": [{"field": "request_type", "op": "eq", "value": "complaint"}],
                "warn": 150,
                "alarm": 250,
            },
        ),
        (
            "HOT-UNFINISHED",
            "gz-12345",
            {
                "name": "今日受理未办结",
                "source": "hotline_orders",
                "measure": "count",
                "unit_of_measure": "件",
                "filters": [{"field": "status", "op": "not_in", "value": done}],
                "warn": 300,
                "alarm": 500,
            },
        ),
        (
            "APPT-BOOKINGS",
            "gz-data",
            {
                "name": "今日大厅预约量",
                "source": "bookings",
                "measure": "count",
                "unit_of_measure": "人次",
                "group_by": "district",
                "warn": 2000,
                "alarm": 3000,
            },
        ),
        (
            "APPT-NOSHOW",
            "gz-data",
            {
                "name": "今日预约爽约",
                "source": "bookings",
                "measure": "count",
                "unit_of_measure": "人次",
                "filters": [{"field": "status", "op": "eq", "value": "no_show"}],
                "warn": 30,
                "alarm": 60,
            },
        ),
        (
            "APPL-SUBMITTED",
            "gz-data",
            {
                "name": "今日提交办件",
                "source": "applications",
                "measure": "count",
                "unit_of_measure": "件",
            },
        ),
    ]
    if grid is not None:
        common = {
            "source": "dataset",
            "dataset": grid,
            "date_field": "day",
            "district_field": "district",
            "measure": "count",
            "unit_of_measure": "件",
        }
        out += [
            (
                "GRID-EVENTS",
                "gz-urban",
                {
                    **common,
                    "name": "城中村网格事件",
                    "group_by": "district",
                    "warn": 8,
                    "alarm": 10,
                    "anomaly_k": 3,
                },
            ),
            (
                "GRID-PENDING",
                "gz-urban",
                {
                    **common,
                    "name": "城中村待处置事件",
                    "filters": [{"field": "status", "op": "eq", "value": "待处置"}],
                    "warn": 15,
                    "alarm": 25,
                },
            ),
        ]
    return out


def seed(*, actor: Actor, progress: Progress) -> None:
    rng = random.Random(155)  # noqa: S311 (demo rows, not secrets)
    urban = OrgUnit.objects.filter(code="gz-urban").first()
    if urban is None:
        return  # the identity demo was not seeded
    grid = Dataset.objects.filter(code=GRID_EVENTS).first()
    if grid is None:
        grid = dataset_create(
            actor=actor,
            code=GRID_EVENTS,
            provider=urban,
            schema=GRID_SCHEMA,
            meta=DatasetMeta(
                name="城中村网格事件",
                summary="网格员在城中村巡查上报的事件：出租屋安全、违法建设、消防通道等，含处置状态。",
                update_frequency=Frequency.DAILY,
                sharing_type=SharingType.UNCONDITIONAL,
                themes=["城中村治理", "城市运行"],
                keywords=["网格", "城中村", "巡查"],
                pipeline="市城管执法局网格化管理系统（每日导出）",
            ),
        )
        rows = grid_event_rows(timezone.localdate(), rng)
        dataset_ingest(actor=actor, dataset=grid, extract=_extract(rows), commit=True)
    specs = _indicators(grid)
    for done, (code, unit_code, fields) in enumerate(specs):
        progress("indicators", done, len(specs))
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if unit is None or Indicator.objects.filter(code=code).exists():
            continue
        indicator_create(actor=actor, code=code, spec=IndicatorSpec(owner=unit, **fields))
    indicators_evaluate_due(actor=actor)
    progress("indicators", len(specs), len(specs))
