"""The report's document: its sections, paragraphs, tables and charts, built from the JSON of
`compute_report` once and laid out by each renderer (HTML, PDF, Word), so that the three
say the same thing in the same order. Every figure of the JSON has a place here; a period
without orders gives the same sections with zeros and "—".

Numbers are written the way the narrative writes them (`12,345`, `81.2%`), so that a
reader (or a test) finds the narrative's figures in the tables too.

Headings, column names and notes are translated into the active language (the archive page
in English); the figures' names (districts, units, categories) and the narrative are data,
written in Chinese. The archived files are rendered in the project's language
(`outputs.render_outputs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The rates of the report, in the order a reader expects them (docs/analytics.md).
RATE_LABELS: tuple[tuple[str, Any], ...] = (
    ("direct_answer", gettext_lazy("直接办结率")),
    ("inquiry_direct_answer", gettext_lazy("咨询直接办结率")),
    ("response", gettext_lazy("响应率")),
    ("on_time", gettext_lazy("按时办结率")),
    ("resolution", gettext_lazy("解决率")),
    ("satisfaction", gettext_lazy("满意率")),
    ("return", gettext_lazy("退单率")),
    ("reopen", gettext_lazy("重办率")),
)
_UNIT_RATES = ("response", "resolution", "satisfaction", "on_time", "return", "reopen")
_RATE_NAMES = dict(RATE_LABELS)
# Charts list at most this many bars: a ranked bar chart of 200 units reads as a smear.
MAX_BARS = 15
NONE = "—"


def n(value: int | None) -> str:
    return NONE if value is None else f"{value:,}"


def pct(rate: float | None) -> str:
    """A rate (0..1) as a percentage."""
    return NONE if rate is None else f"{rate * 100:.1f}%"


def change(value: float | None) -> str:
    """A 环比 / 同比 change already in percent."""
    if value is None:
        return NONE
    return f"{value:+.1f}%"


def ratio_text(r: dict[str, Any] | None) -> str:
    """`81.2%（812/1,000）`: the rate with the counts behind it."""
    if not r:
        return NONE
    return f"{pct(r['rate'])}（{n(r['numerator'])}/{n(r['denominator'])}）"


@dataclass(slots=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    # Columns right-aligned in print (numbers).
    numeric_from: int = 1

    def __post_init__(self) -> None:
        # A name can be missing in the data (a unit or category without one): show a dash.
        self.rows = [[NONE if cell is None else str(cell) for cell in row] for row in self.rows]


@dataclass(slots=True)
class Chart:
    """One chart: `kind` is line, bar (ranked, horizontal) or pie (shares)."""

    key: str
    title: str
    kind: str
    labels: list[str]
    values: list[float]
    unit: str = "件"
    # The chart as a `data:` URI of its PNG, set only on the printed document's copy
    # (render_pdf), where no script draws the ECharts version.
    image: str = ""

    def __post_init__(self) -> None:
        self.labels = [NONE if label is None else str(label) for label in self.labels]

    @property
    def empty(self) -> bool:
        return not any(self.values)


@dataclass(slots=True)
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    title: str
    subtitle: str
    narrative: str
    sections: list[Section]

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]


def _breakdown(title: str, rows: list[dict[str, Any]], *, with_l1: bool = False) -> Table:
    columns = [_("名称"), _("受理量"), _("占比"), _("上期"), _("环比"), _("去年同期"), _("同比")]
    if with_l1:
        columns.insert(1, _("一级分类"))
    out = []
    for r in rows:
        line = [
            r["name"],
            n(r["count"]),
            pct(r["share"]),
            n(r["previous"]),
            change(r["mom_pct"]),
            n(r["year_ago"]),
            change(r["yoy_pct"]),
        ]
        if with_l1:
            line.insert(1, str(r.get("l1") or ""))
        out.append(line)
    return Table(title, columns, out, numeric_from=2 if with_l1 else 1)


def _ranked_chart(key: str, title: str, rows: list[dict[str, Any]]) -> Chart:
    shown = [r for r in rows if r["count"]][:MAX_BARS]
    return Chart(key, title, "bar", [r["name"] for r in shown], [r["count"] for r in shown])


def _rates_table(title: str, current: dict[str, Any], previous: dict[str, Any] | None) -> Table:
    rows = []
    for key, label in RATE_LABELS:
        line = [str(label), ratio_text(current[key])]
        if previous is not None:
            before = previous[key]["rate"]
            now = current[key]["rate"]
            delta = (
                NONE
                if before is None or now is None
                else _("%(change)s 个百分点") % {"change": f"{(now - before) * 100:+.1f}"}
            )
            line += [ratio_text(previous[key]), delta]
        rows.append(line)
    columns = [_("指标"), _("本期（分子/分母）")]
    if previous is not None:
        columns += [_("上期（分子/分母）"), _("变化")]
    return Table(title, columns, rows)


def _volume_line(label: str, s: dict[str, Any]) -> list[str]:
    return [
        label,
        n(s["total"]),
        pct(s["share"]),
        n(s["previous"]),
        change(s["mom_pct"]),
        n(s["year_ago"]),
        change(s["yoy_pct"]),
    ]


def _tagged_section(
    title: str, s: dict[str, Any] | None, district_names: dict[str, str], empty: str
) -> Section:
    """涉企 or 应急: volume, rates, categories, districts."""
    section = Section(title)
    if s is None:
        section.paragraphs.append(empty)
        return section
    section.tables.append(
        Table(_("受理量"), ["", _("受理量"), _("占全部诉求"), _("上期"), _("环比"), _("去年同期"),
              _("同比")], [_volume_line(_("本期"), s)])
    )  # fmt: skip
    section.tables.append(_rates_table(_("办理质量"), s["rates"], None))
    section.tables.append(
        Table(
            _("主要诉求分类"),
            [_("分类"), _("受理量"), _("占比")],
            [[c["name"], n(c["count"]), pct(c["share"])] for c in s["top_categories"]],
        )
    )
    section.tables.append(
        Table(
            _("分区受理量"),
            [_("区"), _("受理量")],
            [
                [district_names.get(code, code), n(count)]
                for code, count in s["by_district"].items()
            ],
        )
    )
    return section


def _hotspot_tables(section: Section, hot: dict[str, Any] | None) -> None:
    """The hot spots the hotline's scans found (problem × place × time) and the burst
    alerts of the period; a line saying there are none when the scans did not reach it."""
    if hot is None:
        return
    if hot["groups"]:
        section.tables.append(
            Table(
                _("热点诉求（问题 × 地点 × 时间）"),
                [_("排名"), _("热点"), _("地点"), _("工单"), _("诉求人"), _("时间"),
                 _("热度"), _("代表工单")],
                [
                    [str(h["rank"]), h["title"] + (_("（激增）") if h["bursting"] else ""),
                     h["place"] or "—", n(h["reports"]), n(h["callers"]),
                     f"{h['first'][5:]}—{h['last'][5:]}", f"{h['heat']:.1f}",
                     h["representative"] or "—"]
                    for h in hot["groups"]
                ],
                numeric_from=3,
            )
        )  # fmt: skip
    else:
        section.paragraphs.append(_("热点扫描记录只保留近一周，本期没有可用的热点分组。"))
    if hot["alerts"]:
        section.tables.append(
            Table(
                _("热点激增预警"),
                [_("日期"), _("问题"), _("地点"), _("当日 / 预期")],
                [[a["day"], a["title"], a["place"] or "—", f"{a['count']} / {a['expected']:.1f}"]
                 for a in hot["alerts"]],
            )
        )  # fmt: skip


def build_document(report: dict[str, Any]) -> Document:
    period = report["period"]
    cmp_ = report["comparison"]
    rates = report["rates"]
    district_names = {d["code"]: d["name"] for d in report["districts"]}
    subtitle = _(
        "统计期：%(start)s 至 %(end)s（%(days)s 天）；环比期：%(previous_start)s 至 "
        "%(previous_end)s；同比期：%(year_ago_start)s 至 %(year_ago_end)s"
    ) % {
        "start": period["start"],
        "end": period["end"],
        "days": period["days"],
        "previous_start": report["previous_period"]["start"],
        "previous_end": report["previous_period"]["end"],
        "year_ago_start": report["year_ago_period"]["start"],
        "year_ago_end": report["year_ago_period"]["end"],
    }
    scope = [
        _("区：%(name)s") % {"name": district_names.get(code, code)}
        for code in [report["filters"]["district"]]
        if code
    ]
    if report["filters"]["unit"]:
        scope.append(_("承办单位：%(unit)s") % {"unit": report["filters"]["unit"]})
    if scope:
        subtitle += _("；范围：") + _("，").join(scope)

    overview = Section(_("一、总体情况"))
    overview.tables.append(
        Table(
            _("受理总量"),
            ["", _("本期"), _("上期"), _("环比"), _("去年同期"), _("同比")],
            [[_("受理量"), n(report["total"]), n(cmp_["previous"]), change(cmp_["mom_pct"]),
              n(cmp_["year_ago"]), change(cmp_["yoy_pct"])]],
        )
    )  # fmt: skip
    counts = report["counts"]["current"]
    overview.tables.append(
        Table(
            _("办理概况"),
            [_("项目"), _("件数")],
            [
                [_("直接答复（直接办结）"), n(counts["direct"])],
                [_("派发承办单位"), n(counts["dispatched"])],
                [_("已回访"), n(counts["called_back"])],
                [_("退单"), n(counts["returned"])],
                [_("重办"), n(counts["reopened"])],
                [_("涉企"), n(counts["enterprise"])],
                [_("应急标记"), n(counts["emergency"])],
            ],
        )
    )
    daily = report["daily"]
    overview.charts.append(
        Chart("daily", _("每日受理量"), "line", [d[5:] for d in daily], list(daily.values()))
    )

    quality = Section(_("二、办理质量"))
    quality.tables.append(_rates_table(_("三率及相关指标"), rates, report["rates_previous"]))

    channels = Section(_("三、受理渠道与诉求类型"))
    shown_channels = [r for r in report["channels"] if r["count"]]
    channels.charts.append(
        Chart("channels", _("受理渠道占比"), "pie", [r["name"] for r in shown_channels],
              [r["count"] for r in shown_channels])
    )  # fmt: skip
    channels.charts.append(
        _ranked_chart("request_types", _("诉求类型受理量"), report["request_types"])
    )
    channels.tables.append(_breakdown(_("分渠道受理量"), report["channels"]))
    channels.tables.append(_breakdown(_("分诉求类型受理量"), report["request_types"]))

    categories = Section(_("四、诉求分类与热点"))
    categories.charts.append(
        Chart("top_categories", _("热点诉求分类（二级）"), "bar",
              [c["name"] for c in report["top_categories"]],
              [c["count"] for c in report["top_categories"]])
    )  # fmt: skip
    categories.tables.append(_breakdown(_("一级分类受理量"), report["categories_l1"]))
    categories.tables.append(
        Table(
            _("热点诉求分类（前十）"),
            [_("排名"), _("分类"), _("一级分类"), _("受理量"), _("占比"), _("环比"), _("同比")],
            [
                [str(i), c["name"], c["l1"], n(c["count"]), pct(c["share"]),
                 change(c["mom_pct"]), change(c["yoy_pct"])]
                for i, c in enumerate(report["top_categories"], start=1)
            ],
            numeric_from=3,
        )
    )  # fmt: skip
    rising = report["rising_categories"]
    categories.tables.append(
        Table(
            _("环比增幅较大的分类"),
            [_("分类"), _("本期"), _("上期"), _("增加"), _("环比")],
            [[r["name"], n(r["count"]), n(r["previous"]), n(r["change"]), change(r["mom_pct"])]
             for r in rising],
        )
    )  # fmt: skip
    if report["new_categories"]:
        categories.tables.append(
            Table(
                _("本期新出现的分类（上期为零）"),
                [_("分类"), _("本期")],
                [[r["name"], n(r["count"])] for r in report["new_categories"]],
            )
        )
    l2_names = {r["code"]: r["name"] for r in report["categories_l2"]}
    reps = report["representative_orders"]
    categories.tables.append(
        Table(
            _("典型工单"),
            [_("分类"), _("工单编号")],
            [[l2_names.get(code, code), _("、").join(numbers)] for code, numbers in reps.items()],
            numeric_from=2,
        )
    )
    if not rising and not report["top_categories"]:
        categories.paragraphs.append(_("本期无诉求，没有热点和增幅分类。"))
    _hotspot_tables(categories, report.get("hotspots"))

    places = Section(_("五、区域分布"))
    places.charts.append(_ranked_chart("districts", _("分区受理量"), report["districts"]))
    places.tables.append(_breakdown(_("分区受理量"), report["districts"]))
    places.tables.append(
        Table(
            _("诉求最集中的街镇"),
            [_("排名"), _("街镇"), _("所属区"), _("受理量"), _("占比")],
            [[str(i), s["name"], s["district_name"], n(s["count"]), pct(s["share"])]
             for i, s in enumerate(report["top_streets"], start=1)],
            numeric_from=3,
        )
    )  # fmt: skip

    units = Section(_("六、承办单位"))
    by_volume = sorted(
        (u for u in report["units"] if u["dispatched"]), key=lambda u: (-u["dispatched"], u["code"])
    )
    units.charts.append(
        Chart("units", _("承办单位派发量（前十五）"), "bar",
              [u["name"] or u["code"] for u in by_volume[:MAX_BARS]],
              [u["dispatched"] for u in by_volume[:MAX_BARS]])
    )  # fmt: skip
    units.paragraphs.append(
        _(
            "综合得分为响应率、解决率、满意率的平均值（百分制）；派发量达到排名门槛的单位参与"
            "排名。退单率按首接单位统计。"
        )
    )
    # Each rate with the counts behind it: one callback moves a small unit's rate by points.
    units.paragraphs.append(_("各率后括号内为分子/分母（件数）。"))
    units.tables.append(
        Table(
            _("承办单位办理情况"),
            [_("排名"), _("单位"), _("派发量"), *(str(_RATE_NAMES[k]) for k in _UNIT_RATES),
             _("综合得分")],
            [
                [NONE if u["rank"] is None else str(u["rank"]), u["name"] or u["code"],
                 n(u["dispatched"]), *(ratio_text(u[k]) for k in _UNIT_RATES),
                 NONE if u["score"] is None else f"{u['score'] * 100:.1f}"]
                for u in report["units"]
            ],
            numeric_from=2,
        )
    )  # fmt: skip

    enterprise = _tagged_section(
        _("七、涉企诉求"), report["enterprise"], district_names, _("本期无涉企诉求。")
    )
    emergency = _tagged_section(
        _("八、应急诉求"), report["emergency"], district_names, _("本期无应急标记诉求。")
    )

    appendix = Section(_("附表"))
    appendix.tables.append(
        _breakdown(
            _("二级分类受理量"),
            [r for r in report["categories_l2"] if r["count"] or r["previous"] or r["year_ago"]],
            with_l1=True,
        )
    )
    items = list(daily.items())
    per_row = 4
    appendix.tables.append(
        Table(
            _("每日受理量"),
            [_("日期"), _("受理量")] * per_row,
            [
                [cell for day, count in items[i : i + per_row] for cell in (day, n(count))]
                + ["", ""] * (per_row - len(items[i : i + per_row]))
                for i in range(0, len(items), per_row)
            ],
            numeric_from=99,
        )
    )

    return Document(
        title=report["title"],
        subtitle=subtitle,
        narrative=report["narrative"],
        sections=[overview, quality, channels, categories, places, units, enterprise, emergency,
                  appendix],
    )  # fmt: skip


__all__ = ["Chart", "Document", "Section", "Table", "build_document", "change", "n", "pct"]
