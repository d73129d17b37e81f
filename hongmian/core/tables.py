"""One reader for the tables people hand the platform: CSV, XLSX and JSONL files.

Every import command and every file an analysis reads comes through here, so a file that one
command accepts, the others accept too, and every problem looks the same (decision 0019):

- CSV in UTF-8 (with or without BOM) or GB18030, which is what Chinese office software
  exports; XLSX (the first sheet); JSONL (one JSON object per line). The suffix chooses the
  format unless the caller names one.
- The caller names the columns it needs (`required`) and those it may use (`optional`);
  header names are stripped. A short CSV row is padded with empty cells; a CSV row with more
  values than the header is refused (an unquoted comma has shifted its cells).
- Blank rows are skipped. Row numbers are as a person counts them in the file: the header
  is line 1 (CSV, XLSX); a JSONL row is its line.
- `open_table` streams (an import of hundreds of thousands of rows holds one row at a time);
  `read_table` is the convenience that returns every row and refuses a file without any.
- Every problem is a `TableError` (422) with a stable `table.*` code and the row, column and
  reason where there is one.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, NamedTuple, Self

from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed

Format = Literal["csv", "xlsx", "jsonl"]
SUFFIXES: Mapping[str, Format] = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
# A path, the bytes of a file, or an open binary file (e.g. an upload).
Source = str | os.PathLike[str] | bytes | IO[bytes]

# The encoding is decided on the file's first bytes; a file that changes encoding after them
# is refused at the line where it does.
SAMPLE_BYTES = 1024 * 1024
# charset-normalizer names any of these for a GB-encoded sample; GB18030 reads them all.
_GB_FAMILY = frozenset({"gb18030", "gbk", "gb2312"})
# Bytes that did not decode are kept as lone surrogates (errors="surrogateescape") so that
# the row that holds them can be named.
_UNDECODED = re.compile("[\udc80-\udcff]")
# The widest cell accepted; csv's default (128 KiB) is too small for a long article.
csv.field_size_limit(8 * 1024 * 1024)


class TableError(ValidationFailed):
    """A file that cannot be read as asked. `code` is one of:

    table.not_found · table.format (unknown type, damaged XLSX, a column named twice) ·
    table.encoding · table.empty (no header) · table.no_rows (a header alone; only
    `read_table`) · table.unknown_column (`missing`, and the file's `columns`) ·
    table.bad_row (`row`, `column` when one is to blame, `reason`).

    Callers that check a row's values raise it too (code table.bad_row), so a file's problems
    have one shape whoever finds them."""

    default_code = "table.invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        name: str = "",
        row: int | None = None,
        column: str | None = None,
        reason: str = "",
        missing: Sequence[str] = (),
        columns: Sequence[str] = (),
    ) -> None:
        super().__init__(message, code=code, fields={column or "file": [message]})
        self.name = name
        self.row = row
        self.column = column
        self.reason = reason or message
        self.missing = tuple(missing)
        self.columns = tuple(columns)

    @classmethod
    def bad_row(
        cls, *, name: str, row: int, column: str | None, reason: str, message: str = ""
    ) -> TableError:
        """A row that cannot be used; `message` replaces the standard wording."""
        where = f"{name} 第 {row} 行" + (f"，列 {column}" if column else "")
        return cls(
            message or f"{where}：{reason}",
            code="table.bad_row",
            name=name,
            row=row,
            column=column,
            reason=reason,
        )


class Row(NamedTuple):
    """One row: the line it starts on and its values by column. CSV and XLSX values are
    text ("" for an empty cell); JSONL values are as the JSON has them."""

    line: int
    values: Mapping[str, Any]

    def get(self, column: str) -> Any:
        return self.values.get(column)

    def cell(self, column: str) -> str:
        """The value as text, as the file has it; "" when empty or absent."""
        value = self.values.get(column)
        if value is None:
            return ""
        return value if isinstance(value, str) else str(value)

    def text(self, column: str) -> str:
        return self.cell(column).strip()


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[Row]


# --- opening -----------------------------------------------------------------------------


class TableReader:
    """An open table: its columns at once, its rows as they are iterated (once). Use it as a
    context manager, or iterate it to the end, to close the file."""

    def __init__(
        self,
        *,
        name: str,
        format: Format,
        columns: tuple[str, ...],
        rows: Iterator[Row],
        close: Callable[[], None],
        ignored: tuple[str, ...],
    ) -> None:
        self.name = name
        self.format = format
        self.columns = columns
        # Columns of the file the caller named neither as required nor as optional.
        self.ignored = ignored
        self._rows = rows
        self._close = close
        self._closed = False

    def __iter__(self) -> Iterator[Row]:
        try:
            yield from self._rows
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_table(
    source: Source,
    *,
    required: Sequence[str] = (),
    optional: Sequence[str] = (),
    format: Format | None = None,
    name: str | None = None,
) -> TableReader:
    """Open `source` and read its header. Rows hold the required and optional columns the
    file has (every column when the caller names none). `name` is what messages call the
    file (a path's file name by default); `format` overrides the suffix."""
    handle, name, owned = _binary(source, name)
    records: Iterator[tuple[int, dict[str, Any]]] | None = None
    cells: Iterator[tuple[int, list[str]]] = iter(())
    try:
        kind = format or _format_of(name)
        if kind == "xlsx":
            header, cells, close = _xlsx(handle, name, owned)
        else:
            text = _text(handle, name)
            close = _closer(text, owned)
            if kind == "jsonl":
                header, records = _jsonl(text, name)
            else:
                header, cells = _csv(text, name)
    except BaseException:
        if owned:
            handle.close()
        raise
    try:
        columns = _header(header)
        keep = _kept(columns, required, optional, name)
    except BaseException:
        close()
        raise
    named = [*dict.fromkeys([*required, *optional])]
    ignored = tuple(c for c in columns if c and named and c not in named)
    if records is not None:
        rows = _objects(records, named)
    else:
        rows = _rows(cells, columns, keep, strict=kind == "csv", name=name)
    return TableReader(
        name=name, format=kind, columns=columns, rows=rows, close=close, ignored=ignored
    )


def read_table(
    source: Source,
    *,
    required: Sequence[str] = (),
    optional: Sequence[str] = (),
    format: Format | None = None,
    name: str | None = None,
) -> Table:
    """Every row of `source` (see `open_table`); a file with a header and no rows is a
    TableError (table.no_rows): there is nothing to use."""
    with open_table(
        source, required=required, optional=optional, format=format, name=name
    ) as table:
        rows = list(table)
    if not rows:
        raise TableError(
            gettext("%(name)s：只有表头，没有数据行") % {"name": table.name},
            code="table.no_rows",
            name=table.name,
        )
    return Table(table.name, table.columns, rows)


def _binary(source: Source, name: str | None) -> tuple[IO[bytes], str, bool]:
    """A seekable binary handle, the file's name and whether the handle is ours to close."""
    if isinstance(source, bytes):
        return io.BytesIO(source), name or "上传的文件", True
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise TableError(
                gettext("找不到文件：%(path)s") % {"path": path},
                code="table.not_found",
                name=path.name,
            )
        return path.open("rb"), name or path.name, True
    given = name or Path(str(getattr(source, "name", "") or "上传的文件")).name
    if not source.seekable():
        return io.BytesIO(source.read()), given, True
    return source, given, False


def _format_of(name: str) -> Format:
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    kinds = "、".join(dict.fromkeys(SUFFIXES))
    raise TableError(
        gettext("%(name)s：不支持的文件类型 %(value1)s，请用 %(kinds)s")
        % {"name": name, "value1": suffix or "（无扩展名）", "kinds": kinds},
        code="table.format",
        name=name,
    )


def _closer(text: io.TextIOWrapper, owned: bool) -> Callable[[], None]:
    def close() -> None:
        if owned:
            text.close()
        elif not text.closed:
            text.detach()  # the caller's file stays open

    return close


# --- encodings ---------------------------------------------------------------------------


def detect_encoding(sample: bytes, *, whole: bool) -> str | None:
    """The encoding to read a file that starts with `sample` (`whole`: the sample is the
    whole file), or None when it is none we accept. Cheap and decisive checks first: a BOM,
    then valid UTF-8; only then charset-normalizer, whose GB reading is taken if it finds
    one plausible at all (on a short sample it may rank Korean first; measured in 0019)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A character cut at the sample's end is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    from charset_normalizer import from_bytes

    for match in from_bytes(sample):
        if _GB_FAMILY & {match.encoding, *match.could_be_from_charset}:
            return "gb18030"
    return None


def _text(handle: IO[bytes], name: str) -> io.TextIOWrapper:
    start = handle.tell()
    sample = handle.read(SAMPLE_BYTES)
    whole = len(sample) < SAMPLE_BYTES
    if not whole and b"\n" in sample:
        # End the sample with a line: a character cut in two makes every reading fail.
        # (No byte of a UTF-8 or GB18030 character is a newline.)
        sample = sample[: sample.rindex(b"\n") + 1]
    encoding = detect_encoding(sample, whole=whole)
    if encoding is None:
        raise TableError(
            gettext("%(name)s：文件编码无法识别（请另存为 UTF-8 编码的 CSV）") % {"name": name},
            code="table.encoding",
            name=name,
        )
    handle.seek(start)
    return io.TextIOWrapper(handle, encoding=encoding, errors="surrogateescape", newline="")


def _lines(text: io.TextIOWrapper, name: str) -> Iterator[str]:
    """The file's lines; a line with bytes that did not decode stops the reading there."""
    for number, line in enumerate(text, start=1):
        if not line.isascii() and _UNDECODED.search(line):
            label = "GB18030" if "gb" in str(text.encoding) else "UTF-8"
            raise TableError(
                gettext(
                    "%(name)s 第 %(number)s 行："
                    "不是 %(label)s 编码的文本（请另存为 UTF-8 编码的 CSV）"
                )
                % {"name": name, "number": number, "label": label},
                code="table.encoding",
                name=name,
                row=number,
            )
        yield line


# --- formats: the header, then (line, cells) or (line, object) ------------------------------


def _csv(text: io.TextIOWrapper, name: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    reader = csv.reader(_lines(text, name))

    def records() -> Iterator[tuple[int, list[str]]]:
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise TableError.bad_row(
                name=name,
                row=start,
                column=None,
                reason=gettext("无法按 CSV 读取（%(exc)s）") % {"exc": exc},
            ) from None

    rows = records()
    for _line, cells in rows:
        if not _blank(cells):  # blank lines above the header are not part of the table
            return cells, rows
    return [], iter(())


def _jsonl(
    text: io.TextIOWrapper, name: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, line in enumerate(_lines(text, name), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TableError.bad_row(
                    name=name,
                    row=number,
                    column=None,
                    reason=gettext("不是合法的 JSON（%(msg)s）") % {"msg": exc.msg},
                ) from None
            if not isinstance(record, dict):
                raise TableError.bad_row(
                    name=name, row=number, column=None, reason=gettext("应是一个 JSON 对象")
                )
            yield number, {str(k).strip(): v for k, v in record.items()}

    rows = records()
    first = next(rows, None)
    if first is None:
        return [], iter(())

    def again() -> Iterator[tuple[int, dict[str, Any]]]:
        yield first
        yield from rows

    # A JSONL file has no header: its columns are the first object's keys.
    return list(first[1]), again()


def _xlsx(
    handle: IO[bytes], name: str, owned: bool
) -> tuple[list[str], Iterator[tuple[int, list[str]]], Callable[[], None]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise TableError(
            gettext("%(name)s：不是可读的 XLSX 文件（%(exc)s）") % {"name": name, "exc": exc},
            code="table.format",
            name=name,
        ) from None

    def close() -> None:
        book.close()  # read_only keeps the archive open until now
        if owned:
            handle.close()

    sheet = book.worksheets[0]
    rows = (
        (number, ["" if v is None else str(v) for v in values])
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    )
    for _line, cells in rows:
        if not _blank(cells):
            return cells, rows, close
    return [], iter(()), close


# --- columns and rows ----------------------------------------------------------------------


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _header(cells: list[str]) -> tuple[str, ...]:
    names = [c.strip() for c in cells]
    if names:
        names[0] = names[0].lstrip("\ufeff").strip()
    return tuple(names)


def _kept(
    columns: tuple[str, ...], required: Sequence[str], optional: Sequence[str], name: str
) -> dict[str, int] | None:
    """Column → position for the columns the caller named (None: keep every column)."""
    if not any(columns):
        raise TableError(
            gettext("%(name)s：文件是空的（没有表头）") % {"name": name},
            code="table.empty",
            name=name,
        )
    missing = [c for c in dict.fromkeys(required) if c not in columns]
    if missing:
        have = "、".join(c for c in columns if c) or "（无）"
        raise TableError(
            gettext("%(name)s：文件中没有列：%(value1)s（现有的列：%(have)s）")
            % {"name": name, "value1": "、".join(missing), "have": have},
            code="table.unknown_column",
            name=name,
            column=missing[0],
            missing=missing,
            columns=columns,
        )
    if not required and not optional:
        return None
    keep: dict[str, int] = {}
    for wanted in dict.fromkeys([*required, *optional]):
        positions = [i for i, c in enumerate(columns) if c == wanted]
        if len(positions) > 1:
            raise TableError(
                gettext("%(name)s：列 %(wanted)s 出现了 %(value2)s 次，无法确定用哪一列")
                % {"name": name, "wanted": wanted, "value2": len(positions)},
                code="table.format",
                name=name,
                column=wanted,
            )
        if positions:
            keep[wanted] = positions[0]
    return keep


def _rows(
    cells: Iterator[tuple[int, list[str]]],
    columns: tuple[str, ...],
    keep: dict[str, int] | None,
    *,
    strict: bool,
    name: str,
) -> Iterator[Row]:
    """CSV and XLSX rows. `strict`: more values than columns is an error (CSV), not cells
    that belong to no column (XLSX)."""
    width = len(columns)
    for line, values in cells:
        if _blank(values):
            continue
        if len(values) > width:
            if strict and not _blank(values[width:]):
                reason = f"有 {len(values)} 个值，表头只有 {width} 列（是否有未加引号的逗号？）"
                raise TableError.bad_row(name=name, row=line, column=None, reason=reason)
            values = values[:width]
        elif len(values) < width:
            values = values + [""] * (width - len(values))
        if keep is None:
            yield Row(line, dict(zip(columns, values, strict=True)))
        else:
            yield Row(line, {c: values[i] for c, i in keep.items()})


def _objects(records: Iterator[tuple[int, dict[str, Any]]], named: list[str]) -> Iterator[Row]:
    """JSONL rows: a key an object does not have is an empty cell."""
    for line, record in records:
        yield Row(line, {c: record.get(c) for c in named} if named else record)


__all__ = [
    "SUFFIXES",
    "Format",
    "Row",
    "Source",
    "Table",
    "TableError",
    "TableReader",
    "detect_encoding",
    "open_table",
    "read_table",
]
