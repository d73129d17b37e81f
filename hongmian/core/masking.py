"""Masking of personal data for roles that do not need to see it in full."""

from __future__ import annotations

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


__all__ = ["mask_address", "mask_credit_code", "mask_mobile", "mask_name", "mask_resident_id"]
