"""Knowledge spreadsheets (a unit's questions and answers, one row each) as import rows and
as index documents built without the database (evaluation, benchmarks).

The file is read by the platform's one table reader (`hongmian.core.tables`: CSV in UTF-8
or GB18030, XLSX); every column the caller names must be in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hongmian.core.search.index import IndexDocument
from hongmian.core.tables import read_table
from hongmian.knowledge.services import ImportRow


def _categories(value: str) -> tuple[str, ...]:
    parts = value.replace("；", ";").replace("，", ",").replace(";", ",").split(",")
    return tuple(p.strip() for p in parts if p.strip())


def _named(*columns: str | None) -> list[str]:
    return [c for c in columns if c]


def import_rows(
    path: Path | str,
    *,
    id_column: str,
    body_column: str,
    title_column: str | None = None,
    unit_column: str | None = None,
    category_column: str | None = None,
) -> list[ImportRow]:
    table = read_table(
        path, required=_named(id_column, body_column, title_column, unit_column, category_column)
    )
    return [
        ImportRow(
            line=row.line,
            external_id=row.cell(id_column),
            body=row.cell(body_column),
            title=row.cell(title_column) if title_column else "",
            unit=row.cell(unit_column) if unit_column else "",
            category_codes=_categories(row.cell(category_column)) if category_column else (),
        )
        for row in table.rows
    ]


def index_documents(
    path: Path | str,
    *,
    id_column: str,
    body_column: str,
    title_column: str | None = None,
    unit_column: str | None = None,
    category_column: str | None = None,
) -> list[IndexDocument]:
    """The rows as index documents, keyed by the id column. Without a title column the
    documents have no title: a title made up from the body would only count its first
    sentence twice."""
    table = read_table(
        path, required=_named(id_column, body_column, title_column, unit_column, category_column)
    )
    extra: Sequence[str | None] = (unit_column, category_column)
    return [
        IndexDocument(
            key=row.text(id_column),
            title=row.cell(title_column) if title_column else "",
            body=row.cell(body_column),
            extra=" ".join(row.cell(c) for c in extra if c),
        )
        for row in table.rows
        if row.text(id_column)
    ]
