"""Every output format of a report from its JSON, with the charts drawn once for PDF and
Word, and the files' one name. Used by `services.report_build` (for `hongmian report` and the
archive) and by the archive's downloads.

The files are the official report: always in the project's language (LANGUAGE_CODE), whatever
language the request or job that makes them has active."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation

from hongmian.analytics.report.document import build_document

FORMATS = ("json", "html", "pdf", "docx")


def report_file_stem(
    kind: str, start: dt.date, end: dt.date, *, district: str | None = None, unit: str | None = None
) -> str:
    """The name of a report's files without the format: `report-month-20261001-20261031`,
    then the district and unit filters if any."""
    stem = f"report-{kind}-{start:%Y%m%d}-{end:%Y%m%d}"
    for narrowed in (district, unit):
        if narrowed:
            stem += f"-{narrowed}"
    return stem


def report_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8")


def render_outputs(report: dict[str, Any], formats: Iterable[str]) -> dict[str, bytes]:
    """format → file content, for each of `formats` (a subset of FORMATS)."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report formats: {unknown}")
    with translation.override(settings.LANGUAGE_CODE):
        return _render(report, wanted)


def _render(report: dict[str, Any], wanted: list[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    document = build_document(report)
    images = None
    if "pdf" in wanted or "docx" in wanted:
        from hongmian.analytics.report.charts import chart_images

        images = chart_images(document)
    for fmt in wanted:
        if fmt == "json":
            out[fmt] = report_json(report)
        elif fmt == "html":
            from hongmian.analytics.report.render_html import render_html

            out[fmt] = render_html(report, document).encode("utf-8")
        elif fmt == "pdf":
            from hongmian.analytics.report.render_pdf import render_pdf

            out[fmt] = render_pdf(report, document, images)
        else:
            from hongmian.analytics.report.render_docx import render_docx

            out[fmt] = render_docx(report, document, images)
    return out


__all__ = ["FORMATS", "render_outputs", "report_file_stem", "report_json"]
