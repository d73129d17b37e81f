"""The report as a PDF (reportlab): the narrative first, then each section's charts (PNG from
matplotlib) and tables. Chinese is set in reportlab's built-in CID font STSong-Light, which
needs no font file: PDF readers supply the glyphs (Adobe-GB1)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from hongmian.analytics.report.charts import chart_images
from hongmian.analytics.report.document import Document, Table, build_document

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, firstLineIndent=21,
                       wordWrap="CJK", spaceAfter=6)  # fmt: skip
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=TA_CENTER,
                        spaceAfter=6)  # fmt: skip
_SUBTITLE = ParagraphStyle("subtitle", fontName=FONT, fontSize=9, leading=13,
                           alignment=TA_CENTER, textColor=colors.HexColor("#555555"),
                           wordWrap="CJK", spaceAfter=12)  # fmt: skip
_H2 = ParagraphStyle("h2", fontName=FONT, fontSize=14, leading=20, spaceBefore=12, spaceAfter=6,
                     textColor=colors.HexColor("#b3261e"))  # fmt: skip
_CAPTION = ParagraphStyle("caption", fontName=FONT, fontSize=10, leading=14, spaceBefore=6,
                          spaceAfter=3)  # fmt: skip
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10.5, wordWrap="CJK")
_CELL_NUM = ParagraphStyle("cellnum", parent=_CELL, alignment=2)
_WIDTH = A4[0] - 36 * mm


def _table(table: Table) -> list[Flowable]:
    header = [Paragraph(escape(c), _CELL) for c in table.columns]
    rows = [
        [
            Paragraph(escape(cell), _CELL_NUM if i >= table.numeric_from else _CELL)
            for i, cell in enumerate(row)
        ]
        for row in table.rows
    ] or [[Paragraph("无", _CELL)] + [""] * (len(table.columns) - 1)]
    body = LongTable([header, *rows], repeatRows=1, hAlign="LEFT",
                     colWidths=[_WIDTH / len(table.columns)] * len(table.columns))  # fmt: skip
    body.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f6eeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [Paragraph(escape(table.title), _CAPTION), body]


def _image(png: bytes) -> Image:
    image = Image(io.BytesIO(png))
    scale = min(1.0, _WIDTH / image.imageWidth)
    image.drawWidth = image.imageWidth * scale
    image.drawHeight = image.imageHeight * scale
    return image


def render_pdf(
    report: dict[str, Any],
    document: Document | None = None,
    images: dict[str, bytes] | None = None,
) -> bytes:
    doc = document or build_document(report)
    pngs = images if images is not None else chart_images(doc)
    story: list[Flowable] = [
        Paragraph(escape(doc.title), _TITLE),
        Paragraph(escape(doc.subtitle), _SUBTITLE),
        Paragraph("文字分析", _H2),
        Paragraph(escape(doc.narrative), _BODY),
    ]
    for section in doc.sections:
        story.append(Paragraph(escape(section.title), _H2))
        story += [Paragraph(escape(p), _BODY) for p in section.paragraphs]
        for chart in section.charts:
            story.append(KeepTogether([Paragraph(escape(chart.title), _CAPTION),
                                       _image(pngs[chart.key])]))  # fmt: skip
        for table in section.tables:
            story += _table(table)
        story.append(Spacer(1, 4 * mm))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=doc.title,
        author="广州12345政务服务便民热线",
    ).build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas: Any, template: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(A4[0] / 2, 9 * mm, f"— {template.page} —")
    canvas.restoreState()


__all__ = ["render_pdf"]
