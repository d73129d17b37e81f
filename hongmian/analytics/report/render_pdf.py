"""The report as a PDF: WeasyPrint lays out the same HTML body as the web report
(`analytics/_report_body.html`), with each chart as the PNG that matplotlib draws for the Word
document instead of the ECharts canvas (a PDF runs no script). Chinese is set in Noto Sans
CJK SC (Debian's fonts-noto-cjk, found through fontconfig), and WeasyPrint embeds the subset
of its glyphs the report uses — so every viewer shows the text, with or without a language
pack (decisions/0034). Pango (Debian's libpango-1.0-0, libpangoft2-1.0-0) does the shaping.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from hongmian.analytics.report.charts import chart_images
from hongmian.analytics.report.document import Document, build_document

_PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "analytics" / "report_print.css"
AUTHOR = "广州12345政务服务便民热线"
# WeasyPrint reports every layout step at INFO ("Step 5 - Creating layout - Page 12"): noise
# in the worker's log, one line per page of every report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _with_images(doc: Document, pngs: dict[str, bytes]) -> Document:
    """A copy of `doc` whose charts carry their PNG as a data: URI (the original, shared with
    the other renderers, is left as it is)."""

    def uri(key: str) -> str:
        return "data:image/png;base64," + base64.b64encode(pngs[key]).decode("ascii")

    sections = [
        dataclasses.replace(s, charts=[dataclasses.replace(c, image=uri(c.key)) for c in s.charts])
        for s in doc.sections
    ]
    return dataclasses.replace(doc, sections=sections)


def print_html(report: dict[str, Any], document: Document, images: dict[str, bytes]) -> str:
    """The HTML the PDF is laid out from: the web report's body, charts as images."""
    context = {
        "doc": _with_images(document, images),
        "report": report,
        "printed": True,
        "author": AUTHOR,
        "inline_css": mark_safe(_PRINT_CSS.read_text(encoding="utf-8")),  # noqa: S308 — our own static file
    }
    return render_to_string("analytics/report_print.html", context)


def render_pdf(
    report: dict[str, Any],
    document: Document | None = None,
    images: dict[str, bytes] | None = None,
) -> bytes:
    # Imported here: WeasyPrint loads Pango through cffi, which only the PDF needs.
    from weasyprint import HTML

    doc = document or build_document(report)
    pngs = images if images is not None else chart_images(doc)
    pdf: bytes = HTML(string=print_html(report, doc, pngs)).write_pdf()
    return pdf


__all__ = ["AUTHOR", "print_html", "render_pdf"]
