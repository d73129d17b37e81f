"""The report's charts, twice: as ECharts options for the HTML pages (interactive, drawn by
the local static/vendor/echarts.min.js) and as PNG images drawn by matplotlib for the PDF and
Word documents, from the same `document.Chart`.

Chinese labels need a CJK font. Debian's fonts-noto-cjk provides one (CI installs it);
without it the images are still drawn, with matplotlib's own font, and a warning is logged
once: the Chinese labels then show as empty boxes.
"""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path
from typing import Any

from django.utils.translation import gettext, gettext_noop

from hongmian.analytics.report.document import Chart, Document

logger = logging.getLogger(__name__)

CJK_FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)
# The hotline's red (红棉) and a few calm companions, shared by both renderers.
PALETTE = ["#b3261e", "#1d5fa8", "#d98c1f", "#2f8f5b", "#6b4fa3", "#7a7a7a", "#c2577a",
           "#3a9bb3", "#8c6d31", "#4d4d4d"]  # fmt: skip
EMPTY_TEXT = gettext_noop("本期无数据")  # translated where it is drawn


def echarts_option(chart: Chart, *, dark: bool = False) -> dict[str, Any]:
    """An ECharts option for `chart` (JSON-serialisable)."""
    text = "#e8e8e8" if dark else "#222"
    base: dict[str, Any] = {
        "color": PALETTE,
        "animation": False,
        "tooltip": {"trigger": "item" if chart.kind == "pie" else "axis"},
        "textStyle": {"color": text},
        "grid": {"left": 8, "right": 24, "top": 16, "bottom": 8, "containLabel": True},
    }
    if chart.empty:
        base["title"] = {
            "text": gettext(EMPTY_TEXT),
            "left": "center",
            "top": "middle",
            "textStyle": {"color": "#888", "fontSize": 14, "fontWeight": "normal"},
        }
    if chart.kind == "pie":
        base["legend"] = {"type": "scroll", "bottom": 0, "textStyle": {"color": text}}
        base["series"] = [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "label": {"formatter": "{b} {d}%", "color": text},
                "data": [
                    {"name": label, "value": value}
                    for label, value in zip(chart.labels, chart.values, strict=True)
                ],
            }
        ]
        return base
    if chart.kind == "line":
        base["xAxis"] = {"type": "category", "data": chart.labels, "boundaryGap": False}
        base["yAxis"] = {"type": "value", "minInterval": 1}
        base["series"] = [
            {"type": "line", "name": chart.title, "data": chart.values, "areaStyle": {}}
        ]
        return base
    # Ranked bars, the largest on top.
    base["xAxis"] = {"type": "value"}
    base["yAxis"] = {"type": "category", "data": chart.labels[::-1]}
    base["series"] = [
        {
            "type": "bar",
            "name": chart.title,
            "data": chart.values[::-1],
            "label": {"show": True, "position": "right", "color": text},
        }
    ]
    return base


@functools.cache
def cjk_font() -> str | None:
    """The family name of the CJK font registered with matplotlib, or None (logged once)."""
    from matplotlib import font_manager

    for path in CJK_FONT_CANDIDATES:
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    logger.warning(
        "No CJK font found (%s): report charts are drawn with matplotlib's own font and "
        "their Chinese labels will not show. Install Debian's fonts-noto-cjk.",
        ", ".join(str(p) for p in CJK_FONT_CANDIDATES),
    )
    return None


def chart_png(chart: Chart, *, width: float = 7.0, dpi: int = 150) -> bytes:
    """`chart` as a PNG image (for the PDF and Word documents)."""
    from matplotlib.figure import Figure

    family = cjk_font()
    rc_font = [family] if family else ["DejaVu Sans"]
    bars = len(chart.labels) if chart.kind == "bar" else 0
    height = max(2.6, 0.32 * bars + 1.0) if chart.kind == "bar" else 3.0
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(chart.title, fontsize=11, family=rc_font)
    if chart.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, gettext(EMPTY_TEXT), ha="center", va="center", fontsize=12,
                family=rc_font, color="#888", transform=ax.transAxes)  # fmt: skip
    elif chart.kind == "pie":
        wedges, _texts, _pcts = ax.pie(
            chart.values,
            colors=(PALETTE * (len(chart.values) // len(PALETTE) + 1))[: len(chart.values)],
            # Small slices get no label on the ring (they would overlap); the legend names them.
            autopct=lambda p: f"{p:.1f}%" if p >= 3 else "",
            pctdistance=0.78,
            startangle=90,
            counterclock=False,
            wedgeprops={"width": 0.45},
            textprops={"fontsize": 8, "family": rc_font},
        )
        total = sum(chart.values)
        ax.legend(
            wedges,
            [f"{label} {value:,}（{value / total:.1%}）" for label, value in
             zip(chart.labels, chart.values, strict=True)],
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            frameon=False,
            prop={"family": rc_font, "size": 8},
        )  # fmt: skip
        ax.axis("equal")
    elif chart.kind == "line":
        x = range(len(chart.values))
        ax.plot(x, chart.values, color=PALETTE[0], linewidth=1.6)
        ax.fill_between(x, chart.values, color=PALETTE[0], alpha=0.12)
        step = max(1, len(chart.labels) // 10)
        ax.set_xticks(list(x)[::step], chart.labels[::step], fontsize=8, family=rc_font)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
    else:
        y = range(len(chart.values))
        ax.barh(list(y), chart.values[::-1], color=PALETTE[0])
        ax.set_yticks(list(y), chart.labels[::-1], fontsize=8, family=rc_font)
        for i, value in enumerate(chart.values[::-1]):
            ax.text(value, i, f" {value:,}", va="center", fontsize=7)
        ax.margins(x=0.12)
        ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_images(document: Document) -> dict[str, bytes]:
    """Every chart of the document as PNG, by key: drawn once for both PDF and Word."""
    return {chart.key: chart_png(chart) for chart in document.charts}


__all__ = ["PALETTE", "chart_images", "chart_png", "cjk_font", "echarts_option"]
