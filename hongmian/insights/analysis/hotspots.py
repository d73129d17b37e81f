"""Hot spots (热点) and early warning (未诉先办): many reports of one problem at one place
within a short time, ranked by a heat index, and the groups that are growing abnormally fast.

Grouping — problem × place × time:

1. Every report becomes a character n-gram TF-IDF vector (textsim.py).
2. Two reports are *linked* when each is among the other's K_NEIGHBOURS most similar
   reports (mutual nearest neighbours), their cosine is at least MIN_SIMILARITY, they were
   made within WINDOW_DAYS of each other, and their places do not contradict (at the place
   level and at the district level: the same value, or one of them unknown).
3. A group is a connected set of linked reports with at least MIN_SIZE reports from at
   least MIN_CALLERS different callers (one person writing many times is a repeat caller,
   handled as such, not a hot spot).

Why mutual neighbours rather than one similarity threshold: the reports of a big problem
are written in very different words (most pairs of the 57 messages about one estate's
forced parking sales share little text), so any threshold low enough to join them also
chains unrelated reports through generic wording; requiring that the link be among the
best for *both* reports keeps the chain inside the problem (measured on real messages in
bench/insights/hotspots.py).

The heat index and the burst test are explained where they are defined (`heat_of`,
`bursts`) and in docs/decisions/0016-hotspots-duplicates-replies.md.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from hongmian.insights.analysis import textsim

K_NEIGHBOURS = 10
MIN_SIMILARITY = 0.2
WINDOW_DAYS = 30
MIN_SIZE = 3
MIN_CALLERS = 2
KEY_TERM_CHARS = 80
# Rows of the similarity matrix computed at a time: memory stays near BLOCK × N floats.
BLOCK = 512

# Words that mark a danger to people or property; a group whose reports use them is hotter.
SEVERE = re.compile(
    r"安全隐患|隐患|危险|事故|火灾|起火|着火|爆炸|坍塌|倒塌|塌陷|开裂|裂缝|触电|漏电|中毒|"
    r"受伤|伤亡|死亡|溺水|燃气泄漏|煤气泄漏|消防通道|危房|高空坠物|踩踏"
)
# Burst test (see `bursts`).
BASELINE_DAYS = 28
BASELINE_FLOOR_PER_DAY = 0.25
BURST_MIN_COUNT = 3
BURST_P_VALUE = 0.01


@dataclass(frozen=True, slots=True)
class Message:
    """One report as the grouping sees it; `key` is the caller's (an order's id)."""

    key: str
    title: str
    content: str
    at: dt.datetime
    # The finest place known (a street code, a place column's value) and the district it is
    # in, when known; "" when not. Two reports clash when either level is known for both
    # and differs.
    place: str = ""
    district: str = ""
    caller: str = ""
    likes: float = 0.0
    dislikes: float = 0.0
    # Set by the platform for urgent or emergency orders; text alone is checked too.
    severe: bool = False


@dataclass(frozen=True, slots=True)
class Burst:
    """A day on which a group had far more reports than its recent past would predict."""

    day: dt.date
    count: int
    expected: float
    p_value: float

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "count": self.count,
            "expected": round(self.expected, 2),
            "p_value": float(f"{self.p_value:.2g}"),
        }


@dataclass
class HotGroup:
    keys: list[str]
    heat: float
    reports: int
    callers: int
    likes: float
    dislikes: float
    start: dt.datetime
    end: dt.datetime
    place: str
    keywords: list[str]
    representative: str
    title: str
    severity: float
    peak_7_days: int
    bursts: list[Burst] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """A line a supervisor can read: the key terms, then the most typical title."""
        terms = "、".join(self.keywords[:4])
        return f"{terms}：{self.title}" if terms else self.title

    def as_dict(self) -> dict[str, object]:
        return {
            "heat": round(self.heat, 2),
            "description": self.description,
            "keywords": self.keywords,
            "place": self.place,
            "time_range": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "reports": self.reports,
            "callers": self.callers,
            "likes": self.likes,
            "dislikes": self.dislikes,
            "representative": {"id": self.representative, "title": self.title},
            "heat_parts": {k: round(v, 3) for k, v in self.parts.items()},
            "bursts": [b.as_dict() for b in self.bursts],
            "message_ids": self.keys,
        }


@dataclass(frozen=True, slots=True)
class Params:
    k: int = K_NEIGHBOURS
    min_similarity: float = MIN_SIMILARITY
    window_days: float = WINDOW_DAYS
    min_size: int = MIN_SIZE
    min_callers: int = MIN_CALLERS
    # Live ranking only: a group's heat halves for every this many days since its latest
    # report. None (a file analysed after the fact): no decay.
    half_life_days: float | None = None


def find_hotspots(
    messages: Sequence[Message], *, params: Params | None = None, now: dt.datetime | None = None
) -> list[HotGroup]:
    """Every group (module docstring), the hottest first. `now` is when the heat is read
    (default: the latest report)."""
    params = params or Params()
    if len(messages) < params.min_size:
        return []
    texts = [textsim.order_text(m.title, m.content) for m in messages]
    matrix = textsim.tfidf(texts)
    links = _mutual_links(matrix, messages, params)
    _count, labels = csgraph.connected_components(links, directed=False)
    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(int(label), []).append(i)
    now = now or max(m.at for m in messages)
    # Key terms come from the title and the first lines: that is where people name the
    # problem and the place, and segmenting whole texts would take most of the time.
    word_lists = [textsim.terms(f"{m.title}。{m.content[:KEY_TERM_CHARS]}") for m in messages]
    df: Counter[str] = Counter()
    for ws in word_lists:
        df.update(set(ws))
    groups = []
    for idx in members.values():
        if len(idx) < params.min_size:
            continue
        chosen = [messages[i] for i in idx]
        callers = {m.caller or m.key for m in chosen}
        if len(callers) < params.min_callers:
            continue
        groups.append(_describe(idx, chosen, matrix, word_lists, df, len(messages), now, params))
    groups.sort(key=lambda g: (-g.heat, g.start))
    return groups


def _mutual_links(
    matrix: sparse.csr_matrix, messages: Sequence[Message], params: Params
) -> sparse.csr_matrix:
    n = matrix.shape[0]
    days = np.array([m.at.timestamp() / 86400 for m in messages])
    places = np.array([m.place for m in messages], dtype=object)
    districts = np.array([m.district for m in messages], dtype=object)
    known, known_district = places != "", districts != ""
    k = min(params.k, n - 1)
    rows, cols, vals = [], [], []
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        sims = (matrix[start:stop] @ matrix.T).toarray()
        block = np.arange(start, stop)
        sims[np.arange(stop - start), block] = 0.0
        far = np.abs(days[block, None] - days[None, :]) > params.window_days
        clash = known[block, None] & known[None, :] & (places[block, None] != places[None, :])
        clash |= (
            known_district[block, None]
            & known_district[None, :]
            & (districts[block, None] != districts[None, :])
        )
        sims[far | clash] = 0.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k > 0 else np.empty((0, 0), int)
        for r, cand in zip(block, top, strict=True):
            for c in cand:
                s = sims[r - start, c]
                if s >= params.min_similarity:
                    rows.append(r)
                    cols.append(int(c))
                    vals.append(1)
    near = sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    return near.multiply(near.T).tocsr()  # both ways: mutual neighbours only


def _describe(
    idx: list[int],
    chosen: list[Message],
    matrix: sparse.csr_matrix,
    word_lists: list[list[str]],
    df: Counter[str],
    documents: int,
    now: dt.datetime,
    params: Params,
) -> HotGroup:
    sub = matrix[idx]
    centrality = np.asarray((sub @ sub.T).sum(axis=1)).ravel()
    central = chosen[int(np.argmax(centrality))]
    order = sorted(range(len(chosen)), key=lambda i: (chosen[i].at, chosen[i].key))
    chosen = [chosen[i] for i in order]
    times = [m.at for m in chosen]
    callers = {m.caller or m.key for m in chosen}
    likes = float(sum(m.likes for m in chosen))
    dislikes = float(sum(m.dislikes for m in chosen))
    severe = sum(1 for m in chosen if m.severe or SEVERE.search(f"{m.title}{m.content}"))
    severity = severe / len(chosen)
    peak = peak_count(times, days=7)
    age_days = max(0.0, (now - times[-1]).total_seconds() / 86400)
    heat, parts = heat_of(
        reports=len(chosen),
        callers=len(callers),
        likes=likes,
        dislikes=dislikes,
        severity=severity,
        concentration=peak / len(chosen),
        age_days=age_days,
        half_life_days=params.half_life_days,
    )
    return HotGroup(
        keys=[m.key for m in chosen],
        heat=heat,
        reports=len(chosen),
        callers=len(callers),
        likes=likes,
        dislikes=dislikes,
        start=times[0],
        end=times[-1],
        place=_place_of(chosen),
        keywords=textsim.key_terms([word_lists[i] for i in idx], df, documents),
        representative=central.key,
        title=central.title,
        severity=severity,
        peak_7_days=peak,
        bursts=bursts(times),
        parts=parts,
    )


def heat_of(
    *,
    reports: int,
    callers: int,
    likes: float = 0.0,
    dislikes: float = 0.0,
    severity: float = 0.0,
    concentration: float = 0.0,
    age_days: float = 0.0,
    half_life_days: float | None = None,
) -> tuple[float, dict[str, float]]:
    """热度指数 = support × (1 + ½·severity) × (1 + ½·concentration) × recency, where

    support = distinct callers + ln(1 + repeat reports) + ln(1 + max(0, likes − dislikes)):
      each person who took the trouble to report counts fully; the same person again adds
      little (persistence, not breadth); a like costs one click, so likes count on a log
      scale — a thousand likes weigh about as much as seven more callers;
    severity = the share of reports naming a danger to people or property (SEVERE, or an
      urgent/emergency order): up to ×1.5;
    concentration = the share of reports in the group's busiest 7 days: a sudden wave is
      hotter than the same number spread over a month (up to ×1.5);
    recency (live ranking only) = 0.5 ** (days since the latest report / half-life)."""
    repeats = max(0, reports - callers)
    support = callers + math.log1p(repeats) + math.log1p(max(0.0, likes - dislikes))
    recency = 1.0 if half_life_days is None else 0.5 ** (age_days / half_life_days)
    heat = support * (1 + 0.5 * severity) * (1 + 0.5 * concentration) * recency
    return heat, {
        "support": support,
        "severity": severity,
        "concentration": concentration,
        "recency": recency,
    }


def peak_count(times: Sequence[dt.datetime], *, days: float) -> int:
    """The most reports within any `days`-long stretch (times sorted)."""
    stamps = [t.timestamp() for t in times]
    span = days * 86400
    best, j = 0, 0
    for i, s in enumerate(stamps):
        while stamps[j] < s - span:
            j += 1
        best = max(best, i - j + 1)
    return best


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)


def bursts(
    times: Sequence[dt.datetime],
    *,
    baseline_days: int = BASELINE_DAYS,
    floor_per_day: float = BASELINE_FLOOR_PER_DAY,
    min_count: int = BURST_MIN_COUNT,
    p_value: float = BURST_P_VALUE,
) -> list[Burst]:
    """Days whose count is improbably high for the group's own past (爆发预警).

    Expected reports on day d = the group's mean daily count over the `baseline_days`
    before d, but never less than `floor_per_day` (a problem nobody has reported yet is
    still reported now and then). The day bursts when it has at least `min_count` reports
    and a Poisson tail probability below `p_value`. A Poisson test on counts is the
    simplest model that says "how surprising is this many, given the usual rate", and it
    needs no tuning per category; it fires on the first day of a real wave, which is when
    the centre can still act before the calls pile up (未诉先办)."""
    if not times:
        return []
    daily = Counter(t.date() for t in times)
    out = []
    for day in sorted(daily):
        past = sum(n for d, n in daily.items() if day - dt.timedelta(days=baseline_days) <= d < day)
        expected = max(floor_per_day, past / baseline_days)
        count = daily[day]
        tail = poisson_tail(count, expected)
        if count >= min_count and tail < p_value:
            out.append(Burst(day, count, expected, tail))
    return out


# The public message board masks district names (A3区, A7县); Guangzhou orders carry codes.
MASKED_DISTRICT = re.compile(r"[A-Z]\d+[区县]")


def place_in_text(title: str, content: str) -> str:
    """A place the text names, for files without a place column: the Guangzhou district
    the address parser reads (never a guess), else a masked district (A3区); "" if none."""
    from hongmian.geo.address import parse_address

    head = f"{title}。{content[:100]}"
    parsed = parse_address(head)
    if parsed.district is not None:
        return parsed.district.name
    found = MASKED_DISTRICT.search(head)
    return found.group(0) if found else ""


def _place_of(chosen: Sequence[Message]) -> str:
    """The place most of the group's reports give: their place value, else their district,
    else the district their texts name most often; "" when none says."""
    values = Counter(m.place for m in chosen if m.place)
    if not values:
        values = Counter(m.district for m in chosen if m.district)
    if not values:
        values = Counter(
            found.group(0)
            for m in chosen
            if (found := MASKED_DISTRICT.search(f"{m.title}{m.content[:200]}"))
        )
    if not values:
        return ""
    return values.most_common(1)[0][0]
