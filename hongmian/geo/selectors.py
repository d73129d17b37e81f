"""Reads of the geo app: divisions from the database, and the gazetteer from the data file.

The gazetteer is the same list of divisions read straight from
`data/guangzhou_divisions.csv`, once per process. The address parser uses it, so parsing
needs no database (and works in tests that run without migrations).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from django.db.models import QuerySet
from django.utils.translation import gettext

from hongmian.core.errors import NotFound
from hongmian.geo.models import Division
from hongmian.geo.states import DivisionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_CSV = DATA_DIR / "guangzhou_divisions.csv"
CITY_CODE = "440100000"

# The suffix that names each level; the short name is the name without it.
_LEVEL_SUFFIXES = {
    DivisionLevel.CITY: "市",
    DivisionLevel.DISTRICT: "区",
    DivisionLevel.STREET: "街道",
    DivisionLevel.TOWN: "镇",
}


def division_short_name(name: str, level: str) -> str:
    """天河区 → 天河, 石牌街道 → 石牌, 人和镇 → 人和. Special units (黄龙带水库) keep their
    name: it has no level suffix to drop."""
    suffix = _LEVEL_SUFFIXES.get(DivisionLevel(level), "")
    if suffix and name.endswith(suffix) and len(name) > len(suffix) + 1:
        return name[: -len(suffix)]
    return name


# --- database ------------------------------------------------------------------------------


def division_get(code: str) -> Division:
    division = Division.objects.select_related("parent").filter(code=code).first()
    if division is None:
        raise NotFound(gettext("行政区划不存在"), code="division.not_found")
    return division


def division_children(code: str) -> QuerySet[Division]:
    """The divisions directly below `code` (districts of the city, townships of a district)."""
    parent = division_get(code)
    return Division.objects.filter(parent=parent).order_by("code")


def district_list() -> QuerySet[Division]:
    return Division.objects.filter(level=DivisionLevel.DISTRICT).order_by("code")


# --- gazetteer (data file) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    code: str
    name: str
    short_name: str
    level: DivisionLevel
    parent_code: str | None

    @property
    def district_code(self) -> str | None:
        """The district this unit is in (itself for a district; None for the city)."""
        if self.level == DivisionLevel.CITY:
            return None
        return self.code[:6] + "000"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    entries: tuple[GazetteerEntry, ...]  # parents before children, as in the file
    by_code: dict[str, GazetteerEntry]

    def districts(self) -> list[GazetteerEntry]:
        return [e for e in self.entries if e.level == DivisionLevel.DISTRICT]

    def townships(self) -> list[GazetteerEntry]:
        return [
            e for e in self.entries if e.level not in (DivisionLevel.CITY, DivisionLevel.DISTRICT)
        ]

    def children(self, code: str) -> list[GazetteerEntry]:
        return [e for e in self.entries if e.parent_code == code]


def read_divisions_csv(path: Path = DIVISIONS_CSV) -> Gazetteer:
    """Parse the divisions file, checking what the rest of the app relies on: 9-digit unique
    codes, known levels, and every parent listed before its children."""
    entries: list[GazetteerEntry] = []
    by_code: dict[str, GazetteerEntry] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            code, name, parent = row["code"].strip(), row["name"].strip(), row["parent_code"]
            level = DivisionLevel(row["level"].strip())
            parent_code = parent.strip() or None
            if not (len(code) == 9 and code.isdigit()) or code in by_code:
                raise ValueError(f"{path.name}:{line}: bad or repeated code {code!r}")
            if (parent_code is None) != (level == DivisionLevel.CITY) or (
                parent_code is not None and parent_code not in by_code
            ):
                raise ValueError(f"{path.name}:{line}: parent {parent_code!r} of {code} unknown")
            entry = GazetteerEntry(code, name, division_short_name(name, level), level, parent_code)
            entries.append(entry)
            by_code[code] = entry
    return Gazetteer(tuple(entries), by_code)


@functools.cache
def gazetteer() -> Gazetteer:
    """The divisions of the data file, read once per process."""
    return read_divisions_csv()
