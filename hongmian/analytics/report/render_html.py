"""The report as one self-contained HTML page: styles, the report's charts (ECharts, from our
own static/vendor/echarts.min.js, inlined) and its data in the file itself, so that it opens
from a disk, an e-mail or an archive with no server and no network.

The archive page (`analytics:report`) shows the same body inside the portal, with the
scripts loaded from the static files instead (`report_context`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from hongmian.analytics.report.charts import echarts_option
from hongmian.analytics.report.document import Document, build_document

_ECHARTS = Path(settings.BASE_DIR) / "hongmian" / "portal" / "static" / "vendor" / "echarts.min.js"
_STATIC = Path(__file__).resolve().parent.parent / "static" / "analytics"


def report_context(report: dict[str, Any], document: Document | None = None) -> dict[str, Any]:
    """What `analytics/_report_body.html` needs."""
    doc = document or build_document(report)
    return {
        "doc": doc,
        "report": report,
        "chart_options": {chart.key: echarts_option(chart) for chart in doc.charts},
    }


@functools.cache
def _asset(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # A literal "</script" inside an inlined script would end the element early.
    return text.replace("</script", "<\\/script")


def render_html(report: dict[str, Any], document: Document | None = None) -> str:
    context = report_context(report, document)
    context.update(
        inline_css=mark_safe(_asset(_STATIC / "report.css")),  # noqa: S308 — our own static file
        inline_echarts=mark_safe(_asset(_ECHARTS)),  # noqa: S308 — the vendored library
        inline_js=mark_safe(_asset(_STATIC / "report.js")),  # noqa: S308 — our own static file
    )
    return render_to_string("analytics/report_document.html", context)


__all__ = ["render_html", "report_context"]
