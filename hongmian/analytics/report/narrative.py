"""The report's Chinese narrative (文字分析), written from the figures alone — every number
in the text is one of the report's fields, so the text and the tables never disagree."""

from __future__ import annotations

from typing import Any

_PREVIOUS_NOUN = {"week": "上周", "month": "上月", "quarter": "上季度"}
_ONLINE = ("web", "wechat", "app", "mini_program")


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _change(pct: float | None) -> str:
    if pct is None:
        return "无可比数据"
    if pct > 0:
        return f"增长{pct:.1f}%"
    if pct < 0:
        return f"下降{-pct:.1f}%"
    return "持平"


def _names(rows: list[dict[str, Any]], k: int, unit: str = "件") -> str:
    return "、".join(f"{r['name']}（{r['count']:,}{unit}）" for r in rows[:k] if r["count"])


def narrative_text(report: dict[str, Any]) -> str:
    period = report["period"]
    noun = {"week": "本周", "month": "本月", "quarter": "本季度"}.get(period["kind"], "本期")
    prev_noun = _PREVIOUS_NOUN.get(period["kind"], "上期")
    total = report["total"]
    cmp_ = report["comparison"]
    scope = ""
    if report["filters"]["district"]:
        d = next(
            (r for r in report["districts"] if r["code"] == report["filters"]["district"]), None
        )
        scope += f"（{d['name'] if d else report['filters']['district']}）"
    if report["filters"]["unit"]:
        scope += f"（承办单位 {report['filters']['unit']}）"

    if total == 0:
        return (
            f"{period['label']}{scope}，12345热线未受理群众诉求（0件）；"
            f"{prev_noun}受理{cmp_['previous']:,}件，去年同期受理{cmp_['year_ago']:,}件。"
        )

    parts = [
        f"{period['label']}{scope}，12345热线共受理群众诉求{total:,}件，"
        f"环比{_change(cmp_['mom_pct'])}（{prev_noun}{cmp_['previous']:,}件），"
        f"同比{_change(cmp_['yoy_pct'])}（去年同期{cmp_['year_ago']:,}件）。"
    ]

    types = [r for r in report["request_types"] if r["count"]][:3]
    if types:
        parts.append(
            "从诉求类型看，"
            + "、".join(f"{r['name']}{r['count']:,}件（占{_pct(r['share'])}）" for r in types)
            + "。"
        )
    by_channel = report["by_channel"]
    phone = by_channel.get("phone", 0)
    online = sum(by_channel.get(c, 0) for c in _ONLINE)
    parts.append(
        f"从受理渠道看，电话{phone:,}件（占{_pct(phone / total)}），"
        f"网站、微信、APP、小程序等网络渠道{online:,}件（占{_pct(online / total)}）。"
    )

    r = report["rates"]
    parts.append(
        f"{noun}直接答复{r['direct_answer']['numerator']:,}件，直接办结率{_pct(r['direct_answer']['rate'])}"
        f"（咨询类{_pct(r['inquiry_direct_answer']['rate'])}）；"
        f"派发承办单位{report['counts']['current']['dispatched']:,}件，"
        f"响应率{_pct(r['response']['rate'])}，按时办结率{_pct(r['on_time']['rate'])}，"
        f"解决率{_pct(r['resolution']['rate'])}，满意率{_pct(r['satisfaction']['rate'])}；"
        f"退单率{_pct(r['return']['rate'])}，重办率{_pct(r['reopen']['rate'])}。"
    )

    top = report["top_categories"]
    if top:
        parts.append(f"诉求量居前的分类为：{_names(top, 5)}。")
    rising = report["rising_categories"]
    if rising:
        parts.append(
            "环比增幅较大的分类有："
            + "、".join(
                f"{x['name']}（{x['count']:,}件，增长{x['mom_pct']:.1f}%）" for x in rising[:3]
            )
            + "，建议相关单位关注并提前研判。"
        )
    districts = [d for d in report["districts"] if d["count"] and d["code"] != "unknown"]
    if districts and not report["filters"]["district"]:
        parts.append(f"分区域看，{_names(districts, 3)}诉求量居前。")
    if report["top_streets"]:
        s = report["top_streets"][0]
        parts.append(f"诉求最集中的街镇为{s['district_name']}{s['name']}（{s['count']:,}件）。")

    hot = report.get("hotspots") or {}
    if hot.get("groups"):
        h = hot["groups"][0]
        where = f"（{h['place']}）" if h["place"] else ""
        parts.append(
            f"热点扫描发现{len(hot['groups'])}个热点诉求，居首的是“{h['title']}”{where}，"
            f"{h['reports']:,}件、{h['callers']:,}位诉求人。"
        )
    if hot.get("alerts"):
        parts.append(f"{noun}共发出热点激增预警{len(hot['alerts'])}次。")

    ranked = [u for u in report["units"] if u["rank"] is not None]
    if len(ranked) >= 3:
        best = "、".join(u["name"] for u in ranked[:3])
        worst = "、".join(u["name"] for u in ranked[-3:][::-1])
        parts.append(f"承办单位三率综合排名前三的是{best}；排名靠后的是{worst}，需加强督办。")

    ent = report["enterprise"]
    if ent["total"]:
        parts.append(
            f"涉企诉求{ent['total']:,}件，占{_pct(ent['share'])}，环比{_change(ent['mom_pct'])}，"
            f"满意率{_pct(ent['rates']['satisfaction']['rate'])}"
            + (f"，主要涉及{_names(ent['top_categories'], 3)}" if ent["top_categories"] else "")
            + "。"
        )
    em = report["emergency"]
    if em:
        hit = [(code, n) for code, n in em["by_district"].items() if n and code != "unknown"]
        hit.sort(key=lambda kv: (-kv[1], kv[0]))
        names = {d["code"]: d["name"] for d in report["districts"]}
        place = f"，主要集中在{names.get(hit[0][0], hit[0][0])}" if hit else ""
        parts.append(
            f"{noun}有应急标记诉求{em['total']:,}件{place}，"
            f"响应率{_pct(em['rates']['response']['rate'])}，"
            f"按时办结率{_pct(em['rates']['on_time']['rate'])}。"
        )
    return "".join(parts)


__all__ = ["narrative_text"]
