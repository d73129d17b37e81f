"""Reading the CSV files that the insight commands take: columns named by the user, times in
the formats that message-board and hotline exports use.

Every problem with a file is a `TableError` whose message (in Chinese, like every command's)
says what to fix: an unknown column lists the columns the file has, an unreadable time
names its line and value.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

# Exports name local (Asia/Shanghai) times unless a value carries its own offset.
LOCAL = ZoneInfo("Asia/Shanghai")

# 2019/2/28 11:25:05 · 2019-12-20 14:06:19 · 2019-12-20T14:06 · 2019年2月28日 11:25 —
# one or two digits for month, day and hour; seconds and the time itself optional.
_TIME = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)


class TableError(ValueError):
    """The file cannot be used as asked; the message says why and what to do."""


def parse_time(value: str) -> dt.datetime:
    """An aware datetime from the formats above; ValueError for anything else."""
    match = _TIME.match(value.strip())
    if match is None:
        raise ValueError(f"unrecognised time {value!r}")
    g = match.groupdict()
    tz: dt.tzinfo = LOCAL
    if g["tz"]:
        tz = dt.UTC if g["tz"] == "Z" else _offset(g["tz"])
    return dt.datetime(
        int(g["y"]),
        int(g["m"]),
        int(g["d"]),
        int(g["H"] or 0),
        int(g["M"] or 0),
        int(g["S"] or 0),
        int((g["f"] or "0").ljust(6, "0")),
        tzinfo=tz,
    )


def _offset(text: str) -> dt.timezone:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


@dataclass(frozen=True, slots=True)
class Table:
    """The rows of a CSV file, each with the line it starts on (for error messages)."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[tuple[int, Mapping[str, str]], ...]

    def require(self, chosen: Mapping[str, str | None]) -> None:
        """Every chosen column (option name → column, None when not given) must exist."""
        unknown = {opt: col for opt, col in chosen.items() if col and col not in self.columns}
        if unknown:
            named = "；".join(
                f"{opt} {col!r}" if opt != col else repr(col) for opt, col in unknown.items()
            )
            raise TableError(
                f"{self.path.name}：没有这一列：{named}。文件中的列：{'、'.join(self.columns)}"
            )

    def times(self, column: str) -> list[dt.datetime]:
        """Every row's time in `column`; the first unreadable one stops with its line."""
        out = []
        for line, row in self.rows:
            value = row.get(column) or ""
            try:
                out.append(parse_time(value))
            except ValueError:
                raise TableError(
                    f"{self.path.name} 第 {line} 行：列 {column!r} 的值 {value!r} 不是时间"
                    "（应为 2019/2/28 11:25:05 或 2019-12-20 14:06:19 这样的格式）"
                ) from None
        return out

    def texts(self, column: str) -> list[str]:
        return [(row.get(column) or "").strip() for _line, row in self.rows]

    def numbers(self, column: str) -> list[float]:
        out = []
        for line, row in self.rows:
            value = (row.get(column) or "").strip()
            try:
                out.append(float(value) if value else 0.0)
            except ValueError:
                raise TableError(
                    f"{self.path.name} 第 {line} 行：列 {column!r} 的值 {value!r} 不是数字"
                ) from None
        return out


def read_table(path: Path | str, *, required: Sequence[str] = ()) -> Table:
    """The whole file (UTF-8, a BOM is fine). An empty file, or one with a header and no
    rows, is a TableError: there is nothing to analyse."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}：文件不存在")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = tuple(c.strip() for c in (reader.fieldnames or []))
            if not columns:
                raise TableError(f"{path.name}：文件是空的（没有表头）")
            reader.fieldnames = list(columns)
            rows = []
            start = reader.line_num + 1
            for row in reader:
                rows.append((start, {k: v for k, v in row.items() if k is not None}))
                start = reader.line_num + 1
    except UnicodeDecodeError:
        raise TableError(f"{path.name}：不是 UTF-8 编码的文本（请另存为 UTF-8 CSV）") from None
    except csv.Error as exc:
        raise TableError(f"{path.name}：无法按 CSV 读取（{exc}）") from None
    table = Table(path, columns, tuple(rows))
    table.require({c: c for c in required})
    if not rows:
        raise TableError(f"{path.name}：只有表头，没有数据行")
    return table
