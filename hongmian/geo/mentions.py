"""Where a text repeats a known address: the spans of `text` that name the door of
`address` (the road or estate and its number), in whatever form the text writes them.

A confidential caller's order hides their address from the handling units, and the caller
often repeats it in their own words ("我住华师路１号3栋", "華師路一號"): the hotline masks
those spans too (hotline.selectors.access_work_order, decision 0074). The area — district,
street, town — is left: a unit needs it to act, and it is what `core.masking.mask_address`
keeps of the address itself.

How: the address is read with the parser's lexicon, and the administrative names at its
start (广州市, 天河区, 石牌街道 and their short forms: "石牌华师路") are the area; what
follows is the door. Its name (the leading non-digits: 华师路, 华景新城) is looked for in the
text after the same normalisation the parser uses (full-width → half-width, traditional →
simplified), and each occurrence is extended over the house number that follows it (digits
or Chinese numerals, 号 栋 座 楼 室 单元 …).
"""

from __future__ import annotations

import re
import unicodedata

from hongmian.core.text import to_simplified
from hongmian.geo.address import _cover
from hongmian.geo.lexicon import Kind, lexicon

# The area's kinds: what the unit needs and the mask keeps.
_AREA_KINDS = frozenset({Kind.DISTRICT, Kind.TOWNSHIP, Kind.HOME})
# What may follow a door's name as its number: 1号, 一号, 3栋201室, 18座-2, 之三, 东侧.
_NUMBER = re.compile(r"[0-9零〇一二三四五六七八九十百两号號栋棟座幢楼樓层室房单元户之\-－#]+")
# A name shorter than this says too little to be the caller's door (and masks words).
_MIN_NAME = 2
# Suffixes that end an administrative part written out in full ("…街道", "…镇").
_ADMIN_SUFFIX = re.compile(r"^(省|市|区|县|街道|街|镇|乡)")


def _normalized(text: str) -> tuple[str, list[int]]:
    """`text` normalised one character at a time, with each output character's index in
    `text` (NFKC may turn one character into several, never the other way)."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for n in to_simplified(unicodedata.normalize("NFKC", ch)):
            out.append(n)
            where.append(i)
    return "".join(out), where


def address_door(address: str) -> str:
    """The door part of `address` (normalised): what follows its leading area names.
    Empty when the address is only an area."""
    s = _normalized(address)[0].replace(" ", "")
    end = 0
    for token in _cover(s, lexicon()):
        if token.start > end:
            break
        if not any(r.kind in _AREA_KINDS for r in token.readings):
            break
        end = token.end
        # A short name written with its suffix (石牌 + 街道) is area to the suffix's end.
        suffix = _ADMIN_SUFFIX.match(s[end:])
        if suffix is not None:
            end += suffix.end()
    return s[end:]


def door_name(address: str) -> str:
    """The name of the door (the road or estate without its number): 华师路 of 华师路1号."""
    door = address_door(address)
    found = re.match(r"[^0-9零〇一二三四五六七八九十百两]+", door)
    return found.group(0) if found else ""


def address_mentions(text: str, address: str) -> list[tuple[int, int]]:
    """The [start, end) spans of `text` (indices into `text` as given) that repeat the door
    of `address`, each with the number written after it. Empty when the address has no
    door or the text does not name it."""
    name = door_name(address)
    if len(name) < _MIN_NAME or not text:
        return []
    norm, where = _normalized(text)
    spans: list[tuple[int, int]] = []
    for found in re.finditer(re.escape(name), norm):
        end = found.end()
        number = _NUMBER.match(norm, end)
        if number is not None:
            end = number.end()
        spans.append((where[found.start()], where[end - 1] + 1))
    return spans
