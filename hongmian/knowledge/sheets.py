"""Reading knowledge spreadsheets (CSV) for the import and for an index built without
the database (evaluation, benchmarks).

Spreadsheets arrive as CSV in UTF-8 (with or without BOM) or, from older office software,
GB18030; both are read. XLSX is read when openpyxl happens to be installed; otherwise the
caller is told to save the sheet as CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hongmian.core.errors import ValidationFailed
from hongmian.knowledge.search.index import IndexDocument
from hongmian.knowledge.services import ImportRow

# The widest cell we accept; csv's default (128 KiB) is too small for a long article.
csv.field_size_limit(8 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: list[dict[str, str]]  # first data row is line 2 of the file

    def require(self, *names: str | None) -> None:
        missing = [n for n in names if n and n not in self.columns]
        if missing:
            message = f"文件中没有列：{'、'.join(missing)}（现有的列：{'、'.join(self.columns)}）"
            raise ValidationFailed(
                message, code="sheet.unknown_column", fields={"columns": missing}
            )


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("文件编码无法识别（请保存为 UTF-8 编码的 CSV）", code="sheet.encoding")


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        import openpyxl
    except ImportError:
        raise ValidationFailed(
            "读取 XLSX 需要 openpyxl，请另存为 CSV（UTF-8）后导入", code="sheet.xlsx_unsupported"
        ) from None
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def read_table(path: Path | str) -> Table:
    """The first sheet of `path`: its header and its rows (blank rows skipped)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationFailed(f"找不到文件：{path}", code="sheet.not_found")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        lines = _read_xlsx(path)
    else:
        lines = list(csv.reader(io.StringIO(_decode(path.read_bytes()), newline="")))
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise ValidationFailed("文件为空（没有表头）", code="sheet.empty")
    columns = tuple(c.strip() for c in lines[0])
    rows = []
    for cells in lines[1:]:
        if not any(c.strip() for c in cells):
            continue
        rows.append({name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)})
    if not rows:
        raise ValidationFailed("文件中没有数据行", code="sheet.no_rows")
    return Table(columns, rows)


def _categories(value: str) -> tuple[str, ...]:
    parts = value.replace("；", ";").replace("，", ",").replace(";", ",").split(",")
    return tuple(p.strip() for p in parts if p.strip())


def import_rows(
    table: Table,
    *,
    id_column: str,
    body_column: str,
    title_column: str | None = None,
    unit_column: str | None = None,
    category_column: str | None = None,
) -> list[ImportRow]:
    table.require(id_column, body_column, title_column, unit_column, category_column)
    return [
        ImportRow(
            line=line,
            external_id=row[id_column],
            body=row[body_column],
            title=row[title_column] if title_column else "",
            unit=row[unit_column] if unit_column else "",
            category_codes=_categories(row[category_column]) if category_column else (),
        )
        for line, row in enumerate(table.rows, start=2)
    ]


def index_documents(
    table: Table,
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
    table.require(id_column, body_column, title_column, unit_column, category_column)
    extra: Sequence[str | None] = (unit_column, category_column)
    return [
        IndexDocument(
            key=row[id_column].strip(),
            title=row[title_column] if title_column else "",
            body=row[body_column],
            extra=" ".join(row[c] for c in extra if c),
        )
        for row in table.rows
        if row[id_column].strip()
    ]
