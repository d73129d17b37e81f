"""The report pipeline (民情月历 figures): declared steps over Ibis expressions, so the same
code runs on DuckDB and on Spark.

Every figure is a count that the engine returns; rates and shares are divided in Python
(pipelines/figures.py) from those integers, so two engines that count the same give identical
reports. Lists
are ordered by count, then by code, for the same reason. The definitions of the rates are in
docs/analytics.md; keep the two in step.

Pipelines turn data into figures and import nothing from report/ (which turns figures into
words and documents): the report's last step, the narrative, is declared onto REPORT by
report/compute.py, the module that runs it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
from django.utils.translation import gettext
from ibis.backends import BaseBackend

from hongmian.analytics import engines
from hongmian.analytics.periods import Period
from hongmian.analytics.pipelines.assemble import assemble_report
from hongmian.analytics.pipelines.base import declare
from hongmian.analytics.pipelines.figures import (
    MEASURE_KEYS,
    UNKNOWN,
    as_int,
    change_pct,
    clean,
    measures,
    rates,
    ratio,
)
from hongmian.analytics.schema import months_between
from hongmian.analytics.store import checked_files, require_manifest
from hongmian.core.errors import ValidationFailed

REPORT = declare("report", "12345 数据分析报告（民情月历）")

# The columns the report reads: codes, names and flags — never the timestamps, whose
# meaning the export and the generator already folded into on_time / acknowledged_on_time.
COLUMNS = (
    "number",
    "created_date",
    "channel",
    "request_type",
    "category_l1_code",
    "category_l1_name",
    "category_l2_code",
    "category_l2_name",
    "district_code",
    "street_code",
    "lead_unit_code",
    "lead_unit_name",
    "first_unit_code",
    "first_unit_name",
    "satisfaction",
    "resolved",
    "is_enterprise",
    "is_emergency",
    "direct_answer",
    "acknowledged_on_time",
    "on_time",
    "return_count",
    "reopen_count",
    "callback_count",
    "supervision_count",
)
PERIOD_KEYS = ("current", "previous", "year_ago")


@dataclass
class ReportContext:
    con: BaseBackend
    engine: str
    store: Path
    period: Period
    district: str | None = None
    unit: str | None = None
    top_n: int = 10
    # A category must have at least this many orders this period to count as "rising".
    rising_min_volume: int = 30
    # A unit needs this many dispatched orders to be ranked (small samples swing wildly).
    rank_min_volume: int = 20
    representatives: int = 3
    # The 热点 section (report/hotspots.py), read before the pipeline runs; None: not asked.
    hotspots: dict[str, Any] | None = None
    results: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    periods: dict[str, Period] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)

    @property
    def current(self) -> Any:
        return self.tables["current"]

    @property
    def tagged(self) -> Any:
        return self.tables["tagged"]

    def fetch(self, expr: Any) -> list[dict[str, Any]]:
        return list(self.con.to_pyarrow(expr).to_pylist())


# --- helpers -------------------------------------------------------------------------------


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# --- steps ---------------------------------------------------------------------------------


@REPORT.step(order=10, name="source", title="读取分析库：三个统计期的月份分区，按条件筛选")
def source(ctx: ReportContext) -> dict[str, Any]:
    ctx.periods = {
        "current": ctx.period,
        "previous": ctx.period.previous(),
        "year_ago": ctx.period.year_ago(),
    }
    read: dict[str, list[str]] = {}
    parts = []
    for p, key in enumerate(PERIOD_KEYS):
        period = ctx.periods[key]
        files = checked_files(ctx.store, months_between(period.start, period.end), COLUMNS)
        read[key] = [str(f.relative_to(ctx.store)) for f in files]
        t = engines.read_orders(ctx.con, files, COLUMNS)
        t = t.filter(t.created_date.between(period.start, period.end))
        if ctx.district:
            t = t.filter(t.district_code == ctx.district)
        if ctx.unit:
            t = t.filter(t.lead_unit_code == ctx.unit)
        ctx.tables[key] = t
        parts.append(t.mutate(p=ibis.literal(p, type="int8")))
    ctx.tables["tagged"] = ibis.union(*parts, distinct=False)
    if ctx.unit:
        _check_unit_known(ctx)
    return {"partitions": read}


def _check_unit_known(ctx: ReportContext) -> None:
    """A unit filter must name a unit the store knows (as a lead or first unit in any
    month); a unit with no orders in this period is fine and gives zeros."""
    manifest = require_manifest(ctx.store)
    files = checked_files(ctx.store, sorted(manifest["partitions"]), ("lead_unit_code",))
    t = engines.read_orders(ctx.con, files, ("lead_unit_code", "first_unit_code"))
    hit = t.filter((t.lead_unit_code == ctx.unit) | (t.first_unit_code == ctx.unit)).limit(1)
    if not ctx.fetch(hit.select("lead_unit_code")):
        raise ValidationFailed(
            gettext(
                "分析库中没有承办单位“%(unit)s”的工单：请检查单位代码（如 gz-water、gz-440106）"
            )
            % {"unit": ctx.unit},
            code="analytics.unknown_unit",
            fields={"unit": ["unknown"]},
        )


def _zero() -> dict[str, int]:
    return dict.fromkeys(MEASURE_KEYS, 0)


def _add(into: dict[str, int], row: dict[str, int]) -> None:
    for k, v in row.items():
        into[k] += v


@REPORT.step(
    order=20, name="volumes", title="总量、直接办结与三率（本期、上期、去年同期；涉企、应急）"
)
def volumes(ctx: ReportContext) -> dict[str, dict[str, dict[str, int]]]:
    """One scan: every count behind the rates, per period and per enterprise / emergency
    flag, summed here into the whole, the enterprise part and the emergency part."""
    t = ctx.tagged
    rows = ctx.fetch(t.group_by(["p", "is_enterprise", "is_emergency"]).aggregate(**measures(t)))
    out = {
        part: {key: _zero() for key in PERIOD_KEYS} for part in ("all", "enterprise", "emergency")
    }
    for row in rows:
        key = PERIOD_KEYS[row["p"]]
        m = clean(row)
        _add(out["all"][key], m)
        if row["is_enterprise"]:
            _add(out["enterprise"][key], m)
        if row["is_emergency"]:
            _add(out["emergency"][key], m)
    return out


def _tally(
    rows: list[dict[str, Any]], code: str, name: str | None = None, **only: Any
) -> dict[str, Any]:
    """{code: {"name", "counts": [current, previous, year_ago]}} from grouped rows (those
    matching `only`). A code seen under two names (a category renamed mid-period) keeps the
    greatest name, so both engines pick the same."""
    out: dict[str, Any] = {}
    for row in rows:
        if any(row[k] != v for k, v in only.items()):
            continue
        key = row[code] if row[code] is not None else UNKNOWN
        entry = out.setdefault(key, {"name": None, "counts": [0, 0, 0]})
        entry["counts"][row["p"]] += as_int(row["n"])
        label = row.get(name) if name else None
        if label is not None and (entry["name"] is None or label > entry["name"]):
            entry["name"] = label
    return out


@REPORT.step(order=30, name="breakdowns", title="分渠道、诉求类型、一级/二级分类、区、街镇的受理量")
def breakdowns(ctx: ReportContext) -> dict[str, Any]:
    """Three scans, each grouping by several dimensions at once (and by the enterprise and
    emergency flags, whose sections reuse them); the single breakdowns are sums here."""
    t = ctx.tagged
    n = t.count()
    how = ctx.fetch(t.group_by(["p", "channel", "request_type"]).aggregate(n=n))
    flags = ["is_enterprise", "is_emergency"]
    cats = ctx.fetch(
        t.group_by(
            [
                "p",
                "category_l1_code",
                "category_l1_name",
                "category_l2_code",
                "category_l2_name",
                *flags,
            ]
        ).aggregate(n=n)
    )
    areas = ctx.fetch(t.group_by(["p", "district_code", "street_code", *flags]).aggregate(n=n))

    l2 = _tally(cats, "category_l2_code", "category_l2_name")
    parents = {r["category_l2_code"]: r["category_l1_code"] for r in cats}
    for key, entry in l2.items():
        entry["l1"] = parents.get(None if key == UNKNOWN else key)
    streets: dict[tuple[str, str], int] = defaultdict(int)
    for r in areas:
        if r["p"] == 0:
            streets[(r["street_code"] or UNKNOWN, r["district_code"] or UNKNOWN)] += as_int(r["n"])
    return {
        "channel": _tally(how, "channel"),
        "request_type": _tally(how, "request_type"),
        "category_l1": _tally(cats, "category_l1_code", "category_l1_name"),
        "category_l2": l2,
        "district": _tally(areas, "district_code"),
        "streets": [
            {"code": s, "district": d, "count": c}
            for (s, d), c in sorted(streets.items(), key=lambda kv: (-kv[1], kv[0]))
            if s != UNKNOWN
        ],
        "enterprise": {
            "category_l2": _tally(
                cats, "category_l2_code", "category_l2_name", p=0, is_enterprise=True
            ),
            "district": _tally(areas, "district_code", p=0, is_enterprise=True),
        },
        "emergency": {
            "category_l2": _tally(
                cats, "category_l2_code", "category_l2_name", p=0, is_emergency=True
            ),
            "district": _tally(areas, "district_code", p=0, is_emergency=True),
        },
    }


@REPORT.step(order=40, name="daily", title="每日受理量")
def daily(ctx: ReportContext) -> dict[str, int]:
    t = ctx.current
    rows = ctx.fetch(t.group_by("created_date").aggregate(n=t.count()))
    got = {r["created_date"]: as_int(r["n"]) for r in rows}
    out = {}
    day = ctx.period.start
    while day <= ctx.period.end:
        out[day.isoformat()] = got.get(day, 0)
        day += dt.timedelta(days=1)
    return out


@REPORT.step(order=50, name="units", title="承办单位三率、按时办结率、退单率、重办率与排名")
def units(ctx: ReportContext) -> list[dict[str, Any]]:
    """One scan grouped by (lead unit, first unit): the lead unit's figures are the sums
    over its first units, and returns are counted for the first unit — the one that
    returned the order (首接负责)."""
    t = ctx.current.filter(ctx.current.lead_unit_code.notnull())
    rows = ctx.fetch(
        t.group_by(
            ["lead_unit_code", "lead_unit_name", "first_unit_code", "first_unit_name"]
        ).aggregate(**measures(t))
    )
    table: dict[str, dict[str, Any]] = {}

    def entry(code: str, name: str | None) -> dict[str, Any]:
        e = table.setdefault(code, {"name": name, "m": _zero(), "first": 0, "returned": 0})
        if name is not None and (e["name"] is None or name > e["name"]):
            e["name"] = name
        return e

    for r in rows:
        m = clean(r)
        _add(entry(r["lead_unit_code"], r["lead_unit_name"])["m"], m)
        if r["first_unit_code"] is not None:
            first = entry(r["first_unit_code"], r["first_unit_name"])
            first["first"] += m["dispatched"]
            first["returned"] += m["returned"]

    out = []
    for code, e in table.items():
        m = e["m"]
        r = rates(m)
        three = [r[k]["rate"] for k in ("response", "resolution", "satisfaction")]
        known = [x for x in three if x is not None]
        out.append(
            {
                "code": code,
                "name": e["name"],
                "dispatched": m["dispatched"],
                "response": r["response"],
                "resolution": r["resolution"],
                "satisfaction": r["satisfaction"],
                "on_time": r["on_time"],
                "return": ratio(e["returned"], e["first"]),
                "reopen": r["reopen"],
                "score": round(sum(known) / len(known), 4) if known else None,
                "rank": None,
            }
        )
    ranked = sorted(
        (u for u in out if u["dispatched"] >= ctx.rank_min_volume and u["score"] is not None),
        key=lambda u: (-u["score"], -u["dispatched"], u["code"]),
    )
    for i, u in enumerate(ranked, start=1):
        u["rank"] = i
    unranked = sorted(
        (u for u in out if u["rank"] is None), key=lambda u: (-u["dispatched"], u["code"])
    )
    return ranked + unranked


@REPORT.step(order=60, name="categories", title="热点分类与增幅最快的分类")
def categories(ctx: ReportContext) -> dict[str, list[dict[str, Any]]]:
    l2 = ctx.results["breakdowns"]["category_l2"]
    total = ctx.results["volumes"]["all"]["current"]["total"]
    top = []
    for code, n in _ranked({c: e["counts"][0] for c, e in l2.items() if e["counts"][0]})[
        : ctx.top_n
    ]:
        e = l2[code]
        top.append(
            {
                "code": code,
                "name": e["name"],
                "l1": e["l1"],
                "count": n,
                "share": round(n / total, 4) if total else None,
                "previous": e["counts"][1],
                "mom_pct": change_pct(n, e["counts"][1]),
                "year_ago": e["counts"][2],
                "yoy_pct": change_pct(n, e["counts"][2]),
            }
        )
    rising = []
    for code, e in l2.items():
        cur, prev = e["counts"][0], e["counts"][1]
        if cur >= ctx.rising_min_volume and prev > 0 and cur > prev:
            rising.append(
                {
                    "code": code,
                    "name": e["name"],
                    "count": cur,
                    "previous": prev,
                    "change": cur - prev,
                    "mom_pct": change_pct(cur, prev),
                }
            )
    rising.sort(key=lambda r: (-r["mom_pct"], -r["count"], r["code"]))
    # New this period (nothing last period) cannot have a percentage; listed apart.
    new = sorted(
        (
            {"code": c, "name": e["name"], "count": e["counts"][0]}
            for c, e in l2.items()
            if e["counts"][0] >= ctx.rising_min_volume and e["counts"][1] == 0
        ),
        key=lambda r: (-r["count"], r["code"]),
    )
    return {"top": top, "rising": rising[: ctx.top_n], "new": new[: ctx.top_n]}


@REPORT.step(order=70, name="representatives", title="热点分类的典型工单")
def representatives(ctx: ReportContext) -> dict[str, list[str]]:
    """A few order numbers per top category: the ones that went worst (reopened, then
    supervised, then returned), earliest number first among equals — the cases a leader's
    report cites."""
    codes = [c["code"] for c in ctx.results["categories"]["top"][:5]]
    if not codes or ctx.representatives <= 0:
        return {}
    t = ctx.current
    parts = [
        t.filter(t.category_l2_code == code)
        .order_by(
            [
                ibis.desc("reopen_count"),
                ibis.desc("supervision_count"),
                ibis.desc("return_count"),
                "number",
            ]
        )
        .limit(ctx.representatives)
        .select("category_l2_code", "number", "reopen_count", "supervision_count", "return_count")
        for code in codes
    ]
    rows = ctx.fetch(ibis.union(*parts, distinct=False))
    # A union need not keep each part's order (Spark does not): sort again by the same keys.
    rows.sort(
        key=lambda r: (-r["reopen_count"], -r["supervision_count"], -r["return_count"], r["number"])
    )
    picked: dict[str, list[str]] = {code: [] for code in codes}
    for r in rows:
        picked[r["category_l2_code"]].append(r["number"])
    return picked


@REPORT.step(order=80, name="assemble", title="汇总为报告结构（JSON）")
def assemble(ctx: ReportContext) -> dict[str, Any]:
    return assemble_report(ctx)


__all__ = ["COLUMNS", "PERIOD_KEYS", "REPORT", "ReportContext"]
