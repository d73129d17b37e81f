"""The report as a Word document (python-docx) that an office edits before it is sent:
real headings (so Word's navigation pane and table of contents work), the narrative, each
section's charts as pictures and its tables as Word tables."""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from hongmian.analytics.report.charts import chart_images
from hongmian.analytics.report.document import Document, Table, build_document

# Word picks the East Asian font from w:eastAsia; 宋体 / 黑体 are on every Chinese office PC.
BODY_FONT = "宋体"
HEADING_FONT = "黑体"


def _east_asian(style: Any, name: str) -> None:
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _add_table(docx: Any, table: Table) -> None:
    caption = docx.add_paragraph(table.title, style="Caption")
    caption.paragraph_format.keep_with_next = True
    rows = table.rows or [["无"] + [""] * (len(table.columns) - 1)]
    out = docx.add_table(rows=1 + len(rows), cols=len(table.columns))
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, column in enumerate(table.columns):
        cell = out.rows[0].cells[i]
        cell.text = column
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r, row in enumerate(rows, start=1):
        cells = out.rows[r].cells
        for i, value in enumerate(row):
            cells[i].text = value
            if i >= table.numeric_from:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in out.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def render_docx(
    report: dict[str, Any],
    document: Document | None = None,
    images: dict[str, bytes] | None = None,
) -> bytes:
    doc = document or build_document(report)
    pngs = images if images is not None else chart_images(doc)
    docx = new_docx()
    section = docx.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    _east_asian(docx.styles["Normal"], BODY_FONT)
    docx.styles["Normal"].font.size = Pt(11)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(docx.styles[name], HEADING_FONT)
        docx.styles[name].font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    docx.core_properties.title = doc.title
    docx.core_properties.author = "广州12345政务服务便民热线"

    title = docx.add_heading(doc.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = docx.add_paragraph(doc.subtitle)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx.add_heading("文字分析", level=1)
    narrative = docx.add_paragraph(doc.narrative)
    narrative.paragraph_format.first_line_indent = Pt(22)
    for part in doc.sections:
        docx.add_heading(part.title, level=1)
        for text in part.paragraphs:
            docx.add_paragraph(text)
        for chart in part.charts:
            docx.add_paragraph(chart.title, style="Caption").paragraph_format.keep_with_next = True
            docx.add_picture(io.BytesIO(pngs[chart.key]), width=Cm(16))
        for table in part.tables:
            _add_table(docx, table)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


__all__ = ["render_docx"]
