"""Demo data of the data hub: six Guangzhou datasets from five departments, each with its
Table Schema, fields with grades, and a small generated load (a few rows deliberately bad,
so that the runs show rejects). Called by `hongmian seed_demo` after the identity demo
(whose units provide the datasets). Deterministic; a second run finds every dataset there
and loads nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Any

from hongmian.core.actors import Actor
from hongmian.datahub.ingest import Extract
from hongmian.datahub.models import Dataset
from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
from hongmian.datahub.services.ingestion import dataset_ingest
from hongmian.datahub.states import Frequency, OpenType, SharingType
from hongmian.identity.models import OrgUnit, User

Progress = Callable[[str, int, int], None]

DISTRICTS = [
    "越秀区",
    "海珠区",
    "荔湾区",
    "天河区",
    "白云区",
    "黄埔区",
    "番禺区",
    "花都区",
    "南沙区",
    "从化区",
    "增城区",
]
VILLAGES = ["石牌村", "冼村", "猎德村", "三元里村", "康乐村", "棠下村", "沥滘村", "凤和村"]
_BASIS = "《广州市政务数据管理办法》《中华人民共和国个人信息保护法》"


def _f(name: str, kind: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "title": title, **extra}


def _req(**more: Any) -> dict[str, Any]:
    return {"constraints": {"required": True, **more}}


DATASETS: list[dict[str, Any]] = [
    {
        "code": "GZ-HOUSING-BUILDINGS",
        "unit": "gz-housing",
        "name": "房屋建筑基础信息",
        "summary": "全市房屋建筑的楼栋编码、所在区和村居、层数、建成年份与结构。",
        "frequency": Frequency.DAILY,
        "sharing": SharingType.UNCONDITIONAL,
        "open": OpenType.OPEN,
        "themes": ["城市建设", "城中村治理"],
        "keywords": ["房屋", "楼栋", "建筑"],
        "pipeline": "住建局房屋管理系统（每日导出）",
        "schema": {
            "primaryKey": "building_id",
            "fields": [
                _f("building_id", "string", "楼栋编码", **_req(pattern="GZB[0-9]{6}")),
                _f("district", "string", "所在区", **_req(enum=DISTRICTS)),
                _f("village", "string", "村居"),
                _f("floors", "integer", "层数", constraints={"minimum": 1, "maximum": 120}),
                _f("built_year", "year", "建成年份"),
                _f("structure", "string", "结构", constraints={"enum": ["砖混", "框架", "钢结构"]}),
            ],
        },
    },
    {
        "code": "GZ-HOUSING-RENTALS",
        "unit": "gz-housing",
        "name": "出租屋登记信息",
        "summary": "出租屋的登记编号、楼栋、间数与出租人联系方式。",
        "frequency": Frequency.WEEKLY,
        "sharing": SharingType.CONDITIONAL,
        "conditions": "用于城中村治理、来穗人员服务管理，按需申请字段",
        "basis": _BASIS,
        "themes": ["城中村治理", "住房保障"],
        "keywords": ["出租屋", "租赁"],
        "pipeline": "出租屋管理系统",
        "upstream": ["GZ-HOUSING-BUILDINGS"],
        "schema": {
            "primaryKey": "rental_id",
            "foreignKeys": [
                {
                    "fields": "building_id",
                    "reference": {"resource": "GZ-HOUSING-BUILDINGS", "fields": "building_id"},
                }
            ],
            "fields": [
                _f("rental_id", "integer", "登记编号", **_req()),
                _f("building_id", "string", "楼栋编码", **_req()),
                _f("rooms", "integer", "间数", constraints={"minimum": 1}),
                _f(
                    "landlord_phone",
                    "string",
                    "出租人电话",
                    grade="important",
                    personal=True,
                    classification="个人联系方式",
                    constraints={"pattern": "1[3-9][0-9]{9}"},
                ),
                _f("registered", "date", "登记日期", **_req()),
            ],
        },
    },
    {
        "code": "GZ-POLICE-POPULATION",
        "unit": "gz-police",
        "name": "实有人口（按村居汇总）",
        "summary": "各村居的户籍人口与来穗人员数，按月汇总。",
        "frequency": Frequency.MONTHLY,
        "sharing": SharingType.NOT_SHARED,
        "basis": "涉及人口管理敏感信息，依《中华人民共和国数据安全法》不予共享",
        "themes": ["人口", "城中村治理"],
        "keywords": ["人口", "来穗人员"],
        "pipeline": "人口信息管理系统",
        "schema": {
            "primaryKey": ["month", "village"],
            "fields": [
                _f("month", "string", "月份", **_req(pattern="20[0-9]{2}-[01][0-9]")),
                _f("village", "string", "村居", **_req()),
                _f("registered", "integer", "户籍人口", grade="core"),
                _f("migrants", "integer", "来穗人员", grade="core"),
            ],
        },
    },
    {
        "code": "GZ-MARKET-ENTITIES",
        "unit": "gz-market",
        "name": "市场主体登记信息",
        "summary": "企业、个体工商户的统一社会信用代码、名称、类型、登记机关与成立日期。",
        "frequency": Frequency.DAILY,
        "sharing": SharingType.UNCONDITIONAL,
        "open": OpenType.OPEN,
        "themes": ["营商环境"],
        "keywords": ["企业", "个体户", "登记"],
        "pipeline": "商事登记系统",
        "schema": {
            "primaryKey": "uscc",
            "fields": [
                _f("uscc", "string", "统一社会信用代码", **_req(pattern="[0-9A-Z]{18}")),
                _f("name", "string", "名称", **_req()),
                _f(
                    "kind",
                    "string",
                    "类型",
                    constraints={"enum": ["有限责任公司", "个体工商户", "股份有限公司"]},
                ),
                _f("district", "string", "登记区", constraints={"enum": DISTRICTS}),
                _f("founded", "date", "成立日期"),
            ],
        },
    },
    {
        "code": "GZ-WATER-OUTAGES",
        "unit": "gz-water",
        "name": "计划停水通知",
        "summary": "计划停水的范围、起止时间和原因。",
        "frequency": Frequency.REALTIME,
        "sharing": SharingType.UNCONDITIONAL,
        "open": OpenType.OPEN,
        "themes": ["公用事业"],
        "keywords": ["停水", "供水"],
        "pipeline": "供水调度系统接口",
        "schema": {
            "primaryKey": "notice_id",
            "fields": [
                _f("notice_id", "integer", "通知编号", **_req()),
                _f("district", "string", "区", constraints={"enum": DISTRICTS}),
                _f("starts", "datetime", "开始时间", **_req()),
                _f("ends", "datetime", "结束时间", **_req()),
                _f("reason", "string", "原因"),
            ],
        },
    },
    {
        "code": "GZ-DATA-HOTLINE-DAILY",
        "unit": "gz-data",
        "name": "12345 热线诉求日汇总",
        "summary": "按日、按区汇总的 12345 诉求量与按时办结率（由分析库计算）。",
        "frequency": Frequency.DAILY,
        "sharing": SharingType.UNCONDITIONAL,
        "themes": ["城市运行"],
        "keywords": ["12345", "热线", "诉求"],
        "pipeline": "红棉分析库（Ibis/DuckDB）每日汇总",
        "schema": {
            "primaryKey": ["day", "district"],
            "fields": [
                _f("day", "date", "日期", **_req()),
                _f("district", "string", "区", **_req(enum=DISTRICTS)),
                _f("orders", "integer", "诉求量", constraints={"minimum": 0}),
                _f(
                    "on_time_rate", "number", "按时办结率", constraints={"minimum": 0, "maximum": 1}
                ),
            ],
        },
    },
]


def _rows(code: str, rng: random.Random) -> list[dict[str, Any]]:
    day = dt.date(2026, 11, 1)
    if code == "GZ-HOUSING-BUILDINGS":
        rows = [
            {
                "building_id": f"GZB{n:06d}",
                "district": rng.choice(DISTRICTS),
                "village": rng.choice(VILLAGES),
                "floors": str(rng.randint(2, 40)),
                "built_year": str(rng.randint(1980, 2024)),
                "structure": rng.choice(["砖混", "框架", "钢结构"]),
            }
            for n in range(1, 121)
        ]
        rows[7]["floors"] = "十二"  # a department's typo: rejected with its reason
        return rows
    if code == "GZ-HOUSING-RENTALS":
        rows = [
            {
                "rental_id": str(n),
                "building_id": f"GZB{rng.randint(1, 120):06d}",
                "rooms": str(rng.randint(1, 12)),
                "landlord_phone": f"13{rng.randint(100000000, 999999999)}",
                "registered": (day - dt.timedelta(days=rng.randint(0, 300))).isoformat(),
            }
            for n in range(1, 81)
        ]
        rows[3]["building_id"] = "GZB999999"  # no such building: a foreign-key reject
        return rows
    if code == "GZ-POLICE-POPULATION":
        return [
            {
                "month": "2026-10",
                "village": v,
                "registered": str(rng.randint(2000, 9000)),
                "migrants": str(rng.randint(5000, 60000)),
            }
            for v in VILLAGES
        ]
    if code == "GZ-MARKET-ENTITIES":
        letters = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        return [
            {
                "uscc": "91440101" + "".join(rng.choice(letters) for _ in range(10)),
                "name": f"广州市{rng.choice(['穗安', '羊城', '珠江', '花城', '岭南'])}"
                f"{rng.choice(['贸易', '科技', '餐饮', '物流'])}有限公司{n}",
                "kind": "有限责任公司",
                "district": rng.choice(DISTRICTS),
                "founded": (day - dt.timedelta(days=rng.randint(0, 3000))).isoformat(),
            }
            for n in range(1, 101)
        ]
    if code == "GZ-WATER-OUTAGES":
        out = []
        for n in range(1, 21):
            start = dt.datetime(2026, 11, 1, 8) + dt.timedelta(hours=rng.randint(0, 600))
            out.append(
                {
                    "notice_id": str(n),
                    "district": rng.choice(DISTRICTS),
                    "starts": start.isoformat(),
                    "ends": (start + dt.timedelta(hours=rng.randint(2, 12))).isoformat(),
                    "reason": rng.choice(["管道维修", "阀门更换", "新管接驳"]),
                }
            )
        return out
    return [
        {
            "day": (day + dt.timedelta(days=d)).isoformat(),
            "district": district,
            "orders": str(rng.randint(80, 900)),
            "on_time_rate": f"{rng.uniform(0.9, 1):.3f}",
        }
        for d in range(7)
        for district in DISTRICTS
    ]


def _extract(code: str, rows: list[dict[str, Any]]) -> Extract:
    def numbered() -> Iterator[tuple[int, dict[str, Any]]]:
        yield from enumerate(rows, start=2)  # as a CSV export: line 1 is the header

    return Extract(f"{code}.csv", tuple(rows[0]), numbered())


def seed(*, actor: Actor, progress: Progress) -> None:
    rng = random.Random(15)  # noqa: S311 (demo rows, not secrets)
    officer = User.objects.filter(username="cdo").first()
    steward = User.objects.filter(username="steward").first()
    for done, spec in enumerate(DATASETS, start=1):
        progress("datasets", done - 1, len(DATASETS))
        rows = _rows(spec["code"], rng)  # drawn every time, so the stream stays the same
        if Dataset.objects.filter(code=spec["code"]).exists():
            continue
        unit = OrgUnit.objects.filter(code=spec["unit"]).first()
        if unit is None:
            continue  # the identity demo was not seeded
        dataset = dataset_create(
            actor=actor,
            code=spec["code"],
            provider=unit,
            schema=spec["schema"],
            meta=DatasetMeta(
                name=spec["name"],
                summary=spec["summary"],
                update_frequency=spec["frequency"],
                sharing_type=spec["sharing"],
                sharing_conditions=spec.get("conditions", ""),
                legal_basis=spec.get("basis", ""),
                open_type=spec.get("open", OpenType.NOT_OPEN),
                themes=spec["themes"],
                keywords=spec["keywords"],
                pipeline=spec["pipeline"],
                upstream=spec.get("upstream", ()),
                owner=steward,
                chief_data_officer=officer,
            ),
        )
        dataset_ingest(
            actor=actor, dataset=dataset, extract=_extract(spec["code"], rows), commit=True
        )
    progress("datasets", len(DATASETS), len(DATASETS))
