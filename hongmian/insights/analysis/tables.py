"""The files that the insight commands take (read by `hongmian.core.tables`): columns named
by the user, times in the formats that message-board and hotline exports use.

Every problem with a file is a `TableError` whose message (in Chinese, like every command's)
says what to fix: an unknown column names the option and lists the columns the file has, an
unreadable time names its line and value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from hongmian.core.tables import Row, TableError
from hongmian.core.tables import read_table as read_rows

# Exports name local (Asia/Shanghai) times unless a value carries its own offset.
LOCAL = ZoneInfo("Asia/Shanghai")

# 2019/2/28 11:25:05 · 2019-12-20 14:06:19 · 2019-12-20T14:06 · 2019年2月28日 11:25 —
# one or two digits for month, day and hour; seconds and the time itself optional.
_TIME = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)


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
    """The rows of a file, each with the line it starts on (for error messages)."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def require(self, chosen: Mapping[str, str | None]) -> None:
        """Every chosen column (option name → column, None when not given) must exist."""
        unknown = {opt: col for opt, col in chosen.items() if col and col not in self.columns}
        if unknown:
            named = "；".join(
                f"{opt} {col!r}" if opt != col else repr(col) for opt, col in unknown.items()
            )
            raise TableError(
                gettext("%(name)s：没有这一列：%(named)s。文件中的列：%(value2)s")
                % {"name": self.path.name, "named": named, "value2": "、".join(self.columns)},
                code="table.unknown_column",
                name=self.path.name,
                column=next(iter(unknown.values())),
                missing=list(unknown.values()),
                columns=self.columns,
            )

    def _bad(self, line: int, column: str, value: str, reason: str) -> TableError:
        return TableError.bad_row(
            name=self.path.name,
            row=line,
            column=column,
            reason=reason,
            message=f"{self.path.name} 第 {line} 行：列 {column!r} 的值 {value!r} {reason}",
        )

    def times(self, column: str) -> list[dt.datetime]:
        """Every row's time in `column`; the first unreadable one stops with its line."""
        out = []
        for row in self.rows:
            value = row.cell(column)
            try:
                out.append(parse_time(value))
            except ValueError:
                reason = "不是时间（应为 2019/2/28 11:25:05 或 2019-12-20 14:06:19 这样的格式）"
                raise self._bad(row.line, column, value, reason) from None
        return out

    def texts(self, column: str) -> list[str]:
        return [row.text(column) for row in self.rows]

    def numbers(self, column: str) -> list[float]:
        out = []
        for row in self.rows:
            value = row.text(column)
            try:
                out.append(float(value) if value else 0.0)
            except ValueError:
                raise self._bad(row.line, column, value, gettext("不是数字")) from None
        return out


def read_table(path: Path | str, *, required: Sequence[str] = ()) -> Table:
    """The whole file (the platform's table reader: CSV in UTF-8 or GB18030, XLSX, JSONL).
    An empty file, or one with a header and no rows, is a TableError: there is nothing to
    analyse."""
    table = read_rows(path, required=required)
    return Table(Path(path), table.columns, tuple(table.rows))
