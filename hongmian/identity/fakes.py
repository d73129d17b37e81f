"""Made-up but valid identities for the demo data and the test factories.

Every value is generated here (nothing is copied from real records): resident IDs carry the
right GB 11643 check digit and credit codes the right GB 32100 check character, so they pass
the same validators as real ones. Pass a seeded `random.Random` to get the same data each run.
"""

from __future__ import annotations

import datetime as dt
import random

from hongmian.core.validators import credit_code_check_char, resident_id_check_char

# Region codes (GB/T 2260) of Guangzhou's current districts, used as the first six ID digits.
GUANGZHOU_REGIONS = (
    "440103",  # 荔湾区
    "440104",  # 越秀区
    "440105",  # 海珠区
    "440106",  # 天河区
    "440111",  # 白云区
    "440112",  # 黄埔区
    "440113",  # 番禺区
    "440114",  # 花都区
    "440115",  # 南沙区
    "440117",  # 从化区
    "440118",  # 增城区
)

# The commonest surnames in Guangdong, roughly in order of frequency.
SURNAMES: tuple[str, ...] = (
    *"陈李黄张梁林刘吴罗何郑谢冯邓曾杨周叶麦潘朱蔡卢余许钟胡苏郭赖彭莫方关温简",
    "欧阳",
    "司徒",
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰建国志红嘉欣俊宇浩然子轩梓涵诗雅晓东"
)
# Mobile number prefixes of the three carriers.
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
]
ROADS = (
    "中山大道",
    "天河路",
    "黄埔大道",
    "体育东路",
    "东风中路",
    "解放北路",
    "江南大道",
    "工业大道",
    "广州大道北",
    "白云大道",
    "环市东路",
    "滨江东路",
    "番禺大道",
    "迎宾大道",
    "新港西路",
)
# Parts of enterprise names: a trade name and a line of business.
TRADE_NAMES = [
    "穗星",
    "云山",
    "珠江",
    "花城",
    "羊城",
    "南粤",
    "岭南",
    "木棉",
    "新穗",
    "越华",
    "海鸥",
    "白鹭",
    "长洲",
    "流花",
    "东山",
    "荔湾",
    "粤海",
    "明珠",
    "广信",
    "骏达",
    "汇丰源",
    "恒粤",
    "宏图",
    "鸿运",
    "德信",
    "嘉禾",
    "瑞丰",
    "锦绣",
    "凯旋",
    "华晟",
]
BUSINESSES = (
    "科技",
    "信息技术",
    "餐饮管理",
    "贸易",
    "物业管理",
    "建筑工程",
    "文化传播",
    "医药",
    "物流",
    "教育咨询",
    "电子商务",
    "环保科技",
    "食品",
    "服装",
    "汽车服务",
)


def resident_id(region: str, born: dt.date, order: int) -> str:
    """An 18-character resident ID: region, birth date, 3-digit order, GB 11643 check digit.
    An odd order digit means male."""
    body = f"{region}{born:%Y%m%d}{order % 1000:03d}"
    return body + resident_id_check_char(body)


def credit_code(region: str, organisation: str, *, authority: str = "91") -> str:
    """An 18-character unified social credit code: authority and kind ("91" a company),
    6-digit region, 9-character organisation code, GB 32100 check character."""
    body = f"{authority}{region}{organisation}"
    if len(body) != 17:
        raise ValueError("authority (2) + region (6) + organisation (9) must be 17 characters")
    return body + credit_code_check_char(body)


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def birthdate(rng: random.Random, *, oldest: int = 1940, youngest: int = 2005) -> dt.date:
    start = dt.date(oldest, 1, 1)
    span = (dt.date(youngest, 12, 31) - start).days
    return start + dt.timedelta(days=rng.randrange(span))


def enterprise_name(rng: random.Random) -> str:
    return f"广州市{rng.choice(TRADE_NAMES)}{rng.choice(BUSINESSES)}有限公司"


def organisation_code(rng: random.Random) -> str:
    """Nine characters in the style of a new Guangzhou registration ("MA5…")."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "MA5" + "".join(rng.choice(alphabet) for _ in range(6))
