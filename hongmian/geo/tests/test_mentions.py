"""The door of an address found in a text in other forms (geo.mentions)."""

from __future__ import annotations

import pytest

from hongmian.core.masking import mask_spans
from hongmian.geo.mentions import address_door, address_mentions


@pytest.mark.parametrize(
    ("address", "door"),
    [
        ("广州市天河区石牌街道华师路1号", "华师路1号"),
        ("天河区石牌华师路1号", "华师路1号"),  # the township's short name is still area
        ("番禺区大石街道华景新城18栋", "华景新城18栋"),
        ("广州市天河区", ""),
    ],
)
def test_the_door_is_what_follows_the_area(address: str, door: str) -> None:
    assert address_door(address) == door


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我住天河区華師路１號3栋201，楼下吵", "我住天河区****，楼下吵"),
        ("华师路一号门口堆满垃圾", "****门口堆满垃圾"),
        ("华师路上的路灯坏了", "****上的路灯坏了"),  # the road alone is the door's name too
        ("石牌街道的路灯坏了", "石牌街道的路灯坏了"),  # the area stays
    ],
)
def test_each_form_of_the_door_is_masked(text: str, masked: str) -> None:
    spans = address_mentions(text, "广州市天河区石牌街道华师路1号")
    assert mask_spans(text, spans) == masked


def test_an_address_without_a_door_finds_nothing() -> None:
    assert address_mentions("天河区很吵", "广州市天河区") == []
    assert address_mentions("", "广州市天河区石牌街道华师路1号") == []
