"""The address parser's index: every name it knows, in one character trie, built once.

Names come from three project files in `data/`:
  guangzhou_divisions.csv  the city, its districts and township-level units;
  aliases.csv              curated: former names, informal areas, landmarks, names to read
                           whole because a shorter name inside them misleads (黄埔大道);
  elsewhere.csv            provinces, cities and counties outside Guangzhou, and how many
                           townships elsewhere share each Guangzhou township's name.

Each surface string maps to one or more Readings. How far a reading may be trusted depends
on where it stands in the text; that is the parser's job (`address.py`), not this module's.
"""

from __future__ import annotations

import csv
import enum
import functools
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hongmian.core.text import normalize
from hongmian.geo.selectors import DATA_DIR, gazetteer
from hongmian.geo.states import DivisionLevel

ALIASES_CSV = DATA_DIR / "aliases.csv"
ELSEWHERE_CSV = DATA_DIR / "elsewhere.csv"


class Kind(enum.StrEnum):
    DISTRICT = "district"  # a Guangzhou district
    TOWNSHIP = "township"  # a Guangzhou street, town or special unit
    LANDMARK = "landmark"  # a place known to lie in one district (and maybe one township)
    HOME = "home"  # 广州: the text is about Guangzhou
    FOREIGN = "foreign"  # another province, city or county: not a Guangzhou address
    NEUTRAL = "neutral"  # read whole so that the names inside it are not; says nothing


class Form(enum.StrEnum):
    FULL = "full"  # the official name: 天河区, 石牌街道, 深圳市
    SHORT = "short"  # the name without its suffix: 天河, 石牌, 深圳
    ABBREV = "abbrev"  # 京溪街 for 京溪街道, as people write it
    OLD = "old"  # a former name: 东山区, 大石镇 (now 大石街道)
    AREA = "area"  # an informal area that lies in one district: 芳村, 市桥
    NAME = "name"  # a landmark or neutral name


# Forms that are ordinary words as often as places: they count only where the text
# reads like a place name (see address.py).
BARE_FORMS = frozenset({Form.SHORT, Form.AREA})


@dataclass(frozen=True, slots=True)
class Reading:
    kind: Kind
    form: Form
    district: str | None = None  # district code
    street: str | None = None  # township code
    confidence: float = 0.0
    # True when the name alone is not enough: it must agree with a district named elsewhere
    # in the text (a bare short name; a name two Guangzhou units share; a common name).
    needs_context: bool = False

    @property
    def bare(self) -> bool:
        return self.form in BARE_FORMS


# Base confidence of each kind of evidence, before namesakes elsewhere lower it.
CONFIDENCE = {
    (Kind.DISTRICT, Form.FULL): 0.95,
    (Kind.DISTRICT, Form.OLD): 0.85,
    (Kind.DISTRICT, Form.SHORT): 0.85,
    (Kind.DISTRICT, Form.AREA): 0.75,
    (Kind.TOWNSHIP, Form.FULL): 0.95,
    (Kind.TOWNSHIP, Form.ABBREV): 0.85,
    (Kind.TOWNSHIP, Form.SHORT): 0.8,
    (Kind.TOWNSHIP, Form.OLD): 0.75,
    (Kind.LANDMARK, Form.NAME): 0.8,
}
# A township short name shared by this many townships elsewhere in China is a common name
# (太平, 新华, 建设): its abbreviated forms need a district to agree.
COMMON_NAME_NAMESAKES = 5
# Short names of other cities that are not read as "another city": they are Guangzhou
# names too (北京街道, 黄石街道, 中山大道) or everyday words (三明治, 普洱茶, 入海口).
NOT_FOREIGN_SHORT = frozenset(
    ["北京", "中山", "黄石", "三明", "白银", "普洱", "安康", "来宾", "海口", "吉林"]
)
# 广州 confirms the platform's city; 广东 does not (it holds 深圳 and 佛山 as well).
HOME_NAMES = {"广州市": Form.FULL, "广州": Form.SHORT}
_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
)


def namesake_factor(count: int) -> float:
    """How much namesakes elsewhere lower a Guangzhou name's confidence."""
    if count == 0:
        return 1.0
    if count < 3:
        return 0.95
    if count < 10:
        return 0.85
    return 0.75


@dataclass(frozen=True, slots=True)
class Lexicon:
    trie: dict[str, Any]
    surfaces: dict[str, tuple[Reading, ...]]

    def matches(self, text: str) -> list[list[tuple[int, tuple[Reading, ...]]]]:
        """For each start position, every known name that starts there, longest first, as
        (end, readings)."""
        out: list[list[tuple[int, tuple[Reading, ...]]]] = []
        trie, n = self.trie, len(text)
        for i in range(n):
            found: list[tuple[int, tuple[Reading, ...]]] = []
            node = trie.get(text[i])
            j = i + 1
            while node is not None:
                readings = node.get("")
                if readings is not None:
                    found.append((j, readings))
                if j >= n:
                    break
                node = node.get(text[j])
                j += 1
            found.reverse()
            out.append(found)
        return out


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _province_short(name: str) -> str:
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def build_lexicon() -> Lexicon:
    gaz = gazetteer()
    elsewhere = _read_csv(ELSEWHERE_CSV)
    counts: dict[str, Counter[str]] = {}
    for row in elsewhere:
        counts.setdefault(row["kind"], Counter())[row["name"]] = int(row["count"])
    township_full, township_short = (
        counts.get("township", Counter()),
        counts.get("township_short", Counter()),
    )
    counties = counts.get("county", Counter())

    aliases = _read_csv(ALIASES_CSV)
    common_words = {normalize(row["name"]) for row in aliases if row["kind"] == "common"}
    found: dict[str, list[Reading]] = {}

    def add(surface: str, reading: Reading) -> None:
        found.setdefault(normalize(surface), []).append(reading)

    for d in gaz.districts():
        conf = CONFIDENCE[Kind.DISTRICT, Form.FULL] * namesake_factor(counties[d.name])
        add(d.name, Reading(Kind.DISTRICT, Form.FULL, d.code, None, round(conf, 3)))
        add(d.short_name, Reading(Kind.DISTRICT, Form.SHORT, d.code, None, 0.85))

    short_units = Counter(t.short_name for t in gaz.townships())
    for t in gaz.townships():
        district = t.district_code
        full_conf = CONFIDENCE[Kind.TOWNSHIP, Form.FULL] * namesake_factor(township_full[t.name])
        add(t.name, Reading(Kind.TOWNSHIP, Form.FULL, district, t.code, round(full_conf, 3)))
        if t.short_name == t.name:
            continue  # special units (黄龙带水库) are only ever named in full
        factor = namesake_factor(township_short[t.short_name])
        common = (
            township_short[t.short_name] >= COMMON_NAME_NAMESAKES
            or short_units[t.short_name] > 1
            or t.short_name in common_words
        )
        variants = [(t.short_name, Form.SHORT)]
        if t.level == DivisionLevel.STREET:
            # 京溪街 is how 京溪街道 is written; 大石镇 is what 大石街道 was called.
            variants += [(t.short_name + "街", Form.ABBREV), (t.short_name + "镇", Form.OLD)]
        for surface, form in variants:
            conf = round(CONFIDENCE[Kind.TOWNSHIP, form] * factor, 3)
            needs_context = form == Form.SHORT or common
            add(surface, Reading(Kind.TOWNSHIP, form, district, t.code, conf, needs_context))

    for name, form in HOME_NAMES.items():
        add(name, Reading(Kind.HOME, form))

    curated: set[str] = set()
    for row in aliases:
        name, kind = row["name"], row["kind"]
        district, street = row["district_code"] or None, row["street_code"] or None
        if (district and district not in gaz.by_code) or (
            street and (street not in gaz.by_code or gaz.by_code[street].district_code != district)
        ):
            raise ValueError(f"{ALIASES_CSV.name}: {name}: unknown or mismatched codes")
        if kind == "old" and street:
            conf = CONFIDENCE[Kind.TOWNSHIP, Form.OLD]
            add(name, Reading(Kind.TOWNSHIP, Form.OLD, district, street, conf))
        elif kind in ("old", "area"):
            form = Form.OLD if kind == "old" else Form.AREA
            add(name, Reading(Kind.DISTRICT, form, district, None, CONFIDENCE[Kind.DISTRICT, form]))
        elif kind == "landmark":
            conf = CONFIDENCE[Kind.LANDMARK, Form.NAME]
            add(name, Reading(Kind.LANDMARK, Form.NAME, district, street, conf))
            curated.add(normalize(name))
        elif kind == "neutral":
            add(name, Reading(Kind.NEUTRAL, Form.NAME))
            curated.add(normalize(name))
        elif kind == "foreign":
            add(name, Reading(Kind.FOREIGN, Form.FULL))
        elif kind != "common":
            raise ValueError(f"{ALIASES_CSV.name}: unknown kind {kind!r} for {name}")

    guangzhou_surfaces = set(found)
    for row in elsewhere:
        name, kind = row["name"], row["kind"]
        if kind not in ("province", "city", "county"):
            continue
        add(name, Reading(Kind.FOREIGN, Form.FULL))
        short = _province_short(name) if kind == "province" else name.removesuffix("市")
        if (
            kind != "county"
            and short != name
            and len(short) >= 2
            and normalize(short) not in guangzhou_surfaces
            and short not in NOT_FOREIGN_SHORT
        ):
            add(short, Reading(Kind.FOREIGN, Form.SHORT))

    surfaces = {s: _settle(s, readings, curated) for s, readings in found.items()}
    surfaces = {s: r for s, r in surfaces.items() if r}
    trie: dict[str, Any] = {}
    for surface, readings in surfaces.items():
        node = trie
        for ch in surface:
            node = node.setdefault(ch, {})
        node[""] = readings
    return Lexicon(trie, surfaces)


def _settle(surface: str, readings: list[Reading], curated: set[str]) -> tuple[Reading, ...]:
    """Decide between the readings one surface string collects."""
    if surface in curated:
        # A landmark or neutral name was listed on purpose: it overrides what it contains.
        return tuple(r for r in readings if r.kind in (Kind.LANDMARK, Kind.NEUTRAL))
    guangzhou = [r for r in readings if r.kind != Kind.FOREIGN]
    if guangzhou:
        # A name Guangzhou shares with another place (白云区) is Guangzhou's on this platform;
        # the namesake already lowered its confidence.
        readings = guangzhou
    if any(r.kind == Kind.TOWNSHIP and r.form == Form.FULL for r in readings):
        # 新塘镇 is 增城's town, not 天河's 新塘街道 under an old suffix.
        readings = [r for r in readings if r.form not in (Form.OLD, Form.ABBREV)]
    if any(r.kind == Kind.DISTRICT and r.form in (Form.OLD, Form.AREA) for r in readings):
        # 市桥镇 was wider than today's 市桥街道: the curated alias says the district only.
        readings = [r for r in readings if r.kind != Kind.TOWNSHIP or r.form == Form.FULL]
    if any(r.kind == Kind.DISTRICT for r in readings):
        # A bare 黄埔 or 白云 is the district; its namesake street is named in full (黄埔街道).
        readings = [r for r in readings if not (r.kind == Kind.TOWNSHIP and r.form == Form.SHORT)]
    townships = {r.street for r in readings if r.kind == Kind.TOWNSHIP}
    if len(townships) > 1:
        readings = [replace(r, needs_context=True) for r in readings]
    readings = list(dict.fromkeys(readings))
    bare_townships = [r for r in readings if r.kind == Kind.TOWNSHIP and r.form == Form.SHORT]
    district_codes = {r.district for r in bare_townships}
    if len(district_codes) == 1 and not any(r.kind == Kind.DISTRICT for r in readings):
        # 天河南 and 白云湖 begin with their own district's short name: whatever else they
        # mean, they say the district.
        district = district_codes.pop()
        short = gazetteer().by_code[district].short_name if district else ""
        if short and surface.startswith(short):
            readings.append(Reading(Kind.DISTRICT, Form.SHORT, district, None, 0.8))
    return tuple(readings)


@functools.cache
def lexicon() -> Lexicon:
    """The parser's index, built once per process (about a tenth of a second)."""
    return build_lexicon()
