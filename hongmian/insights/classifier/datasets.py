"""Labelled messages from files: CSV (UTF-8, a BOM is fine), XLSX (when openpyxl is
installed), JSONL (one object per line). Every problem is a ClassifierError that says what
to fix: the file, a missing column (with the columns the file has), a bad line."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hongmian.core.errors import ValidationFailed
from hongmian.insights.classifier.messages import Message

# A training or prediction file bigger than this is refused before it is read.
MAX_FILE_BYTES = 500 * 1024 * 1024
# One message's title + text beyond this is refused (a paste of a whole document, a
# binary file read as text): the features read far less, and nothing that long is a message.
MAX_TEXT_CHARS = 20_000
SUFFIXES = (".csv", ".xlsx", ".jsonl")


class ClassifierError(ValidationFailed):
    """Bad input to a classifier (file, column, text, model, label set): 422 with a code
    `classifier.*` and a message that says what to do."""

    default_code = "classifier.invalid"


@dataclass(frozen=True, slots=True)
class LabelledRow:
    message: Message
    label: str


def fail(code: str, message: str, field: str = "input") -> ClassifierError:
    return ClassifierError(message, code=f"classifier.{code}", fields={field: [message]})


def read_records(path: str | Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The file's columns and its records as (line or row number, {column: value})."""
    path = Path(path)
    if not path.is_file():
        raise fail("file_missing", f"找不到文件：{path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise fail("file_too_large", f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB：{path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv(path)
    if suffix == ".jsonl":
        return _jsonl(path)
    if suffix == ".xlsx":
        return _xlsx(path)
    kind = suffix or "（无扩展名）"
    raise fail("file_format", f"不支持的文件类型 {kind}：请用 {'、'.join(SUFFIXES)}")


def _csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.DictReader(handle)
        columns = [c for c in (reader.fieldnames or []) if c is not None]
    except UnicodeDecodeError:
        raise fail("file_encoding", f"{path.name} 不是 UTF-8 编码的 CSV 文件") from None

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with handle:
            try:
                for record in reader:
                    yield reader.line_num, record
            except (UnicodeDecodeError, csv.Error) as exc:
                raise fail("file_encoding", f"{path.name} 第 {reader.line_num} 行：{exc}") from None

    return columns, rows()


def _jsonl(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    records: list[tuple[int, dict[str, Any]]] = []
    columns: dict[str, None] = {}
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise fail(
                        "file_format", f"{path.name} 第 {number} 行不是合法的 JSON：{exc.msg}"
                    ) from None
                if not isinstance(record, dict):
                    raise fail("file_format", f"{path.name} 第 {number} 行应是一个 JSON 对象")
                columns.update(dict.fromkeys(record))
                records.append((number, record))
    except UnicodeDecodeError:
        raise fail("file_encoding", f"{path.name} 不是 UTF-8 编码的文本文件") from None
    return list(columns), iter(records)


def _xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    try:
        import openpyxl
    except ImportError:
        raise fail(
            "xlsx_unavailable", "读取 XLSX 需要 openpyxl（未安装）：请另存为 CSV 后再试"
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise fail("file_format", f"{path.name} 不是可读的 XLSX 文件：{exc}") from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None) or ()
    columns = [str(c).strip() if c is not None else "" for c in header]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(lines, start=2):
            yield number, dict(zip(columns, values, strict=False))
        book.close()

    return columns, rows()


def check_columns(path: str | Path, columns: Sequence[str], wanted: Iterable[str]) -> None:
    missing = [c for c in wanted if c not in columns]
    if missing:
        have = "、".join(c for c in columns if c) or "（无）"
        raise fail(
            "unknown_column",
            f"{Path(path).name} 中没有列：{'、'.join(missing)}。文件中的列有：{have}",
            field="column",
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def message_of(record: dict[str, Any], text_columns: Sequence[str], where: str) -> Message:
    """The first text column is the title when there are two or more (it gets its own
    features); with one, it is the whole text."""
    values = [_text(record.get(c)) for c in text_columns]
    if sum(len(v) for v in values) > MAX_TEXT_CHARS:
        raise fail("text_too_long", f"{where}：文本超过 {MAX_TEXT_CHARS} 字，请检查是否串列")
    if len(values) == 1:
        return Message.prepared("", values[0])
    return Message.prepared(values[0], "\n".join(v for v in values[1:] if v))


@dataclass
class LabelledFile:
    rows: list[LabelledRow]
    skipped: int  # rows without text or label


def read_labelled(
    path: str | Path, *, text_columns: Sequence[str], label_column: str
) -> LabelledFile:
    if not text_columns:
        raise fail("unknown_column", "请至少指定一个文本列（--text-column）", field="column")
    columns, records = read_records(path)
    check_columns(path, columns, [*text_columns, label_column])
    rows: list[LabelledRow] = []
    skipped = 0
    name = Path(path).name
    for number, record in records:
        message = message_of(record, text_columns, f"{name} 第 {number} 行")
        label = _text(record.get(label_column))
        if message.is_blank() or not label:
            skipped += 1
            continue
        rows.append(LabelledRow(message, label))
    if not rows:
        raise fail("no_rows", f"{name} 中没有同时有文本和标签的行")
    return LabelledFile(rows, skipped)


def fingerprint(
    rows: Iterable[LabelledRow],
    *,
    noisy: Iterable[LabelledRow] = (),
    hints: Iterable[LabelledRow] = (),
) -> str:
    """sha256 of the rows in order (noisy and hint rows marked as such): the same data, the
    same fingerprint, whatever file or query it came from."""
    digest = hashlib.sha256()
    for kind, group in (("gold", rows), ("noisy", noisy), ("hint", hints)):
        for row in group:
            values = [kind, row.message.title, row.message.text, row.label]
            line = json.dumps(values, ensure_ascii=False)
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def taxonomy_hints(paths: Iterable[Sequence[str]], *, level: int = 0) -> list[LabelledRow]:
    """Hint rows for a classifier of the taxonomy's `level` (0 = first): one per category
    path (一级, 二级, 三级 names), labelled with its name at `level`, the deepest name as
    title and the names below `level` as text (the label's own name at the deepest level).
    A path too short for `level`, or with a blank name there, is skipped."""
    rows: list[LabelledRow] = []
    for path in paths:
        names = [_text(n) for n in path]
        if len(names) <= level or not names[level]:
            continue
        below = [n for n in names[level + 1 :] if n] or [names[level]]
        rows.append(hint_row(below, names[level]))
    return rows


def hint_row(below: Sequence[str], label: str) -> LabelledRow:
    """One hint row: the names below the label's level, the deepest as title."""
    return LabelledRow(Message.prepared(below[-1], " ".join(below)), label)
