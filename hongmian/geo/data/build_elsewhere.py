"""Derive `elsewhere.csv` — names of places outside Guangzhou — from a national division list.

    .venv/bin/python hongmian/geo/data/build_elsewhere.py DIR

DIR holds provinces.csv (code,name), cities.csv (code,name,provinceCode), areas.csv
(code,name,cityCode,…) and streets.csv (code,name,areaCode,…), as published in the common
open "administrative divisions of China" lists. Only names are kept, never other columns.

The address parser reads the result to tell "another city" from Guangzhou (a province, a
prefecture city or a county-level area named in the text) and to know how many townships
elsewhere share a Guangzhou township's name (which lowers its confidence).
"""

from __future__ import annotations

import collections
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUANGZHOU_PREFIX = "4401"
# County-level names that are also ordinary words in a Guangzhou address ("老城区", "矿区"):
# as markers of another city they would throw away real Guangzhou addresses.
GENERIC_AREAS = frozenset(
    [
        "城区",
        "郊区",
        "矿区",
        "东区",
        "西区",
        "市中区",
        "市南区",
        "市北区",
        "新城区",
        "老城区",
        "城中区",
        "城东区",
        "城西区",
        "城北区",
        "城关区",
        "城厢区",
    ]
)
_TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")


def _names(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _short(name: str) -> str:
    for suffix in _TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def build(source: Path) -> list[tuple[str, str, int]]:
    gz = _names(HERE / "guangzhou_divisions.csv")
    gz_townships = [r["name"] for r in gz if r["level"] in ("street", "town", "special")]
    rows: list[tuple[str, str, int]] = []

    provinces = collections.Counter(r["name"] for r in _names(source / "provinces.csv"))
    rows += [(n, "province", c) for n, c in sorted(provinces.items()) if n != "广东省"]

    cities = collections.Counter(
        r["name"]
        for r in _names(source / "cities.csv")
        if not r["code"].startswith(GUANGZHOU_PREFIX)
        and r["name"].endswith(("市", "州", "盟"))
        # "市辖区", "省直辖县级行政区划" and the like are headings, not places.
        and "辖" not in r["name"]
    )
    rows += [(n, "city", c) for n, c in sorted(cities.items()) if n != "广州市"]

    areas = collections.Counter(
        r["name"]
        for r in _names(source / "areas.csv")
        if not r["code"].startswith(GUANGZHOU_PREFIX)
    )
    rows += [
        (n, "county", c)
        for n, c in sorted(areas.items())
        # A name Guangzhou shares (贵阳's 白云区) is kept: the parser counts it as a namesake.
        if n not in GENERIC_AREAS and "辖" not in n
    ]

    streets = [
        r["name"]
        for r in _names(source / "streets.csv")
        if not r["code"].startswith(GUANGZHOU_PREFIX)
    ]
    full = collections.Counter(streets)
    short = collections.Counter(_short(n) for n in streets)
    for name in gz_townships:
        if full[name]:
            rows.append((name, "township", full[name]))
        if _short(name) != name and short[_short(name)]:
            rows.append((_short(name), "township_short", short[_short(name)]))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = build(Path(argv[1]))
    with (HERE / "elsewhere.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["name", "kind", "count"])
        writer.writerows(rows)
    print(f"elsewhere.csv: {len(rows)} names")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
