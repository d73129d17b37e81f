"""Labelled messages from files (CSV, XLSX, JSONL, read by `hongmian.core.tables`). A file
that cannot be read as asked is a TableError (table.*: the file, a missing column with the
columns the file has, a bad line); a problem with what it says is a ClassifierError."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed
from hongmian.core.tables import Row, open_table
from hongmian.insights.classifier.messages import Message

# A training or prediction file bigger than this is refused before it is read.
MAX_FILE_BYTES = 500 * 1024 * 1024
# One message's title + text beyond this is refused (a paste of a whole document, a
# binary file read as text): the features read far less, and nothing that long is a message.
MAX_TEXT_CHARS = 20_000


class ClassifierError(ValidationFailed):
    """Bad input to a classifier (columns to use, text, model, label set): 422 with a code
    `classifier.*` and a message that says what to do."""

    default_code = "classifier.invalid"


@dataclass(frozen=True, slots=True)
class LabelledRow:
    message: Message
    label: str


def fail(code: str, message: str, field: str = "input") -> ClassifierError:
    return ClassifierError(message, code=f"classifier.{code}", fields={field: [message]})


def read_records(
    path: str | Path, *, required: Sequence[str] = ()
) -> tuple[list[str], Iterator[Row]]:
    """The file's columns and its rows, (line, {column: value}), as they are read (the
    platform's table reader: CSV in UTF-8 or GB18030, XLSX, JSONL)."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
        raise fail(
            "file_too_large",
            gettext("文件超过 %(value0)s MB：%(path)s")
            % {"value0": MAX_FILE_BYTES // 1024 // 1024, "path": path},
        )
    table = open_table(path, required=required)
    return list(table.columns), iter(table)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def message_of(record: Mapping[str, Any], text_columns: Sequence[str], where: str) -> Message:
    """The first text column is the title when there are two or more (it gets its own
    features); with one, it is the whole text."""
    values = [_text(record.get(c)) for c in text_columns]
    if sum(len(v) for v in values) > MAX_TEXT_CHARS:
        raise fail(
            "text_too_long",
            gettext("%(where)s：文本超过 %(MAX_TEXT_CHARS)s 字，请检查是否串列")
            % {"where": where, "MAX_TEXT_CHARS": MAX_TEXT_CHARS},
        )
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
        raise fail(
            "unknown_column", gettext("请至少指定一个文本列（--text-column）"), field="column"
        )
    _columns, records = read_records(path, required=[*text_columns, label_column])
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
        raise fail("no_rows", gettext("%(name)s 中没有同时有文本和标签的行") % {"name": name})
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
