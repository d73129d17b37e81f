"""Turn the pipeline's step results into the report's JSON structure (documented field by
field in docs/analytics.md). Pure Python over the counts: no engine is touched here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hongmian.analytics.pipelines.figures import UNKNOWN, change_pct, rates

if TYPE_CHECKING:
    from hongmian.analytics.pipelines.report import ReportContext

REPORT_SCHEMA = "hongmian.analytics.report/1"
UNKNOWN_LABEL = "未识别区域"


def _labels() -> dict[str, dict[str, str]]:
    from hongmian.geo.selectors import gazetteer
    from hongmian.hotline.states import Channel, RequestType

    gaz = gazetteer()
    return {
        "channel": {c.value: str(c.label) for c in Channel},
        "request_type": {c.value: str(c.label) for c in RequestType},
        "district": {e.code: e.name for e in gaz.districts()},
        "township": {e.code: e.name for e in gaz.townships()},
    }


def _share(n: int, total: int) -> float | None:
    return round(n / total, 4) if total else None


def _detail(
    entries: dict[str, Any], total: int, names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Rows of a breakdown: every code seen in any of the three periods, by this period's
    count, then code."""
    rows = []
    for code, e in entries.items():
        cur, prev, yoy = e["counts"]
        name = (
            (names or {}).get(code) or e.get("name") or (UNKNOWN_LABEL if code == UNKNOWN else code)
        )
        row = {
            "code": code,
            "name": name,
            "count": cur,
            "share": _share(cur, total),
            "previous": prev,
            "mom_pct": change_pct(cur, prev),
            "year_ago": yoy,
            "yoy_pct": change_pct(cur, yoy),
        }
        if "l1" in e:
            row["l1"] = e["l1"]
        rows.append(row)
    rows.sort(key=lambda r: (-r["count"], -r["previous"], r["code"]))
    return rows


def _with_all(entries: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    """Breakdown entries with every known code present (zeros included), so a dashboard
    always shows the eleven districts and every channel."""
    out = {code: {"name": None, "counts": [0, 0, 0]} for code in codes}
    out.update(entries)
    return out


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {r["code"]: r["count"] for r in rows if r["count"] or r["code"] != UNKNOWN}


def _section(
    m: dict[str, dict[str, int]],
    bd: dict[str, Any],
    total: int,
    district_codes: list[str],
    names: dict[str, str],
) -> dict[str, Any]:
    """The enterprise or emergency section: its volume, comparisons, rates and where."""
    n = m["current"]["total"]
    districts = _detail(_with_all(bd["district"], district_codes), n, names)
    return {
        "total": n,
        "share": _share(n, total),
        "previous": m["previous"]["total"],
        "mom_pct": change_pct(n, m["previous"]["total"]),
        "year_ago": m["year_ago"]["total"],
        "yoy_pct": change_pct(n, m["year_ago"]["total"]),
        "rates": rates(m["current"]),
        "top_categories": [
            {k: r[k] for k in ("code", "name", "count", "share")}
            for r in _detail(bd["category_l2"], n)[:5]
            if r["count"]
        ],
        "by_district": _counts(districts),
    }


def assemble_report(ctx: ReportContext) -> dict[str, Any]:
    res = ctx.results
    labels = _labels()
    vol = res["volumes"]["all"]
    cur, prev, yoy = vol["current"], vol["previous"], vol["year_ago"]
    total = cur["total"]
    bd = res["breakdowns"]
    district_names = labels["district"]
    district_codes = [ctx.district] if ctx.district else list(district_names)

    channel = _detail(_with_all(bd["channel"], list(labels["channel"])), total, labels["channel"])
    rtype = _detail(
        _with_all(bd["request_type"], list(labels["request_type"])), total, labels["request_type"]
    )
    l1 = _detail(bd["category_l1"], total)
    l2 = _detail(bd["category_l2"], total)
    district = _detail(_with_all(bd["district"], district_codes), total, district_names)
    streets = [
        {
            "code": s["code"],
            "name": labels["township"].get(s["code"], s["code"]),
            "district": s["district"],
            "district_name": district_names.get(s["district"], UNKNOWN_LABEL),
            "count": s["count"],
            "share": _share(s["count"], total),
        }
        for s in bd["streets"][: ctx.top_n]
    ]
    enterprise = _section(
        res["volumes"]["enterprise"], bd["enterprise"], total, district_codes, district_names
    )
    emergency = None
    if res["volumes"]["emergency"]["current"]["total"]:
        emergency = _section(
            res["volumes"]["emergency"], bd["emergency"], total, district_codes, district_names
        )

    return {
        "schema": REPORT_SCHEMA,
        "title": f"广州12345热线数据分析报告（{ctx.period.label}）",
        "period": ctx.period.as_dict(),
        "previous_period": ctx.periods["previous"].as_dict(),
        "year_ago_period": ctx.periods["year_ago"].as_dict(),
        "filters": {"district": ctx.district, "unit": ctx.unit},
        "source": res["source"],
        "total": total,
        "comparison": {
            "previous": prev["total"],
            "mom_pct": change_pct(total, prev["total"]),
            "year_ago": yoy["total"],
            "yoy_pct": change_pct(total, yoy["total"]),
        },
        "by_channel": _counts(channel),
        "by_request_type": _counts(rtype),
        "by_category_l1": _counts(l1),
        "by_category_l2": _counts(l2),
        "by_district": _counts(district),
        "by_unit": {u["code"]: u["dispatched"] for u in res["units"] if u["dispatched"]},
        "channels": channel,
        "request_types": rtype,
        "categories_l1": l1,
        "categories_l2": l2,
        "districts": district,
        "top_streets": streets,
        "daily": res["daily"],
        "counts": {key: dict(vol[key]) for key in ("current", "previous", "year_ago")},
        "rates": rates(cur),
        "rates_previous": rates(prev),
        "units": res["units"],
        "top_categories": res["categories"]["top"],
        "rising_categories": res["categories"]["rising"],
        "new_categories": res["categories"]["new"],
        "enterprise": enterprise,
        "emergency": emergency,
        "representative_orders": res["representatives"],
        # Read from the database by the caller that asked for them (compute_report's
        # `hotspots`); None when not asked: the engines never see them.
        "hotspots": ctx.hotspots,
    }


__all__ = ["REPORT_SCHEMA", "assemble_report"]
