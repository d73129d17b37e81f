"""Which de-identification technique (GB/T 37964-2019) each field gets when its rows leave
the hub for another department, decided by the field's grade (GB/T 43697) and its
personal-data flag. The techniques themselves are core/masking.py's; this module only picks
one per field and applies the plan to rows (decision 0081).

- 核心 (core) fields are suppressed unless the grant names them explicitly (`core_granted`).
- A personal date (a birth date) and any important-grade date or moment → its month.
- A personal number and any important-grade number → its range.
- An address (a field whose name, title or classification says so) that is personal or
  important → its district, through hongmian/geo's address parser.
- Any other personal field (name, phone, ID number) → a pseudonym keyed per consumer, so two
  departments get different pseudonyms for one person and cannot join on them, while one
  department's pseudonyms stay stable across calls and datasets.
- Everything else is returned as stored. The provider reads its own rows unmasked.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from hongmian.core.masking import generalise_date, generalise_number, pseudonym
from hongmian.datahub.models import DatasetField
from hongmian.datahub.states import Grade
from hongmian.geo.address import parse_address


class Technique(enum.StrEnum):
    KEEP = "keep"  # as stored
    SUPPRESS = "suppress"  # 抑制: the field is left out
    MONTH = "month"  # 泛化: a date or moment to its month
    RANGE = "range"  # 泛化: a number to its range
    DISTRICT = "district"  # 泛化: an address to its district
    PSEUDONYM = "pseudonym"  # 假名化: HMAC with the consumer's key


_DATES = frozenset({"date", "datetime", "yearmonth"})
_NUMBERS = frozenset({"integer", "number"})


def is_address(field: DatasetField) -> bool:
    text = f"{field.classification} {field.title}"
    return "地址" in text or "住址" in text or "address" in field.name.lower()


def technique_for(field: DatasetField, *, core_granted: bool) -> Technique:
    if field.grade == Grade.CORE and not core_granted:
        return Technique.SUPPRESS
    sensitive = field.personal or field.grade != Grade.GENERAL
    if not sensitive:
        return Technique.KEEP
    if field.type in _DATES:
        return Technique.MONTH
    if field.type in _NUMBERS:
        return Technique.RANGE
    if is_address(field):
        return Technique.DISTRICT
    return Technique.PSEUDONYM if field.personal else Technique.KEEP


@dataclass(frozen=True, slots=True)
class MaskPlan:
    techniques: dict[str, Technique]  # every field asked for, suppressed ones included
    key: bytes  # the consumer's pseudonym key

    @property
    def returned(self) -> list[str]:
        return [n for n, t in self.techniques.items() if t != Technique.SUPPRESS]

    @property
    def suppressed(self) -> list[str]:
        return [n for n, t in self.techniques.items() if t == Technique.SUPPRESS]


def consumer_key(consumer_code: str) -> bytes:
    """The consumer unit's pseudonym key, derived from HONGMIAN_DATAHUB_PSEUDONYM_KEY (the
    SECRET_KEY by default) and the unit's code: nothing to store, nothing to hand out, and a
    new secret re-keys every consumer at once."""
    secret: str = getattr(settings, "HONGMIAN_DATAHUB_PSEUDONYM_KEY", "") or settings.SECRET_KEY
    message = f"hongmian.datahub.pseudonym:{consumer_code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def mask_plan(
    fields: Iterable[DatasetField],
    *,
    core_granted: Iterable[str] = (),
    consumer_code: str,
    own: bool = False,
) -> MaskPlan:
    granted = set(core_granted)
    techniques = {
        f.name: Technique.KEEP if own else technique_for(f, core_granted=f.name in granted)
        for f in fields
    }
    return MaskPlan(techniques=techniques, key=consumer_key(consumer_code))


def _district(value: Any) -> str | None:
    if value is None or value == "":
        return None
    place = parse_address(str(value)).district
    return place.name if place else None


def _mask(technique: Technique, value: Any, key: bytes) -> Any:
    if technique == Technique.MONTH:
        return generalise_date(value)
    if technique == Technique.RANGE:
        return generalise_number(value)
    if technique == Technique.DISTRICT:
        return _district(value)
    if technique == Technique.PSEUDONYM:
        return pseudonym(value, key)
    return value


def apply_plan(plan: MaskPlan, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each row with only the returned fields, each masked by its technique."""
    names = plan.returned
    return [{n: _mask(plan.techniques[n], row.get(n), plan.key) for n in names} for row in rows]
