"""Masking of personal data for roles that do not need to see it in full."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re


def mask_resident_id(value: str | None) -> str:
    """440106199001011234 → 4401**********1234."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str | None) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; a Latin name keeps its first letter."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"


def mask_address(value: str | None) -> str:
    """广州市天河区石牌街道华师路1号 → 广州市天河区石牌街道****: the area stays, the door goes."""
    if not value:
        return ""
    match = None
    for m in re.finditer(r"(省|自治区|市|区|县|街道|镇|乡)", value):
        match = m
    if match is None or match.end() == len(value):
        return value[: min(2, len(value))] + "****" if match is None else value
    return value[: match.end()] + "****"


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each [start, end) span replaced by ****: a door number repeated inside a
    free text, found by whoever knows what to look for (geo.mentions.address_mentions)."""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if end <= at:
            continue
        out.append(text[at : max(at, start)])
        out.append("****")
        at = end
    out.append(text[at:])
    return "".join(out)


def mask_credit_code(value: str | None) -> str:
    """Enterprise codes are public record, but contacts are masked the same way as IDs."""
    return mask_resident_id(value)


# --- de-identification techniques of GB/T 37964-2019 (the data hub's sharing, decision 0081) --


def generalise_date(value: dt.date | dt.datetime | str | None) -> str | None:
    """A date or moment to its month (泛化): 2024-03-17 → "2024-03"."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value)
    return text[:7] if re.match(r"^\d{4}-\d{2}", text) else None


def generalise_number(value: float | int | str | None) -> str | None:
    """A number to the decade-sized range it falls in (泛化): 7 → "0–9", 1234 → "1000–1999",
    -35 → "-39–-30". The width is the power of ten below the number's magnitude (at least 10),
    so small counts stay useful and large amounts say only their order."""
    if value is None or value == "":
        return None
    try:
        whole = int(float(value))
    except (TypeError, ValueError):
        return None
    width = max(10, 10 ** (len(str(abs(whole))) - 1))
    low = (abs(whole) // width) * width
    if whole < 0:
        return f"-{low + width - 1}–-{low}"
    return f"{low}–{low + width - 1}"


def pseudonym(value: object, key: bytes) -> str | None:
    """A keyed pseudonym (假名化, HMAC-SHA-256) of `value`: the same value and key always give
    the same pseudonym, another key another one, and without the key an 18-digit ID number
    cannot be found by hashing every candidate."""
    if value is None or value == "":
        return None
    digest = hmac.new(key, str(value).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:15]).decode().lower()


__all__ = [
    "generalise_date",
    "generalise_number",
    "mask_address",
    "mask_credit_code",
    "mask_mobile",
    "mask_name",
    "mask_resident_id",
    "pseudonym",
]
