"""The report's documents: each format opens and holds the report's figures — read back the
way a reader's software would (python-docx for Word, pypdf for the PDF's text)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from docx import Document as read_docx
from pypdf import PdfReader

from hongmian.analytics.periods import Period
from hongmian.analytics.report.compute import compute_report
from hongmian.analytics.report.document import build_document, pct
from hongmian.analytics.report.outputs import render_outputs
from hongmian.analytics.tests.conftest import order, write_store

OCT = Period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def docx_text(content: bytes) -> str:
    doc = read_docx(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def chart_options(html: str) -> dict[str, Any]:
    data = html.split('id="report-chart-options" type="application/json">')[1]
    return json.loads(data.split("</script>")[0])


@pytest.fixture(scope="module")
def report(small_history: Path) -> dict[str, Any]:
    return compute_report(source=small_history, period=OCT)


@pytest.fixture(scope="module")
def outputs(report: dict[str, Any]) -> dict[str, bytes]:
    return render_outputs(report, ["json", "html", "pdf", "docx"])


@pytest.fixture(scope="module")
def empty_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """October 2026 with no orders (September has a few, so 环比 has a base)."""
    store = write_store(
        tmp_path_factory.mktemp("empty"), [order(dt.date(2026, 9, 3), i) for i in range(1, 4)]
    )
    return compute_report(source=store, period=OCT)


def _busiest_district(report: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in report["districts"] if d["count"] and d["code"] != "unknown")


def test_word_document_holds_the_figures(report: dict[str, Any], outputs: dict[str, bytes]) -> None:
    text = docx_text(outputs["docx"])
    doc = read_docx(io.BytesIO(outputs["docx"]))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "文字分析"  # the narrative comes first
    assert "五、区域分布" in headings
    assert report["narrative"] in text
    assert f"{report['total']:,}" in text
    district = _busiest_district(report)
    assert any(
        row.cells[0].text == district["name"] and row.cells[1].text == f"{district['count']:,}"
        for table in doc.tables
        for row in table.rows
    )
    assert len(doc.inline_shapes) == len(build_document(report).charts)  # the chart images


def test_pdf_holds_the_figures(report: dict[str, Any], outputs: dict[str, bytes]) -> None:
    text = pdf_text(outputs["pdf"])
    assert text.index("文字分析") < text.index("一、总体情况")
    assert f"共受理群众诉求{report['total']:,}件" in text.replace("\n", "")
    district = _busiest_district(report)
    # A table row reads as its cells in order (pypdf puts a line break between cells).
    assert re.search(rf"{district['name']}\s+{district['count']:,}\s", text)
    assert pct(report["rates"]["satisfaction"]["rate"]) in text


def test_every_section_of_the_json_has_its_place(
    report: dict[str, Any], outputs: dict[str, bytes]
) -> None:
    text = docx_text(outputs["docx"])
    cmp_ = report["comparison"]
    for figure in (cmp_["previous"], cmp_["year_ago"]):
        assert f"{figure:,}" in text
    for row in report["channels"] + report["request_types"] + report["categories_l1"]:
        assert row["name"] in text
    for category in report["top_categories"]:
        assert category["name"] in text
    for rising in report["rising_categories"]:
        assert rising["name"] in text
    for unit in report["units"]:
        assert (unit["name"] or unit["code"]) in text
    for numbers in report["representative_orders"].values():
        assert "、".join(numbers) in text
    for key, label in (("response", "响应率"), ("on_time", "按时办结率"), ("reopen", "重办率")):
        r = report["rates"][key]
        assert f"{label} | {pct(r['rate'])}（{r['numerator']:,}/{r['denominator']:,}）" in text
    assert "七、涉企诉求" in text
    assert f"{report['enterprise']['total']:,}" in text
    assert "八、应急诉求" in text
    assert "每日受理量" in text
    assert "2026-10-31" in text


def test_html_is_self_contained_with_a_chart_per_figure(
    report: dict[str, Any], outputs: dict[str, bytes]
) -> None:
    html = outputs["html"].decode("utf-8")
    assert "<script src=" not in html
    assert "<link" not in html
    assert "echarts" in html
    for chart in build_document(report).charts:
        assert f'data-chart="{chart.key}"' in html
    options = chart_options(html)
    district = _busiest_district(report)
    bars = options["districts"]
    assert (
        bars["series"][0]["data"][bars["yAxis"]["data"].index(district["name"])]
        == (district["count"])
    )
    assert f"{report['total']:,}" in html
    assert json.loads(outputs["json"]) == report


def test_a_month_without_orders_still_renders(empty_report: dict[str, Any]) -> None:
    assert empty_report["total"] == 0
    files = render_outputs(empty_report, ["html", "pdf", "docx"])
    assert "共受理" not in pdf_text(files["pdf"])  # the narrative for an empty month
    assert "未受理群众诉求（0件）" in pdf_text(files["pdf"]).replace("\n", "")
    text = docx_text(files["docx"])
    assert "受理量 | 0 | 3 | -100.0%" in text
    assert "本期无应急标记诉求。" in text
    options = chart_options(files["html"].decode("utf-8"))
    assert options["districts"]["title"]["text"] == "本期无数据"
    assert len(options["daily"]["series"][0]["data"]) == 31


@pytest.mark.django_db  # the command reads the hot-spot scans
def test_command_writes_every_format(small_history: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    stdout = StringIO()
    call_command(
        "report",
        "--period=month",
        "--month=2026-10",
        f"--source={small_history}",
        "--format=html,pdf,docx,json",
        f"--out={out}",
        stdout=stdout,
    )
    stem = out / "report-month-20261001-20261031"
    report = json.loads(stem.with_suffix(".json").read_text("utf-8"))
    assert f"{report['total']:,}" in docx_text(stem.with_suffix(".docx").read_bytes())
    assert PdfReader(stem.with_suffix(".pdf")).pages
    assert stem.with_suffix(".html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert stdout.getvalue().count("已写入") == 4


@pytest.mark.django_db  # the command reads the hot-spot scans
def test_command_names_its_files_by_the_filters(small_history: Path, tmp_path: Path) -> None:
    call_command(
        "report",
        "--period=month",
        "--month=2026-10",
        f"--source={small_history}",
        "--format=json",
        f"--out={tmp_path}",
        "--district=天河区",
        stdout=StringIO(),
    )
    written = tmp_path / "report-month-20261001-20261031-440106000.json"
    assert json.loads(written.read_text("utf-8"))["filters"]["district"] == "440106000"


def test_files_stay_in_the_project_language_and_the_page_follows_the_reader(
    report: dict[str, Any],
) -> None:
    """The archived files are the official report (Chinese); the archive page lays the same
    report out in the reader's language (the figures' names and the narrative stay data)."""
    from django.utils import translation

    from hongmian.analytics.report.render_html import report_context

    with translation.override("en"):
        html = render_outputs(report, ["html"])["html"].decode()
        doc = report_context(report)["doc"]
    assert "一、总体情况" in html
    assert "1. Overview" not in html
    assert doc.sections[0].title == "1. Overview"
    assert doc.sections[1].tables[0].columns[0] == "Indicator"


def _fonts(content: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font of every page — what `pdffonts` lists."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts.get_object() if fonts else {}).values():
            font = ref.get_object()
            # A composite (Type0) font keeps its descriptor on its descendant CID font.
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return sorted(found.items())


def test_pdf_embeds_every_font(outputs: dict[str, bytes]) -> None:
    """Viewers without Adobe's language pack (poppler's) show blank pages for a CJK font
    that is not embedded: every font must travel with the file, as a subset."""
    fonts = _fonts(outputs["pdf"])
    assert fonts, "the PDF names no font"
    assert all(embedded for _, embedded in fonts), fonts
    # A subset's name carries a six-letter tag (TSPJMR+Noto-Sans-CJK-SC).
    assert any(re.match(r"/?[A-Z]{6}\+Noto-?Sans", name) for name, _ in fonts), fonts


def test_pdffonts_shows_every_font_embedded(outputs: dict[str, bytes], tmp_path: Path) -> None:
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        pytest.skip("pdffonts not installed (Debian: poppler-utils); pypdf checked it above")
    path = tmp_path / "report.pdf"
    path.write_bytes(outputs["pdf"])
    listing = subprocess.run(  # noqa: S603 — a fixed program on our own file
        [pdffonts, str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    header = listing[0]
    rows = listing[2:]
    assert rows, listing
    emb = header.index("emb")
    assert all(row[emb : emb + 3] == "yes" for row in rows), listing


def test_every_rate_of_a_unit_shows_its_counts(
    report: dict[str, Any], outputs: dict[str, bytes]
) -> None:
    """A unit's 满意率 moves by points with one callback: the tables say over how many."""
    unit = next(u for u in report["units"] if u["satisfaction"]["denominator"])
    s = unit["satisfaction"]
    cell = f"{pct(s['rate'])}（{s['numerator']:,}/{s['denominator']:,}）"
    assert cell in docx_text(outputs["docx"])
    assert cell in outputs["html"].decode("utf-8")
    assert cell in pdf_text(outputs["pdf"]).replace("\n", "")
