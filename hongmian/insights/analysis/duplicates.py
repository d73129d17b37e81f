"""Duplicate detection (并单候选): is a new report the same problem, at the same place, as
one that is still open?

Three pieces of evidence, each between 0 and 1, multiplied into one score:

- **text** — cosine of the two texts' character n-gram TF-IDF vectors (textsim.py): the
  problem and the place as the citizen wrote them;
- **place** — less than NEAR_METRES apart on the map, or addresses that name the same spot
  (华师路1号 / 天河区石牌街道华师路1号): 1.0; within WALK_METRES: 0.95; the same street:
  1.0; the same district, or too little known to compare: 0.9; two specific addresses that
  share almost nothing (迎宾路995号 / 禺山大道340号): 0.3 — a strong hint of two places,
  though the address an agent types is sometimes the caller's home. Two *different* known
  streets (or districts) that are not close on the map cannot be one problem: 0;
- **time** — 1.0 for reports made together, falling linearly to 0.9 at WINDOW_DAYS apart;
  beyond the window the score is 0 (merging is for problems being handled now).

Two reports that name numbered things (a door 340号, a bus route 303路), none in common,
score half: the template of a complaint reads the same for every bus route.

An inquiry (咨询) is answered for each caller: it is a duplicate only of the same caller's
order (a repeat call), however alike two people's questions are.

Multiplying keeps the text in charge — place and time can only lower a score — so a
similar text at another place never becomes a candidate. The factors are mild on purpose:
on the labelled real messages, pairs in the same district were no likelier to be one
problem than pairs whose district was unknown, and within 14 days the gap in days did not
separate duplicates from the rest; what did separate them was the text and a *different*
district (51 of 52 such pairs were different problems). A report by the same caller is
named in the reasons but not scored higher: on the same data, one person writing about
several different things was as common as one person repeating a report.

THRESHOLD was chosen on half of the labelled set (bench/insights/duplicate_pairs.py) as
the highest recall with precision at least 0.95, and checked on the other half; the
figures are in docs/decisions/0016-hotspots-duplicates-replies.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from hongmian.geo.distance import great_circle_metres
from hongmian.insights.analysis import textsim

THRESHOLD = 0.18
WINDOW_DAYS = 14
NEAR_METRES = 300.0
WALK_METRES = 1000.0
# The place factor for each kind of evidence (module docstring).
PLACE_SAME_STREET = 1.0
PLACE_NEARBY = 0.95
PLACE_SAME_DISTRICT = 0.9
PLACE_UNKNOWN = 0.9
PLACE_OTHER_ADDRESS = 0.3
TIME_AT_WINDOW_EDGE = 0.9
# Address cores (see address_core) sharing this share of their character pairs name the
# same spot; sharing less than ADDRESS_DIFFERENT, two different ones.
ADDRESS_SAME = 0.6
ADDRESS_DIFFERENT = 0.25
ADDRESS_MIN_CHARS = 4
# Numbers that name a thing: a door (340号), a bus route (303路), a line (3号线), a building
# (7栋). Two reports whose titles and addresses name such numbers, none of them shared,
# are about two things (303路 and 339路 drivers) however alike the rest reads.
_IDENTIFIER = re.compile(r"(?<![A-Za-z\d.])(\d+)\s*(号线|号楼|号|路|栋|座|巷|弄|期|幢)")
OTHER_NUMBER = 0.5
_ADDRESS_NOISE = re.compile(r"广州市|附近|旁边|对面|门口|一带|周边|路段|[\s\W_]+")


@dataclass(frozen=True, slots=True)
class Item:
    """One report as the scorer sees it; `key` is the caller's (an order's id)."""

    key: int | str
    text: str  # textsim.order_text(title, content)
    at: dt.datetime
    district: str = ""
    street: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # address_core(...) of the free address: what is left to compare after the divisions.
    address: str = ""
    # identifiers(title, address): the numbered things the report names.
    numbers: frozenset[str] = frozenset()
    caller: str = ""
    # Answered for each caller (an inquiry, 咨询): two people asking the same question are
    # two orders to answer, so such an order is a duplicate only of its own caller's.
    per_caller: bool = False


def gettext_noop(message: str) -> str:
    """Marks a reason's template for makemessages (one of the keywords it passes to
    xgettext) without importing Django here: the web layer translates (`Reason`)."""
    return message


class Reason(str):
    """A reason as its Chinese text — what this module and its tests read — that keeps the
    template and values it was made from, so that a page can say it in its reader's language
    (insights.services.duplicates.say)."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Reason:
        reason = super().__new__(cls, template.format(**params))
        reason.template = template
        reason.params = params
        return reason


@dataclass(frozen=True, slots=True)
class Match:
    key: int | str
    score: float
    text: float
    place: float
    days: float
    reasons: tuple[str, ...] = field(default=())


def metres_between(a: Item, b: Item) -> float | None:
    """Great-circle distance, or None when either has no coordinates."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return great_circle_metres(a.latitude, a.longitude, b.latitude, b.longitude)


def address_core(address: str, division_names: Iterable[str] = ()) -> str:
    """The part of an address that tells one spot from another: without 广州市 and the
    division names (the district and street codes compare those), nor 附近 / 旁边."""
    core = textsim.clean(address)
    for name in sorted(division_names, key=len, reverse=True):
        if name:
            core = core.replace(name, "")
    return _ADDRESS_NOISE.sub("", core)


def identifiers(*texts: str) -> frozenset[str]:
    """The numbered things named in `texts` ("303路", "340号")."""
    return frozenset(
        f"{m.group(1)}{m.group(2)}" for text in texts for m in _IDENTIFIER.finditer(text or "")
    )


def address_overlap(a: str, b: str) -> float | None:
    """Shared character pairs of two address cores over the shorter one's (so 华师路1号
    matches 华师路1号东门); None when either is too short to say anything."""
    if len(a) < ADDRESS_MIN_CHARS or len(b) < ADDRESS_MIN_CHARS:
        return None
    x = {a[i : i + 2] for i in range(len(a) - 1)}
    y = {b[i : i + 2] for i in range(len(b) - 1)}
    return len(x & y) / min(len(x), len(y))


def place_affinity(a: Item, b: Item, names: dict[str, str] | None = None) -> tuple[float, Reason]:
    """(factor, reason); factor 0 means "cannot be the same place" (module docstring)."""
    names = names or {}
    metres = metres_between(a, b)
    if metres is not None and metres <= NEAR_METRES:
        return PLACE_SAME_STREET, Reason(
            gettext_noop("相距约 {metres:.0f} 米"), metres=round(metres, -1)
        )
    walkable = metres is not None and metres <= WALK_METRES
    if a.street and b.street and a.street != b.street and not walkable:
        return 0.0, Reason(gettext_noop("不同街镇"))
    if a.district and b.district and a.district != b.district and not walkable:
        return 0.0, Reason(gettext_noop("不同区"))
    overlap = address_overlap(a.address, b.address)
    if overlap is not None and overlap >= ADDRESS_SAME:
        return PLACE_SAME_STREET, Reason(gettext_noop("地址相同或相近"))
    if walkable:
        return PLACE_NEARBY, Reason(
            gettext_noop("相距约 {metres:.0f} 米"), metres=round(metres or 0, -1)
        )
    if overlap is not None and overlap < ADDRESS_DIFFERENT:
        return PLACE_OTHER_ADDRESS, Reason(gettext_noop("地址不同"))
    if a.street and a.street == b.street:
        return PLACE_SAME_STREET, Reason(
            gettext_noop("同一街镇（{name}）"), name=names.get(a.street, a.street)
        )
    if a.district and a.district == b.district:
        return PLACE_SAME_DISTRICT, Reason(
            gettext_noop("同一区（{name}）"), name=names.get(a.district, a.district)
        )
    return PLACE_UNKNOWN, Reason(gettext_noop("地点未能比对"))


def time_affinity(days: float, window_days: float = WINDOW_DAYS) -> float:
    if days > window_days:
        return 0.0
    return 1.0 - (1.0 - TIME_AT_WINDOW_EDGE) * days / window_days


def score_pair(
    a: Item,
    b: Item,
    text_similarity: float,
    *,
    window_days: float = WINDOW_DAYS,
    names: dict[str, str] | None = None,
) -> Match:
    """The combined score of `b` as a duplicate of `a`, with the reasons a supervisor reads."""
    days = abs((a.at - b.at).total_seconds()) / 86400
    place, where = place_affinity(a, b, names)
    when = time_affinity(days, window_days)
    same_caller = bool(a.caller) and a.caller == b.caller
    score = text_similarity * place * when
    if (a.per_caller or b.per_caller) and not same_caller:
        score, where = 0.0, Reason(gettext_noop("咨询类诉求只与同一诉求人的工单合并"))
    reasons = [
        Reason(gettext_noop("内容相似度 {similarity:.2f}"), similarity=text_similarity),
        where,
    ]
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        score *= OTHER_NUMBER
        named = f"{'、'.join(sorted(a.numbers))} / {'、'.join(sorted(b.numbers))}"
        reasons.append(Reason(gettext_noop("编号不同（{numbers}）"), numbers=named))
    reasons.append(
        Reason(gettext_noop("同一天"))
        if days < 1
        else Reason(gettext_noop("相隔 {days:.0f} 天"), days=days)
    )
    if same_caller:
        reasons.append(Reason(gettext_noop("同一诉求人")))
    return Match(
        b.key, round(score, 4), round(text_similarity, 4), place, round(days, 2), tuple(reasons)
    )


def candidates(
    item: Item,
    pool: Sequence[Item],
    *,
    limit: int = 5,
    threshold: float = THRESHOLD,
    window_days: float = WINDOW_DAYS,
    names: dict[str, str] | None = None,
    background: Sequence[str] = (),
) -> list[Match]:
    """The best `limit` reports of `pool` that score at least `threshold` against `item`,
    best first. TF-IDF is fitted on the item, the pool and `background` (textsim.tfidf)."""
    if not pool:
        return []
    matrix = textsim.tfidf([item.text, *(p.text for p in pool)], background=background)
    sims = textsim.cosine(matrix, 0)[1:]
    found = []
    for other, sim in zip(pool, sims, strict=True):
        # Place and time only lower a score: a text below the threshold cannot reach it.
        if other.key == item.key or sim < threshold:
            continue
        match = score_pair(item, other, float(sim), window_days=window_days, names=names)
        if match.score >= threshold:
            found.append(match)
    found.sort(key=lambda m: (-m.score, str(m.key)))
    return found[:limit]


def groups(
    items: Sequence[Item],
    *,
    threshold: float = THRESHOLD,
    window_days: float = WINDOW_DAYS,
    names: dict[str, str] | None = None,
    background: Sequence[str] = (),
) -> list[list[tuple[Item, Match | None]]]:
    """Groups to merge: a master — the oldest report — and the reports that are duplicates
    *of the master*, each with its match to it (the master's own is None). Only groups of
    two or more, the largest first.

    Reports are taken oldest first; each joins the group whose master it scores best with
    (at least `threshold`), or else starts a group of its own. Matching another member is
    not enough: a chain "A is like B, B is like C" can put a noise complaint and a rubbish
    complaint under one master, and a merge closes the duplicates with the master's
    answer."""
    n = len(items)
    if n < 2:
        return []
    matrix = textsim.tfidf([i.text for i in items], background=background)
    sims = (matrix @ matrix.T).tocoo()
    near: dict[int, dict[int, Match]] = {}
    for i, j, sim in zip(sims.row, sims.col, sims.data, strict=True):
        if i >= j or sim < threshold:
            continue
        match = score_pair(items[i], items[j], float(sim), window_days=window_days, names=names)
        if match.score >= threshold:
            near.setdefault(int(i), {})[int(j)] = match
            near.setdefault(int(j), {})[int(i)] = match
    oldest_first = sorted(range(n), key=lambda k: (items[k].at, str(items[k].key)))
    members: dict[int, list[tuple[int, Match]]] = {}
    for k in oldest_first:
        masters = [(m, match) for m, match in near.get(k, {}).items() if m in members]
        if masters:
            master, match = max(masters, key=lambda mm: (mm[1].score, -mm[0]))
            members[master].append((k, match))
        else:
            members[k] = []
    out = []
    for master, rest in members.items():
        if not rest:
            continue
        group: list[tuple[Item, Match | None]] = [(items[master], None)]
        out.append(group + [(items[k], m) for k, m in rest])
    out.sort(key=lambda g: (-len(g), g[0][0].at))
    return out


def pair_similarities(texts: Sequence[str], pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Cosines of the given index pairs, with TF-IDF fitted on all `texts` (evaluation)."""
    matrix: sparse.csr_matrix = textsim.tfidf(texts)
    return np.array(
        [float(matrix[i].multiply(matrix[j]).sum()) for i, j in pairs], dtype=np.float64
    )
