"""Made-up 12345 requests that read like real ones, for the demo seed and the sample export.

Every text is built here from templates × Guangzhou places × a problem per topic (噪音扰民,
路灯不亮, 占道经营, 停水, 拖欠工资 …): nothing is copied from real records. Districts and
streets come from the project's geo/data/guangzhou_divisions.csv; roads and landmarks are
public names (the landmarks are those the address parser knows, so the demo's addresses
resolve to the district and street they were made for).

Pass a seeded `random.Random`: the same seed gives the same texts, in the same order.
A topic is ours, not the taxonomy's: `category_for_topic` (in demo.py) maps it to whatever
category of the loaded taxonomy carries one of its names or keywords.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from hongmian.geo.selectors import gazetteer
from hongmian.geo.states import DivisionLevel
from hongmian.hotline.demo.topics import TOPICS, Topic
from hongmian.identity import fakes

# Resident population by district (万人, 2020 census): where requests come from.
DISTRICT_POPULATION = {
    "440103": 112,  # 荔湾
    "440104": 104,  # 越秀
    "440105": 181,  # 海珠
    "440106": 224,  # 天河
    "440111": 374,  # 白云
    "440112": 113,  # 黄埔
    "440113": 265,  # 番禺
    "440114": 164,  # 花都
    "440115": 85,  # 南沙
    "440117": 72,  # 从化
    "440118": 147,  # 增城
}

# Roads of each district, as callers name them.
DISTRICT_ROADS: dict[str, tuple[str, ...]] = {
    "440103": ("中山七路", "中山八路", "康王中路", "龙津西路", "黄沙大道", "芳村大道中",
               "花地大道南", "鹤洞路", "环翠北路", "多宝路", "恩宁路", "东漖北路"),
    "440104": ("中山五路", "东风中路", "解放北路", "环市东路", "农林下路", "东湖路",
               "建设六马路", "越秀北路", "一德路", "人民北路", "德政中路", "大沙头路"),
    "440105": ("工业大道北", "新港西路", "新港中路", "昌岗中路", "宝岗大道", "前进路",
               "南洲路", "石溪路", "赤岗北路", "滨江东路", "泰沙路", "新滘南路"),
    "440106": ("天河北路", "花城大道", "中山大道西", "石牌东路", "五山路", "华景路",
               "龙口西路", "林和西路", "珠江东路", "猎德大道", "天府路", "员村二横路"),
    "440111": ("白云大道北", "机场路", "广园中路", "同和路", "京溪路", "黄石东路",
               "增槎路", "石井大道", "云城东路", "齐富路", "沙太路", "鹤龙一路"),
    "440112": ("开创大道", "科学大道", "黄埔东路", "香雪大道", "开发大道", "丰乐北路",
               "大沙地东路", "护林路", "中山大道东", "联和路", "伴河路", "怡园路"),
    "440113": ("番禺大道北", "迎宾路", "兴南大道", "汉溪大道", "清河东路", "亚运大道",
               "福德路", "东环路", "捷进中路", "禺山大道", "陈边路", "富华西路"),
    "440114": ("迎宾大道", "凤凰北路", "天贵路", "公益大道", "云山大道", "商业大道",
               "紫薇路", "建设北路", "新街大道", "茶园路", "田美路", "宝华路"),
    "440115": ("环市大道中", "进港大道", "港前大道", "金岭北路", "双山大道", "海滨路",
               "凤凰大道", "蕉门路", "黄阁大道", "南沙大道", "金隆路", "丰泽东路"),
    "440117": ("河滨北路", "河滨南路", "新城东路", "从城大道", "中田路", "旺城大道",
               "西宁路", "新村南路", "江埔路", "青云路", "府前路", "北星路"),
    "440118": ("荔城大道", "增城大道", "府佑路", "新塘大道", "广深大道", "荔乡路",
               "挂绿路", "荔景大道", "港口大道", "荔新公路", "朱村大道", "沙庄路"),
}  # fmt: skip
# Estate names made of neutral words (no place names inside, which would mislead the parser).
ESTATE_STEMS = (
    "金碧", "翠华", "雅居", "丽景", "逸景", "美林", "锦城", "君华", "星河", "怡景",
    "嘉和", "瑞景", "棠德", "骏景", "碧华", "御景", "泰安", "万科", "富力", "保利",
    "康乐", "盈丰", "宏城", "东信", "时代", "荔园", "蓝湾", "翡翠", "天悦", "颐和",
)  # fmt: skip
ESTATE_SUFFIXES = ("花园", "苑", "小区", "家园", "雅苑", "新村", "公寓", "名苑")
SHOP_KINDS = ("烧烤店", "大排档", "奶茶店", "五金店", "汽修店", "水果档", "便利店", "麻辣烫店",
              "KTV", "酒吧", "棋牌室", "洗车店", "火锅店", "早餐店")  # fmt: skip
SCHOOL_STEMS = ("启明", "学而思远", "智慧树", "博雅", "乐学", "优思", "卓越", "新起点", "童梦",
                "天才宝贝", "英才", "明德")  # fmt: skip
SCHOOL_KINDS = ("教育培训中心", "艺术培训学校", "英语培训机构", "体育培训中心", "托管中心")
HOURS = ("晚上10点后", "晚上11点后", "凌晨1点左右", "凌晨2点多", "早上6点前", "中午12点至2点")
DURATIONS = ("两天", "三天", "一周", "半个多月", "一个多月", "两个月")
NEIGHBOURS = ("楼上住户", "隔壁住户", "楼下商铺", "对面商铺")
ROLES = ("话务员", "工作人员", "窗口工作人员", "网格员", "社区工作人员")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a request is about. `address` is what the caller says; the codes are what it
    was made for (the parser reads the address itself at intake)."""

    district_code: str  # 9 digits
    street_code: str  # 9 digits, or "" when the caller names only the district
    address: str
    spot: str  # the short name used in titles: 骏景花园, 荔城大道188号


@dataclass(frozen=True, slots=True)
class RequestText:
    topic: Topic
    title: str
    content: str
    place: Place | None
    subject: int = 0  # which of the topic's titles/contents it was made from


@cache
def _townships() -> dict[str, tuple[tuple[str, str], ...]]:
    """(code, name) of each district's streets and towns, by 6-digit district code."""
    out: dict[str, list[tuple[str, str]]] = {}
    for entry in gazetteer().entries:
        if entry.level in (DivisionLevel.STREET, DivisionLevel.TOWN):
            out.setdefault(entry.code[:6], []).append((entry.code, entry.name))
    return {region: tuple(items) for region, items in out.items()}


def _district_name(region: str) -> str:
    return gazetteer().by_code[f"{region}000"].name


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int | float]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


_DISTRICT_WEIGHTS = tuple(DISTRICT_POPULATION.items())

# How requests arrive: most by phone; the online channels together about a third.
CHANNEL_WEIGHTS = (
    ("phone", 60),
    ("wechat", 12),
    ("web", 7),
    ("app", 6),
    ("mini_program", 6),
    ("transfer", 4),
    ("sms", 2),
    ("email", 1),
    ("letter", 1),
    ("open311", 1),
)
# Share of requests by hour of the day (0–23): the centre answers around the clock, but
# calls follow the working day with a peak mid-morning and a smaller one after lunch.
HOUR_WEIGHTS = (
    1, 1, 1, 1, 1, 2, 3, 6, 9, 12, 12, 10, 7, 8, 10, 10, 9, 8, 6, 6, 5, 4, 3, 2,
)  # fmt: skip


class TextGenerator:
    """Draws topics, places and texts from one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # --- places ------------------------------------------------------------------------------

    def region(self) -> str:
        return _weighted(self.rng, _DISTRICT_WEIGHTS)

    def estate(self) -> str:
        return self.rng.choice(ESTATE_STEMS) + self.rng.choice(ESTATE_SUFFIXES)

    def road(self, region: str) -> str:
        return self.rng.choice([r for r in DISTRICT_ROADS[region] if r.endswith(("路", "道"))])

    def place(self, region: str | None = None) -> Place:
        """A place in `region` (drawn by population if None), in one of the ways callers
        give one: a full postal address, an estate, a crossroads, a road and number."""
        rng = self.rng
        region = region or self.region()
        district = _district_name(region)
        street_code, street = rng.choice(_townships()[region])
        road = self.road(region)
        number = f"{rng.randint(1, 999)}号"
        form = rng.random()
        if form < 0.35:
            estate = self.estate()
            address = f"广州市{district}{street}{road}{number}{estate}{rng.randint(1, 30)}栋"
            return Place(f"{region}000", street_code, address, estate)
        if form < 0.6:
            estate = self.estate()
            return Place(f"{region}000", street_code, f"{district}{street}{estate}", estate)
        if form < 0.8:
            return Place(f"{region}000", street_code, f"{street}{road}{number}", road + number)
        if form < 0.9:
            other = self.road(region)
            if other == road:
                return Place(f"{region}000", "", f"{district}{road}{number}", road + number)
            spot = f"{road}与{other}交界处"
            return Place(f"{region}000", "", f"{district}{spot}", spot)
        return Place(f"{region}000", "", f"{district}{road}{number}附近", road + number)

    # --- requests ----------------------------------------------------------------------------

    def channel(self) -> str:
        return _weighted(self.rng, CHANNEL_WEIGHTS)

    def hour(self) -> int:
        return self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]

    def request_type(self, topic: Topic) -> str:
        return _weighted(self.rng, topic.request_types)

    def topic(self) -> Topic:
        return self.rng.choices(TOPICS, weights=[t.weight for t in TOPICS])[0]

    def slots(self, place: Place | None) -> dict[str, str]:
        rng = self.rng
        return {
            "spot": place.spot if place else "附近",
            "addr": place.address if place else "",
            "estate": place.spot if place else self.estate(),
            "shop": rng.choice(SHOP_KINDS),
            "company": fakes.enterprise_name(rng),
            "school": rng.choice(SCHOOL_STEMS) + rng.choice(SCHOOL_KINDS),
            "hour": rng.choice(HOURS),
            "duration": rng.choice(DURATIONS),
            "neighbour": rng.choice(NEIGHBOURS),
            "months": str(rng.randint(2, 6)),
            "amount": f"{rng.randrange(2, 90) * 500:,}",
            "small_amount": f"{rng.randrange(2, 60) * 100:,}",
            "count": str(rng.randint(3, 40)),
            "line": f"{rng.randint(2, 580)}路",
            "plate": f"粤A{rng.choice('BCDEFGHJKLMNPQ')}{rng.randint(1000, 9999)}",
            "role": rng.choice(ROLES),
            "surname": rng.choice(fakes.SURNAMES),
            "day": f"{rng.randint(1, 28)}日",
        }

    def request(self, topic: Topic | None = None, place: Place | None = None) -> RequestText:
        """One request's title and content. A topic about a place gets one (drawn here if not
        given); an inquiry about a policy gets none."""
        rng = self.rng
        topic = topic or self.topic()
        if place is None and rng.random() < topic.address_share:
            place = self.place()
        slots = self.slots(place)
        k = rng.randrange(len(topic.contents))
        title = topic.titles[k].format_map(slots)
        body = topic.contents[k].format_map(slots)
        opening = rng.choice(_OPENINGS_WITH_PLACE if place else _OPENINGS)
        closing = rng.choice(topic.asks)
        content = f"{opening.format_map(slots)}{body}{closing}"
        return RequestText(topic, title[:200], content, place, k)

    def reply(self, topic: Topic) -> str:
        return self.rng.choice(topic.replies).format_map(self.slots(None))

    def direct_answer(self, topic: Topic, subject: int | None = None) -> str:
        """The answer to the topic's `subject` when it has one (answers follow titles), else
        one of its answers. The draw is made either way, so the texts after it stay the
        same whatever the subject."""
        drawn = self.rng.choice(topic.answers or topic.replies)
        if subject is not None and subject < len(topic.answers):
            drawn = topic.answers[subject]
        return drawn.format_map(self.slots(None))

    @staticmethod
    def answer_article(topic: Topic, subject: int) -> str:
        """The external id of the knowledge demo's article behind the answer, or ""."""
        slug = topic.articles[subject] if subject < len(topic.articles) else ""
        return f"demo-{slug}" if slug else ""

    def pick(self, texts: Sequence[str]) -> str:
        return self.rng.choice(texts).format_map(self.slots(None))


_OPENINGS_WITH_PLACE = (
    "市民来电反映：{addr}，",
    "市民反映，{addr}",
    "来电人称，在{addr}，",
    "诉求人反映：在{addr}，",
    "市民通过微信反映：{addr}，",
)
_OPENINGS = ("市民来电咨询：", "市民反映：", "来电人称，", "诉求人咨询：", "市民来电反映：")

# --- topics → the loaded taxonomy ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryRef:
    code: str
    name: str
    level: int
    keywords: str = ""


def topic_categories(categories: Sequence[CategoryRef]) -> dict[str, str]:
    """Topic key → category code. A category named like the topic wins (the topic's first
    name first, the deepest level first); then the leaf sharing most of its keywords; then
    a catch-all (其他). A topic nothing fits is left out: its orders carry no category."""
    by_name: dict[str, list[CategoryRef]] = {}
    for c in categories:
        by_name.setdefault(c.name, []).append(c)
    leaves = [c for c in categories if c.level == max((x.level for x in categories), default=0)]
    fallback = max(
        (c for c in categories if c.name.startswith("其他")), key=lambda c: c.level, default=None
    )
    out: dict[str, str] = {}
    for topic in TOPICS:
        found = next(
            (max(by_name[name], key=lambda c: c.level) for name in topic.names if name in by_name),
            None,
        )
        if found is None:
            scored = [
                (sum(k in c.keywords or k in c.name for k in topic.keywords), c.code, c)
                for c in leaves
            ]
            best = max(scored, default=None)
            found = best[2] if best and best[0] > 0 else fallback
        if found is not None:
            out[topic.key] = found.code
    return out


def resolve_unit(spec: str, place: Place | None, region: str) -> str:
    """A topic's unit spec as a unit code of the identity demo: "{district}" is the district
    government (gz-440106), "{street}" the street office (gz-440106006), others as given."""
    if spec == "{street}":
        return f"gz-{place.street_code}" if place and place.street_code else f"gz-{region}"
    if spec == "{district}":
        return f"gz-{place.district_code[:6] if place else region}"
    return spec


# Texts of the steps after intake, shared by every topic.
PROGRESS_NOTES = (
    "已安排工作人员联系诉求人了解情况，将于近日到现场核查。",
    "已到现场核查，情况属实，正在协调相关责任单位处理。",
    "已约谈相关责任人，要求限期整改，将跟进整改情况。",
    "已联系诉求人说明办理进度，诉求人表示理解。",
)
RETURN_EXPLANATIONS = (
    "经核查，该诉求涉及事项不属我单位职责范围，建议转交相关主管部门办理。",
    "诉求地址经现场核实不在我辖区范围内，建议改派至属地街道。",
    "该事项属劳动仲裁受理范围，应通过仲裁途径解决，建议由人社部门答复。",
)
LEGAL_BASES = (
    "《广州市城市管理综合执法条例》第十条",
    "本单位“三定”方案职责规定",
    "《中华人民共和国劳动争议调解仲裁法》第二条",
    "《广州市物业管理条例》第六条",
)
EXTENSION_REASONS = (
    "需协调多个部门联合处置，且涉及第三方整改，申请延期办理。",
    "需等待检测机构出具检测报告，申请延期。",
    "涉及维修工程招标采购，需较长时间，申请延期。",
    "当事人暂未能联系上，需进一步调查取证，申请延期。",
)
SUPERVISION_NOTES = (
    "该工单临近办理时限，请抓紧办理并及时答复诉求人。",
    "该工单已超过办理时限，请于两个工作日内办结并报送办理情况。",
    "该诉求为重复来电，群众反映强烈，请主要负责人督促办理。",
)
MEETING_MINUTES = (
    "经会商，该事项由{unit}牵头办理，其余单位予以配合，并于规定时限内答复诉求人。",
    "各单位对职责归属意见不一，经热线中心协调，明确由{unit}承办。",
)
CALLBACK_COMMENTS = {
    "satisfied": (
        "市民表示问题已解决，对办理结果满意。",
        "市民表示承办单位处理及时，非常满意。",
        "市民确认已收到答复，问题已处理，表示满意。",
    ),
    "basic": (
        "市民表示问题基本解决，希望加强后续监管。",
        "市民表示情况有所改善，但仍偶有发生，基本满意。",
    ),
    "dissatisfied": (
        "市民表示问题仍未解决，对答复内容不满意。",
        "市民表示承办单位未到现场核查，答复敷衍，不满意。",
        "市民表示整改后问题反复出现，要求继续跟进。",
    ),
    "unreached": ("连续三次致电诉求人均未接通。", "诉求人电话关机，短信告知后未回复。"),
}
REVIEW_REASONS = {
    "reopen": (
        "经审核，承办单位答复未回应诉求核心问题，退回重办。",
        "经审核，问题仍然存在，要求承办单位重新核查处理。",
    ),
    "close": (
        "经审核，承办单位已依法依规处理，诉求人诉求超出政策规定，按办结处理。",
        "经审核，承办单位答复合理，已向诉求人做好解释，按办结处理。",
    ),
}
MERGE_NOTES = ("同一事项多人重复反映，合并办理。", "与主工单反映问题相同，并单处理。")

__all__ = [
    "CALLBACK_COMMENTS",
    "CHANNEL_WEIGHTS",
    "DISTRICT_POPULATION",
    "EXTENSION_REASONS",
    "LEGAL_BASES",
    "MEETING_MINUTES",
    "MERGE_NOTES",
    "PROGRESS_NOTES",
    "RETURN_EXPLANATIONS",
    "REVIEW_REASONS",
    "SUPERVISION_NOTES",
    "TOPICS",
    "CategoryRef",
    "Place",
    "RequestText",
    "TextGenerator",
    "Topic",
    "resolve_unit",
    "topic_categories",
]
