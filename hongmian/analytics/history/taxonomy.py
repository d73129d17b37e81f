"""The 12345 category taxonomy the generator draws from: l1 groups, their l2 categories and
each l2's l3 labels.

Each `L2` carries its modelling assumptions: relative volume, who handles it, its request-type
mix (a key of `assumptions.TYPE_MIXES`), its seasonal shape (a key of `assumptions.SEASONS`),
the enterprise share, how answerable on the spot its inquiries are, and whether it surges.
`profiles.build_profile` flattens it into arrays; `profiles` re-exports `L2` and `TAXONOMY`.
"""

from __future__ import annotations

from dataclasses import dataclass


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
