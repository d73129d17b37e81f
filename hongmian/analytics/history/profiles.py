"""What a Guangzhou 12345 history looks like, as numbers the generator samples from.

Every figure here is a modelling assumption written for this project (no real orders are
read): the category mix, seasonal shapes, channel shift to WeChat and mini-programs, hourly and
weekly cycles, district weights by resident population (seventh census, 2020, in 10,000s) and
how good each handling unit is. `build_profile` turns them into arrays; the generator's worker
processes receive the built Profile and never import Django.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DIVISIONS_CSV = Path(__file__).resolve().parents[2] / "geo" / "data" / "guangzhou_divisions.csv"

# Resident population by district, 10,000s (seventh national census, 2020).
DISTRICT_POPULATION = {
    "440103": 112.4,  # 荔湾区
    "440104": 103.9,  # 越秀区
    "440105": 181.9,  # 海珠区
    "440106": 224.2,  # 天河区
    "440111": 374.3,  # 白云区
    "440112": 126.4,  # 黄埔区
    "440113": 265.9,  # 番禺区
    "440114": 164.2,  # 花都区
    "440115": 84.7,  # 南沙区
    "440117": 71.7,  # 从化区
    "440118": 146.6,  # 增城区
}
# Share of orders whose address names no district (free text the parser could not place).
NO_DISTRICT_SHARE = 0.03

CHANNELS = (
    "phone",
    "web",
    "wechat",
    "app",
    "mini_program",
    "sms",
    "email",
    "letter",
    "transfer",
    "open311",
)
# Channel mix in 2021 and in 2026; years between are interpolated, later years keep 2026's.
# The phone's share falls as WeChat, the mini-program and the app take over.
CHANNEL_MIX_2021 = (0.68, 0.08, 0.12, 0.04, 0.03, 0.015, 0.006, 0.004, 0.025, 0.0)
CHANNEL_MIX_2026 = (0.52, 0.05, 0.18, 0.07, 0.10, 0.008, 0.004, 0.002, 0.051, 0.015)

REQUEST_TYPES = ("inquiry", "help", "complaint", "report", "suggestion", "praise")
# Mix of request types for a category, by the category's character.
TYPE_MIXES = {
    "inquiry": (0.80, 0.08, 0.07, 0.01, 0.03, 0.01),
    "complaint": (0.10, 0.12, 0.62, 0.12, 0.03, 0.01),
    "help": (0.20, 0.50, 0.24, 0.02, 0.03, 0.01),
    "report": (0.05, 0.05, 0.35, 0.52, 0.02, 0.01),
    "mixed": (0.45, 0.15, 0.28, 0.04, 0.06, 0.02),
}
# Chance that the agent answers on the spot (直接答复), by request type; an inquiry's chance is
# scaled by the category's `answerable` factor (how well the knowledge base covers it).
DIRECT_ANSWER_BY_TYPE = (0.88, 0.06, 0.01, 0.0, 0.08, 0.55)

# Multipliers by calendar month (Jan … Dec).
SEASONS = {
    "flat": (1.0,) * 12,
    # Air-conditioning months: outages, water pressure, bills; windows open, so noise.
    "summer": (0.75, 0.7, 0.8, 0.9, 1.1, 1.4, 1.65, 1.6, 1.3, 1.0, 0.85, 0.8),
    # Unpaid wages peak before the Spring Festival.
    "wages": (1.7, 1.3, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.3, 1.9),
    # School places: applications in spring, results and placements in summer.
    "school": (0.7, 0.8, 1.0, 1.2, 1.5, 1.7, 1.6, 1.5, 1.2, 0.8, 0.7, 0.7),
    # Dragon-boat rains and typhoons: flooding and fallen trees.
    "rain": (0.5, 0.5, 0.7, 1.0, 1.6, 1.9, 1.6, 1.7, 1.3, 0.8, 0.6, 0.5),
    # Gas and heating questions in the cool months; the annual tax settlement in spring.
    "winter": (1.4, 1.3, 1.1, 0.9, 0.8, 0.7, 0.7, 0.7, 0.8, 0.9, 1.1, 1.4),
    "tax": (0.9, 0.9, 1.5, 1.4, 1.2, 1.3, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0),
}

# Weekday factors (Monday … Sunday) and hour-of-day shapes for working days and weekends.
WEEKDAY_FACTORS = (1.12, 1.06, 1.02, 1.0, 0.96, 0.74, 0.68)
HOURS_WORKDAY = (
    *(0.4, 0.25, 0.15, 0.1, 0.1, 0.2, 0.6, 1.6, 4.0, 7.6, 8.4, 7.2),
    *(5.0, 5.2, 7.0, 7.4, 7.0, 5.6, 4.2, 3.6, 3.4, 3.0, 2.2, 1.0),
)
HOURS_WEEKEND = (
    *(0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.6, 1.4, 3.0, 5.2, 6.4, 6.4),
    *(5.4, 5.2, 5.8, 6.0, 5.8, 5.0, 4.4, 4.4, 4.4, 3.8, 2.8, 1.4),
)

# The first day of the Spring Festival (正月初一), the dip's centre; the dip runs from three
# days before to six after. National Day (1–7 October) dips less.
SPRING_FESTIVALS = {
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
SPRING_FESTIVAL_FACTOR = 0.45
NATIONAL_DAY_FACTOR = 0.7
# Volume grows year on year as more requests come to 12345 instead of department lines.
ANNUAL_GROWTH = 0.07

# A surge (a burst about one thing): 3× the normal volume of one category for a week, about
# twice a year; categories that burst are the ones with `surges=True`.
SURGE_FACTOR = 3.0
SURGE_DAYS = 7
SURGES_PER_YEAR = 2.0
# An emergency episode (三区-style tag): for a fortnight, this share of one district's orders
# carries the emergency tag; about once every two years. Outside episodes a trickle is tagged.
EMERGENCY_DAYS = 14
EMERGENCY_EPISODES_PER_YEAR = 0.5
EMERGENCY_SHARE_IN_EPISODE = 0.35
EMERGENCY_BACKGROUND_SHARE = 0.001

# Handling times, in hours after dispatch unless said otherwise.
DISPATCH_DELAY_MEDIAN_MIN = 25.0  # intake → dispatch, minutes (log-normal)
ACK_LIMIT_H = 24.0  # 签收 within one day (two office hours for emergencies)
ACK_LIMIT_EMERGENCY_H = 2.0
RESOLUTION_LIMIT_H = {  # by request type; emergencies 24 h
    "inquiry": 72.0,
    "help": 120.0,
    "complaint": 168.0,
    "report": 240.0,
    "suggestion": 240.0,
    "praise": 72.0,
}
RESOLUTION_LIMIT_EMERGENCY_H = 24.0
EXTENSION_H = 120.0  # an approved extension adds five days
CALLBACK_DELAY_MEDIAN_H = 30.0
CALLBACK_REACHED = 0.9  # the rest are closed as unreachable
REOPEN_OF_DISSATISFIED = 0.35
REOPEN_EXTRA_H = 96.0
ARCHIVE_AFTER_DAYS = 15


@dataclass(frozen=True, slots=True)
class L2:
    code: str
    name: str
    weight: float
    # "street" → the street office of the order's street (二次派单), "district" → the district
    # government, otherwise a unit code.
    handler: str
    types: str
    season: str = "flat"
    enterprise: float = 0.04
    answerable: float = 1.0
    surges: bool = False
    l3: tuple[str, ...] = ()


# The taxonomy: (l1 code, l1 name, its l2 categories). Weights are relative volumes.
TAXONOMY: tuple[tuple[str, str, tuple[L2, ...]], ...] = (
    (
        "01",
        "城乡建设与管理",
        (
            L2(
                "0101",
                "市容环境卫生",
                4.0,
                "street",
                "complaint",
                "summer",
                0.02,
                0.5,
                True,
                ("垃圾清运", "乱堆乱放"),
            ),
            L2("0102", "违法建设", 2.2, "street", "report", l3=("违建搭建", "天台加建")),
            L2(
                "0103",
                "占道经营",
                2.0,
                "street",
                "complaint",
                "summer",
                0.03,
                0.5,
                l3=("流动摊贩", "店外经营"),
            ),
            L2(
                "0104",
                "道路与市政设施",
                2.6,
                "gz-housing",
                "help",
                "rain",
                0.03,
                0.6,
                True,
                ("道路破损", "井盖缺失"),
            ),
            L2(
                "0105",
                "排水与内涝",
                1.6,
                "gz-water",
                "help",
                "rain",
                0.02,
                0.5,
                True,
                ("道路积水", "下水道堵塞"),
            ),
            L2(
                "0106",
                "园林绿化",
                1.2,
                "gz-forestry",
                "help",
                "rain",
                0.01,
                0.6,
                True,
                ("树木倒伏", "绿地维护"),
            ),
        ),
    ),
    (
        "02",
        "水电气",
        (
            L2(
                "0201",
                "供水",
                3.2,
                "gz-tapwater",
                "help",
                "summer",
                0.05,
                0.7,
                True,
                ("停水", "水压不足"),
            ),
            L2(
                "0202",
                "供电",
                3.4,
                "gz-power",
                "help",
                "summer",
                0.06,
                0.7,
                True,
                ("停电", "电费争议"),
            ),
            L2(
                "0203",
                "燃气",
                1.2,
                "gz-gas",
                "help",
                "winter",
                0.04,
                0.8,
                l3=("燃气报装", "燃气安全"),
            ),
        ),
    ),
    (
        "03",
        "生态环境",
        (
            L2(
                "0301",
                "噪声扰民",
                5.0,
                "street",
                "complaint",
                "summer",
                0.02,
                0.45,
                True,
                ("施工噪声", "社会生活噪声"),
            ),
            L2(
                "0302",
                "餐饮油烟",
                1.4,
                "gz-eco",
                "complaint",
                "summer",
                0.05,
                0.5,
                l3=("油烟排放", "异味"),
            ),
            L2("0303", "大气与水污染", 1.0, "gz-eco", "report", l3=("废气排放", "河涌污染")),
        ),
    ),
    (
        "04",
        "交通出行",
        (
            L2("0401", "公交地铁", 2.4, "gz-transport", "mixed", l3=("线路站点", "服务态度")),
            L2(
                "0402",
                "出租车与网约车",
                1.6,
                "gz-transport",
                "complaint",
                enterprise=0.01,
                l3=("拒载绕路", "乱收费"),
            ),
            L2("0403", "交通秩序与停车", 2.6, "gz-police", "mixed", l3=("违停", "停车收费")),
        ),
    ),
    (
        "05",
        "劳动和社会保障",
        (
            L2(
                "0501",
                "欠薪",
                2.6,
                "gz-hrss",
                "help",
                "wages",
                0.35,
                0.4,
                True,
                ("拖欠工资", "工程款"),
            ),
            L2(
                "0502",
                "社会保险",
                3.2,
                "gz-hrss",
                "inquiry",
                "flat",
                0.15,
                1.1,
                l3=("社保缴费", "养老金领取"),
            ),
            L2(
                "0503",
                "就业创业",
                1.2,
                "gz-hrss",
                "inquiry",
                "flat",
                0.2,
                1.1,
                l3=("就业补贴", "职业培训"),
            ),
        ),
    ),
    (
        "06",
        "住房与物业",
        (
            L2("0601", "物业管理", 3.4, "street", "complaint", l3=("物业服务", "维修资金")),
            L2("0602", "房屋租赁", 1.6, "gz-housing", "mixed", l3=("租赁纠纷", "租赁备案")),
            L2(
                "0603",
                "住房公积金",
                2.2,
                "gz-housing-fund",
                "inquiry",
                "flat",
                0.05,
                1.15,
                l3=("公积金提取", "公积金贷款"),
            ),
            L2(
                "0604",
                "房地产交易与保障房",
                1.4,
                "gz-housing",
                "inquiry",
                l3=("网签备案", "保障房申请"),
            ),
        ),
    ),
    (
        "07",
        "市场监管",
        (
            L2(
                "0701",
                "消费维权",
                3.6,
                "gz-market",
                "complaint",
                "flat",
                0.1,
                0.5,
                True,
                ("预付卡", "商品质量"),
            ),
            L2(
                "0702",
                "食品安全",
                1.4,
                "gz-market",
                "report",
                "summer",
                0.1,
                l3=("过期食品", "无证经营"),
            ),
            L2("0703", "价格监管", 0.8, "gz-market", "complaint", l3=("价格欺诈", "明码标价")),
        ),
    ),
    (
        "08",
        "教育",
        (
            L2(
                "0801",
                "入学招生",
                2.0,
                "gz-edu",
                "inquiry",
                "school",
                0.0,
                1.0,
                True,
                ("积分入学", "学位分配"),
            ),
            L2(
                "0802",
                "校外培训与收费",
                0.8,
                "gz-edu",
                "complaint",
                "school",
                0.05,
                l3=("校外培训", "学校收费"),
            ),
        ),
    ),
    (
        "09",
        "卫生健康与医保",
        (
            L2("0901", "医疗服务", 1.8, "gz-health", "complaint", l3=("就医体验", "医患纠纷")),
            L2(
                "0902",
                "医保报销",
                1.6,
                "gz-medical",
                "inquiry",
                "flat",
                0.05,
                1.1,
                l3=("医保报销", "异地就医"),
            ),
        ),
    ),
    (
        "10",
        "公安与户籍",
        (
            L2(
                "1001",
                "户籍与居住证",
                2.0,
                "gz-police",
                "inquiry",
                "flat",
                0.0,
                1.15,
                l3=("入户", "居住证"),
            ),
            L2(
                "1002",
                "出入境",
                0.8,
                "gz-police",
                "inquiry",
                "flat",
                0.02,
                1.15,
                l3=("护照", "港澳通行证"),
            ),
        ),
    ),
    (
        "11",
        "民政与社会服务",
        (
            L2("1101", "养老服务", 1.0, "gz-civil", "mixed", l3=("养老院", "长者饭堂")),
            L2("1102", "社会救助", 0.8, "gz-civil", "help", l3=("低保", "临时救助")),
        ),
    ),
    (
        "12",
        "政务服务",
        (
            L2(
                "1201",
                "办事指南",
                4.2,
                "gz-data",
                "inquiry",
                "flat",
                0.1,
                1.2,
                l3=("办事材料", "办理进度"),
            ),
            L2("1202", "税费", 1.4, "gz-tax", "inquiry", "tax", 0.3, 1.1, l3=("个税汇算", "发票")),
        ),
    ),
    (
        "13",
        "营商环境",
        (
            L2(
                "1301",
                "企业开办与审批",
                1.0,
                "gz-market",
                "inquiry",
                "flat",
                0.9,
                1.0,
                l3=("企业登记", "许可审批"),
            ),
            L2(
                "1302",
                "惠企政策",
                0.8,
                "gz-commerce",
                "inquiry",
                "flat",
                0.9,
                1.0,
                l3=("补贴申报", "政策咨询"),
            ),
            L2(
                "1303",
                "涉企执法与服务",
                0.5,
                "district",
                "complaint",
                "flat",
                0.95,
                0.5,
                l3=("执法检查", "企业诉求"),
            ),
        ),
    ),
    (
        "14",
        "农业农村与文旅",
        (
            L2("1401", "农村事务", 0.6, "district", "mixed", l3=("农村宅基地", "征地补偿")),
            L2("1402", "文化旅游与体育", 0.7, "gz-culture", "mixed", l3=("旅游投诉", "场馆开放")),
        ),
    ),
)

# Satisfaction answers of a reached callback: the satisfied share rises with a unit's quality.
SATISFIED_BASE, SATISFIED_PER_QUALITY = 0.50, 0.38
BASIC_SHARE_OF_REST = 0.55


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything the generator samples from, as arrays indexed by code position."""

    # Categories: one row per l2; l1 and l3 labels by position.
    l1_codes: list[str]
    l1_names: list[str]
    l2_codes: list[str]
    l2_names: list[str]
    l2_l1: np.ndarray  # l2 → index into l1_*
    l2_weight: np.ndarray
    l2_season: np.ndarray  # (n_l2, 12)
    l2_types: np.ndarray  # (n_l2, 6) cumulative
    l2_enterprise: np.ndarray
    l2_answerable: np.ndarray
    l2_surges: np.ndarray  # bool
    l2_handler: np.ndarray  # ≥0 unit index; -1 street office; -2 district government
    l3_codes: list[str]
    l3_names: list[str]
    l2_l3_start: np.ndarray  # first l3 index of each l2
    l2_l3_count: np.ndarray
    # Areas.
    district_codes: list[str]  # 9-digit
    district_cum: np.ndarray  # cumulative population weights
    street_codes: list[str]
    district_street_start: np.ndarray
    district_street_count: np.ndarray
    # Units: the first ones are departments/utilities, then districts, then streets.
    unit_codes: list[str]
    unit_names: list[str]
    district_unit: np.ndarray  # district index → unit index
    street_unit: np.ndarray  # street index → unit index
    department_units: np.ndarray  # units a mis-dispatch may land on first
    unit_quality: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Who gets area-bound orders (noise, litter, building) whose address names no district:
    # the city's urban management bureau (城管).
    fallback_unit: int = 0


def _divisions() -> list[dict[str, str]]:
    with DIVISIONS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def build_profile(*, seed: int, unit_names: dict[str, str]) -> Profile:
    """Arrays for the generator. `unit_names` maps unit codes (identity demo codes: gz-water,
    gz-440106, gz-440106006 …) to names; units' quality is drawn from `seed`."""
    rows = _divisions()
    districts = [r for r in rows if r["level"] == "district"]
    district_codes = [r["code"] for r in districts]
    pops = np.array([DISTRICT_POPULATION[c[:6]] for c in district_codes])
    street_codes: list[str] = []
    starts, counts = [], []
    for d in district_codes:
        mine = [r["code"] for r in rows if r["parent_code"] == d and r["level"] != "district"]
        starts.append(len(street_codes))
        counts.append(len(mine))
        street_codes += mine

    handlers = sorted({l2.handler for _, _, l2s in TAXONOMY for l2 in l2s} - {"street", "district"})
    misdispatch = [c for c in ("gz-urban", "gz-housing", "gz-eco", "gz-water") if c in unit_names]
    departments = list(dict.fromkeys([*handlers, *misdispatch]))
    unit_codes = [*departments]
    district_unit = []
    for d in district_codes:
        district_unit.append(len(unit_codes))
        unit_codes.append(f"gz-{d[:6]}")
    street_unit = []
    for s in street_codes:
        street_unit.append(len(unit_codes))
        unit_codes.append(f"gz-{s}")
    missing = [c for c in unit_codes if c not in unit_names]
    if missing:
        raise ValueError(f"unit names missing for {missing[:5]}")
    unit_index = {c: i for i, c in enumerate(unit_codes)}

    l1_codes: list[str] = []
    l1_names: list[str] = []
    l2s: list[L2] = []
    l2_l1: list[int] = []
    for i, (code, name, children) in enumerate(TAXONOMY):
        l1_codes.append(code)
        l1_names.append(name)
        for l2 in children:
            l2s.append(l2)
            l2_l1.append(i)
    l3_codes: list[str] = []
    l3_names: list[str] = []
    l3_start: list[int] = []
    l3_count: list[int] = []
    for l2 in l2s:
        l3_start.append(len(l3_codes))
        l3_count.append(len(l2.l3))
        for j, name in enumerate(l2.l3, start=1):
            l3_codes.append(f"{l2.code}{j:02d}")
            l3_names.append(name)
    handler = [
        -1 if l2.handler == "street" else -2 if l2.handler == "district" else unit_index[l2.handler]
        for l2 in l2s
    ]
    # Quality in (0, 1): most units are decent, a few are poor, a few excellent.
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC0DE]))
    quality = rng.beta(5.0, 2.0, size=len(unit_codes))
    return Profile(
        l1_codes=l1_codes,
        l1_names=l1_names,
        l2_codes=[l2.code for l2 in l2s],
        l2_names=[l2.name for l2 in l2s],
        l2_l1=np.array(l2_l1, dtype=np.int32),
        l2_weight=np.array([l2.weight for l2 in l2s]),
        l2_season=np.array([SEASONS[l2.season] for l2 in l2s]),
        l2_types=np.cumsum(np.array([TYPE_MIXES[l2.types] for l2 in l2s]), axis=1),
        l2_enterprise=np.array([l2.enterprise for l2 in l2s]),
        l2_answerable=np.array([l2.answerable for l2 in l2s]),
        l2_surges=np.array([l2.surges for l2 in l2s]),
        l2_handler=np.array(handler, dtype=np.int32),
        l3_codes=l3_codes,
        l3_names=l3_names,
        l2_l3_start=np.array(l3_start, dtype=np.int32),
        l2_l3_count=np.array(l3_count, dtype=np.int32),
        district_codes=district_codes,
        district_cum=np.cumsum(pops / pops.sum()),
        street_codes=street_codes,
        district_street_start=np.array(starts, dtype=np.int32),
        district_street_count=np.array(counts, dtype=np.int32),
        unit_codes=unit_codes,
        unit_names=[unit_names[c] for c in unit_codes],
        district_unit=np.array(district_unit, dtype=np.int32),
        street_unit=np.array(street_unit, dtype=np.int32),
        department_units=np.array([unit_index[c] for c in departments], dtype=np.int32),
        unit_quality=quality,
        fallback_unit=unit_index.get("gz-urban", 0),
    )


def demo_unit_names() -> dict[str, str]:
    """Unit names from the identity app's demo tree (needs Django's app registry)."""
    from hongmian.identity.demo import unit_specs

    return {spec.code: spec.name for spec in unit_specs()}


__all__ = ["TAXONOMY", "Profile", "build_profile", "demo_unit_names"]
