"""Chinese address parsing: free text → Guangzhou district and street/town, or unknown.

    >>> parse_address("番禺大石").as_dict()
    {'district': {'code': '440113000', 'name': '番禺区'},
     'street': {'code': '440113012', 'name': '大石街道'}, 'confidence': 0.95}

The one rule: never a wrong guess. A level the text does not establish is None, and the
confidence says how much of the answer stands (0 for nothing, at most 0.5 for a district
alone). The reasoning is written up in docs/decisions/0004-address-parser.md; in short:

1. Normalise (NFKC, traditional → simplified), drop spaces.
2. Find every known name in one pass over a character trie (`lexicon.py`), and keep the
   set of non-overlapping names that covers the most text ("番禺市桥" is 番禺 + 市桥,
   not the old 番禺市 + 桥).
3. Judge each name where it stands. Full names (天河区, 石牌街道) count anywhere. A bare
   short name (天河, 石牌) counts only where it reads as a place: not in 天河路, 天河城,
   越秀星汇云城; a bare township name also needs a district named elsewhere in the text.
4. Another province, city or county named → unknown, unless 广州 is named too; then what
   stands between another place's name and the next 广州 is ignored.
5. Combine: the district named wins over a township that contradicts it; two districts or
   two townships that disagree leave that level unknown.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed
from hongmian.core.text import normalize
from hongmian.geo.lexicon import Kind, Lexicon, Reading, lexicon
from hongmian.geo.selectors import gazetteer

MAX_ADDRESS_LENGTH = 500

# After a bare district name (天河), what makes it read as a place rather than part of a
# longer name: the end of the text, punctuation, another known name, or one of these.
_PLACE_AFTER = (
    "这边",
    "那边",
    "这里",
    "那里",
    "这儿",
    "那儿",
    "附近",
    "一带",
    "片区",
    "地区",
    "区域",
    "辖区",
    "境内",
    "方向",
    "的",
)
# A bare township name may also be followed by its village or community (石牌村).
_TOWNSHIP_AFTER = (*_PLACE_AFTER, "村", "社区", "居委")
# Before a bare township name: a known name, punctuation, the start, or one of these verbs.
_TOWNSHIP_BEFORE = frozenset("在住于到去近靠是")
# Penalty when the text also names something that disagrees with the answer.
_DISAGREEMENT = 0.8


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    district: Place | None
    street: Place | None
    confidence: float

    def as_dict(self) -> dict[str, object]:
        """The documented JSON shape of the CLI and the API."""
        return {
            "district": _place_dict(self.district),
            "street": _place_dict(self.street),
            "confidence": self.confidence,
        }


UNKNOWN = ParsedAddress(None, None, 0.0)


def _place_dict(place: Place | None) -> dict[str, str] | None:
    return {"code": place.code, "name": place.name} if place else None


def validate_address_text(text: str) -> str:
    """The text as the API and the CLI accept it; raises ValidationFailed (422)."""
    if not text or not text.strip():
        raise ValidationFailed(
            gettext("地址不能为空"), code="address.empty", fields={"text": ["请填写地址"]}
        )
    if len(text) > MAX_ADDRESS_LENGTH:
        raise ValidationFailed(
            gettext("地址过长（最多 %(MAX_ADDRESS_LENGTH)s 字）")
            % {"MAX_ADDRESS_LENGTH": MAX_ADDRESS_LENGTH},
            code="address.too_long",
            fields={"text": [f"最多 {MAX_ADDRESS_LENGTH} 字"]},
        )
    return text


# --- parsing ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    readings: tuple[Reading, ...]


def parse_address(text: str) -> ParsedAddress:
    """Guangzhou district and street/town named by `text`; see the module docstring.
    Total: any string gives an answer (UNKNOWN for empty or meaningless text)."""
    s = normalize(text).replace(" ", "")
    if not s:
        return UNKNOWN
    lex = lexicon()
    tokens = _in_scope(_judge(s, _cover(s, lex)))
    return UNKNOWN if tokens is None else _resolve(tokens)


def _cover(s: str, lex: Lexicon) -> list[_Token]:
    """The non-overlapping known names that cover most of `s` (fewest names on a tie)."""
    n = len(s)
    matches = lex.matches(s)
    best: list[tuple[int, int]] = [(0, 0)] * (n + 1)
    choice: list[tuple[int, tuple[Reading, ...]] | None] = [None] * (n + 1)
    for i in range(n - 1, -1, -1):
        best[i], choice[i] = best[i + 1], None
        for end, readings in matches[i]:
            covered, count = best[end]
            candidate = (covered + end - i, count - 1)
            if candidate > best[i]:
                best[i], choice[i] = candidate, (end, readings)
    tokens: list[_Token] = []
    i = 0
    while i < n:
        picked = choice[i]
        if picked is None:
            i += 1
            continue
        tokens.append(_Token(i, picked[0], picked[1]))
        i = picked[0]
    return tokens


# Brand names join with a middle dot (越秀·星汇云城): it binds, it does not separate.
_JOINERS = frozenset("·•・‧")


def _is_separator(ch: str) -> bool:
    return ch not in _JOINERS and unicodedata.category(ch)[0] in "PZS"


def _judge(s: str, tokens: list[_Token]) -> list[_Token]:
    """Keep each reading only where the text around its name supports it."""
    n = len(s)
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    judged: list[_Token] = []
    for t in tokens:
        at_end = t.end == n or _is_separator(s[t.end]) or t.end in starts
        place_after = at_end or s.startswith(_PLACE_AFTER, t.end)
        township_after = at_end or s.startswith(_TOWNSHIP_AFTER, t.end)
        township_before = (
            t.start == 0
            or t.start in ends
            or _is_separator(s[t.start - 1])
            or s[t.start - 1] in _TOWNSHIP_BEFORE
        )
        if s[t.end - 1] == "市" and s.startswith("场", t.end):
            continue  # 某某市场 is a market, not a city (从化市场, 深圳市场)
        kept: list[Reading] = []
        for r in t.readings:
            if r.bare and r.kind in (Kind.DISTRICT, Kind.FOREIGN, Kind.HOME):
                # 天河城, 丽江花园, 兰州拉面, 广州大道: a shop, an estate, a dish, a road.
                if not place_after:
                    continue
            elif r.kind == Kind.TOWNSHIP and r.bare and not (township_before and township_after):
                continue  # 动员村, 石井盖: a township name inside other words
            kept.append(r)
        if kept:
            judged.append(_Token(t.start, t.end, tuple(kept)))
    return judged


def _in_scope(tokens: list[_Token]) -> list[_Token] | None:
    """Drop what belongs to another city. None when the whole text is about another place."""
    kinds = [{r.kind for r in t.readings} for t in tokens]
    foreign = [Kind.FOREIGN in k for k in kinds]
    if not any(foreign):
        return tokens
    if not any(Kind.HOME in k for k in kinds):
        # Another place is named and Guangzhou is not: whatever else matches is a namesake.
        return None
    kept: list[_Token] = []
    elsewhere = False
    for t, k, is_foreign in zip(tokens, kinds, foreign, strict=True):
        if Kind.HOME in k:
            elsewhere = False
        elif is_foreign:
            elsewhere = True
        elif not elsewhere:
            kept.append(t)
    return kept


def _resolve(tokens: list[_Token]) -> ParsedAddress:
    # District evidence: named (full, short, former or area names) and from landmarks.
    named: dict[str, float] = {}
    landmark: dict[str, float] = {}
    per_token: list[set[str]] = []
    for t in tokens:
        here: set[str] = set()
        for r in t.readings:
            if r.district is None:
                continue
            if r.kind == Kind.DISTRICT:
                named[r.district] = max(named.get(r.district, 0.0), r.confidence)
                here.add(r.district)
            elif r.kind == Kind.LANDMARK:
                landmark[r.district] = max(landmark.get(r.district, 0.0), r.confidence)
                here.add(r.district)
        per_token.append(here)

    # Township candidates: one code per token, or the token says nothing.
    streets: dict[str, float] = {}
    for i, t in enumerate(tokens):
        # A name may be confirmed by the districts the *other* names say, never by itself.
        context = set().union(*(d for j, d in enumerate(per_token) if j != i))
        options: dict[str, float] = {}
        for r in t.readings:
            if r.street is None or r.kind not in (Kind.TOWNSHIP, Kind.LANDMARK):
                continue
            if r.needs_context and r.district not in context:
                continue
            conf = r.confidence if r.kind == Kind.TOWNSHIP else r.confidence - 0.05
            options[r.street] = max(options.get(r.street, 0.0), conf)
        if len(options) == 1:
            code, conf = options.popitem()
            streets[code] = max(streets.get(code, 0.0), conf)

    by_code = gazetteer().by_code

    def district_of(street: str) -> str:
        return by_code[street].code[:6] + "000"

    districts = named or landmark
    penalty = 1.0
    if named and any(code not in named for code in landmark):
        penalty *= _DISAGREEMENT

    if len(districts) > 1:
        # Two districts named: only a township that lies in exactly one of them decides.
        inside = [code for code in streets if district_of(code) in districts]
        if len(inside) != 1:
            return UNKNOWN
        street = inside[0]
        district = district_of(street)
        conf = _both(districts[district], streets[street]) * penalty * _DISAGREEMENT
        return _answer(district, street, conf)

    if len(districts) == 1:
        district, d_conf = next(iter(districts.items()))
        inside = [code for code in streets if district_of(code) == district]
        if len(streets) > len(inside):
            penalty *= _DISAGREEMENT  # a township of another district is named too
        if len(inside) == 1:
            street = inside[0]
            return _answer(district, street, _both(d_conf, streets[street]) * penalty)
        return _answer(district, None, 0.5 * d_conf * penalty)

    # No district named: a single township says its district too.
    if len(streets) == 1:
        street, s_conf = next(iter(streets.items()))
        return _answer(district_of(street), street, s_conf)
    if streets and len({district_of(code) for code in streets}) == 1:
        district = district_of(next(iter(streets)))
        return _answer(district, None, 0.5 * min(streets.values()))
    return UNKNOWN


def _both(district_conf: float, street_conf: float) -> float:
    """Two independent pieces of evidence that agree."""
    return min(0.99, 1 - (1 - district_conf) * (1 - street_conf))


def _answer(district: str, street: str | None, confidence: float) -> ParsedAddress:
    by_code = gazetteer().by_code
    d = by_code[district]
    s = by_code[street] if street else None
    return ParsedAddress(
        Place(d.code, d.name),
        Place(s.code, s.name) if s else None,
        round(max(0.0, min(1.0, confidence)), 2),
    )
