"""The Profile the generator samples from, and `build_profile`, which makes it.

`build_profile` reads the district and street divisions from the geo app's CSV and turns the
modelling figures (`assumptions`) and the category taxonomy (`taxonomy`) into numpy arrays
indexed by code position, with each handling unit's quality drawn from the seed; the
generator's worker processes receive the built Profile and never import Django. The figures
and the taxonomy are re-exported here, so `profiles.X` reaches every one of them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hongmian.analytics.history.assumptions import (
    ACK_LIMIT_EMERGENCY_H,
    ACK_LIMIT_H,
    ANNUAL_GROWTH,
    ARCHIVE_AFTER_DAYS,
    BASIC_SHARE_OF_REST,
    CALLBACK_DELAY_MEDIAN_H,
    CALLBACK_REACHED,
    CHANNEL_MIX_2021,
    CHANNEL_MIX_2026,
    CHANNELS,
    DIRECT_ANSWER_BY_TYPE,
    DISPATCH_DELAY_MEDIAN_MIN,
    DISTRICT_POPULATION,
    EMERGENCY_BACKGROUND_SHARE,
    EMERGENCY_DAYS,
    EMERGENCY_EPISODES_PER_YEAR,
    EMERGENCY_SHARE_IN_EPISODE,
    EXTENSION_H,
    HOURS_WEEKEND,
    HOURS_WORKDAY,
    NATIONAL_DAY_FACTOR,
    NO_DISTRICT_SHARE,
    REOPEN_EXTRA_H,
    REOPEN_OF_DISSATISFIED,
    REQUEST_TYPES,
    RESOLUTION_LIMIT_EMERGENCY_H,
    RESOLUTION_LIMIT_H,
    SATISFIED_BASE,
    SATISFIED_PER_QUALITY,
    SEASONS,
    SPRING_FESTIVAL_FACTOR,
    SPRING_FESTIVALS,
    SURGE_DAYS,
    SURGE_FACTOR,
    SURGES_PER_YEAR,
    TYPE_MIXES,
    WEEKDAY_FACTORS,
)
from hongmian.analytics.history.taxonomy import L2, TAXONOMY

DIVISIONS_CSV = Path(__file__).resolve().parents[2] / "geo" / "data" / "guangzhou_divisions.csv"


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything the generator samples from, as arrays indexed by code position."""

    # Categories: one row per l2; l1 and l3 labels by position.
    l1_codes: list[str]
    l1_names: list[str]
    l2_codes: list[str]
    l2_names: list[str]
    l2_l1: np.ndarray  # l2 → index into l1_*
    l2_weight: np.ndarray
    l2_season: np.ndarray  # (n_l2, 12)
    l2_types: np.ndarray  # (n_l2, 6) cumulative
    l2_enterprise: np.ndarray
    l2_answerable: np.ndarray
    l2_surges: np.ndarray  # bool
    l2_handler: np.ndarray  # ≥0 unit index; -1 street office; -2 district government
    l3_codes: list[str]
    l3_names: list[str]
    l2_l3_start: np.ndarray  # first l3 index of each l2
    l2_l3_count: np.ndarray
    # Areas.
    district_codes: list[str]  # 9-digit
    district_cum: np.ndarray  # cumulative population weights
    street_codes: list[str]
    district_street_start: np.ndarray
    district_street_count: np.ndarray
    # Units: the first ones are departments/utilities, then districts, then streets.
    unit_codes: list[str]
    unit_names: list[str]
    district_unit: np.ndarray  # district index → unit index
    street_unit: np.ndarray  # street index → unit index
    department_units: np.ndarray  # units a mis-dispatch may land on first
    unit_quality: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Who gets area-bound orders (noise, litter, building) whose address names no district:
    # the city's urban management bureau (城管).
    fallback_unit: int = 0


def _divisions() -> list[dict[str, str]]:
    with DIVISIONS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def build_profile(*, seed: int, unit_names: dict[str, str]) -> Profile:
    """Arrays for the generator. `unit_names` maps unit codes (identity demo codes: gz-water,
    gz-440106, gz-440106006 …) to names; units' quality is drawn from `seed`."""
    rows = _divisions()
    districts = [r for r in rows if r["level"] == "district"]
    district_codes = [r["code"] for r in districts]
    pops = np.array([DISTRICT_POPULATION[c[:6]] for c in district_codes])
    street_codes: list[str] = []
    starts, counts = [], []
    for d in district_codes:
        mine = [r["code"] for r in rows if r["parent_code"] == d and r["level"] != "district"]
        starts.append(len(street_codes))
        counts.append(len(mine))
        street_codes += mine

    handlers = sorted({l2.handler for _, _, l2s in TAXONOMY for l2 in l2s} - {"street", "district"})
    misdispatch = [c for c in ("gz-urban", "gz-housing", "gz-eco", "gz-water") if c in unit_names]
    departments = list(dict.fromkeys([*handlers, *misdispatch]))
    unit_codes = [*departments]
    district_unit = []
    for d in district_codes:
        district_unit.append(len(unit_codes))
        unit_codes.append(f"gz-{d[:6]}")
    street_unit = []
    for s in street_codes:
        street_unit.append(len(unit_codes))
        unit_codes.append(f"gz-{s}")
    missing = [c for c in unit_codes if c not in unit_names]
    if missing:
        raise ValueError(f"unit names missing for {missing[:5]}")
    unit_index = {c: i for i, c in enumerate(unit_codes)}

    l1_codes: list[str] = []
    l1_names: list[str] = []
    l2s: list[L2] = []
    l2_l1: list[int] = []
    for i, (code, name, children) in enumerate(TAXONOMY):
        l1_codes.append(code)
        l1_names.append(name)
        for l2 in children:
            l2s.append(l2)
            l2_l1.append(i)
    l3_codes: list[str] = []
    l3_names: list[str] = []
    l3_start: list[int] = []
    l3_count: list[int] = []
    for l2 in l2s:
        l3_start.append(len(l3_codes))
        l3_count.append(len(l2.l3))
        for j, name in enumerate(l2.l3, start=1):
            l3_codes.append(f"{l2.code}{j:02d}")
            l3_names.append(name)
    handler = [
        -1 if l2.handler == "street" else -2 if l2.handler == "district" else unit_index[l2.handler]
        for l2 in l2s
    ]
    # Quality in (0, 1): most units are decent, a few are poor, a few excellent.
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC0DE]))
    quality = rng.beta(5.0, 2.0, size=len(unit_codes))
    return Profile(
        l1_codes=l1_codes,
        l1_names=l1_names,
        l2_codes=[l2.code for l2 in l2s],
        l2_names=[l2.name for l2 in l2s],
        l2_l1=np.array(l2_l1, dtype=np.int32),
        l2_weight=np.array([l2.weight for l2 in l2s]),
        l2_season=np.array([SEASONS[l2.season] for l2 in l2s]),
        l2_types=np.cumsum(np.array([TYPE_MIXES[l2.types] for l2 in l2s]), axis=1),
        l2_enterprise=np.array([l2.enterprise for l2 in l2s]),
        l2_answerable=np.array([l2.answerable for l2 in l2s]),
        l2_surges=np.array([l2.surges for l2 in l2s]),
        l2_handler=np.array(handler, dtype=np.int32),
        l3_codes=l3_codes,
        l3_names=l3_names,
        l2_l3_start=np.array(l3_start, dtype=np.int32),
        l2_l3_count=np.array(l3_count, dtype=np.int32),
        district_codes=district_codes,
        district_cum=np.cumsum(pops / pops.sum()),
        street_codes=street_codes,
        district_street_start=np.array(starts, dtype=np.int32),
        district_street_count=np.array(counts, dtype=np.int32),
        unit_codes=unit_codes,
        unit_names=[unit_names[c] for c in unit_codes],
        district_unit=np.array(district_unit, dtype=np.int32),
        street_unit=np.array(street_unit, dtype=np.int32),
        department_units=np.array([unit_index[c] for c in departments], dtype=np.int32),
        unit_quality=quality,
        fallback_unit=unit_index.get("gz-urban", 0),
    )


def demo_unit_names() -> dict[str, str]:
    """Unit names from the identity app's demo tree (needs Django's app registry)."""
    from hongmian.identity.demo import unit_specs

    return {spec.code: spec.name for spec in unit_specs()}


__all__ = [
    "ACK_LIMIT_EMERGENCY_H",
    "ACK_LIMIT_H",
    "ANNUAL_GROWTH",
    "ARCHIVE_AFTER_DAYS",
    "BASIC_SHARE_OF_REST",
    "CALLBACK_DELAY_MEDIAN_H",
    "CALLBACK_REACHED",
    "CHANNELS",
    "CHANNEL_MIX_2021",
    "CHANNEL_MIX_2026",
    "DIRECT_ANSWER_BY_TYPE",
    "DISPATCH_DELAY_MEDIAN_MIN",
    "DISTRICT_POPULATION",
    "DIVISIONS_CSV",
    "EMERGENCY_BACKGROUND_SHARE",
    "EMERGENCY_DAYS",
    "EMERGENCY_EPISODES_PER_YEAR",
    "EMERGENCY_SHARE_IN_EPISODE",
    "EXTENSION_H",
    "HOURS_WEEKEND",
    "HOURS_WORKDAY",
    "L2",
    "NATIONAL_DAY_FACTOR",
    "NO_DISTRICT_SHARE",
    "REOPEN_EXTRA_H",
    "REOPEN_OF_DISSATISFIED",
    "REQUEST_TYPES",
    "RESOLUTION_LIMIT_EMERGENCY_H",
    "RESOLUTION_LIMIT_H",
    "SATISFIED_BASE",
    "SATISFIED_PER_QUALITY",
    "SEASONS",
    "SPRING_FESTIVALS",
    "SPRING_FESTIVAL_FACTOR",
    "SURGES_PER_YEAR",
    "SURGE_DAYS",
    "SURGE_FACTOR",
    "TAXONOMY",
    "TYPE_MIXES",
    "WEEKDAY_FACTORS",
    "Profile",
    "build_profile",
    "demo_unit_names",
]
