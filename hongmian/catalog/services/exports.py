"""Exporting the catalogue: every element of each item in columns named after the fields,
so that `catalog_import` reads an export back unchanged (a round trip changes nothing).

CSV (UTF-8 with BOM, which spreadsheet software opens correctly), XLSX (one sheet), or JSON
Lines (one object per line, every value as the CSV has it)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from hongmian.catalog import permissions
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.services.content import SCALAR_FIELDS, content_from_json, content_of
from hongmian.catalog.services.items import authorise
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.core.reviews import VersionState

ExportFormat = Literal["csv", "xlsx", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx", "json")
COLUMNS = ("code", "department", "main_item", *SCALAR_FIELDS, "materials")
# Rows fetched per query while exporting.
CHUNK = 1000


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def export_rows(*, published_only: bool = True) -> Iterator[dict[str, str]]:
    """The catalogue's rows, as text, in code order: what is served (published items: their
    live version's content) or, without `published_only`, every item's current fields."""
    items = ServiceItem.objects.select_related("department", "main_item").order_by("code")
    if published_only:
        items = items.filter(status=ItemStatus.PUBLISHED)
    for item in items.iterator(chunk_size=CHUNK):
        live = item.versions.filter(state=VersionState.PUBLISHED).first()
        content = content_from_json(live.content) if live else content_of(item)
        row = {k: _text(getattr(content, k)) for k in SCALAR_FIELDS}
        row["materials"] = json.dumps(
            [
                {
                    "name": m.name,
                    "form": m.form,
                    "source": m.source,
                    "copies": m.copies,
                    "required": m.required,
                    "note": m.note,
                    "certificate_codes": list(m.certificate_codes),
                }
                for m in content.materials
            ],
            ensure_ascii=False,
        )
        row["code"] = item.code
        row["department"] = item.department.code
        row["main_item"] = item.main_item.name if item.main_item else ""
        yield {c: row[c] for c in COLUMNS}


def catalog_export(
    *, actor: Actor, path: Path, format: ExportFormat, published_only: bool = True
) -> int:
    """Write the catalogue to `path`; the number of items written."""
    if actor.user is not None and not published_only:
        authorise(actor, permissions.can_import_items, "catalog.export_forbidden")
    count = 0
    if format == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in export_rows(published_only=published_only):
                writer.writerow(row)
                count += 1
    elif format == "json":
        with path.open("w", encoding="utf-8") as fh:
            for row in export_rows(published_only=published_only):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("事项目录")
        sheet.append(list(COLUMNS))
        for row in export_rows(published_only=published_only):
            sheet.append([row[c] for c in COLUMNS])
            count += 1
        book.save(path)
    return count
