"""The gazetteer (read from the data file, no database) and the parser's index."""

from __future__ import annotations

from pathlib import Path

import pytest

from hongmian.geo.lexicon import Form, Kind, build_lexicon, lexicon
from hongmian.geo.selectors import (
    CITY_CODE,
    division_short_name,
    gazetteer,
    read_divisions_csv,
)
from hongmian.geo.states import DivisionLevel


def test_the_whole_city_is_there() -> None:
    gaz = gazetteer()
    assert len(gaz.entries) == 190
    assert gaz.by_code[CITY_CODE].level == DivisionLevel.CITY
    assert len(gaz.districts()) == 11
    assert len(gaz.townships()) == 178
    assert {e.level for e in gaz.townships()} == {
        DivisionLevel.STREET,
        DivisionLevel.TOWN,
        DivisionLevel.SPECIAL,
    }


def test_codes_and_parents() -> None:
    gaz = gazetteer()
    for entry in gaz.entries:
        assert len(entry.code) == 9
        assert entry.code.isdigit()
        if entry.level == DivisionLevel.DISTRICT:
            assert entry.parent_code == CITY_CODE
        elif entry.level != DivisionLevel.CITY:
            assert entry.parent_code == entry.district_code
    assert [e.name for e in gaz.children("440106000")][:2] == ["五山街道", "员村街道"]


def test_read_once_per_process() -> None:
    assert gazetteer() is gazetteer()
    assert lexicon() is lexicon()


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("天河区", "district", "天河"),
        ("石牌街道", "street", "石牌"),
        ("人和镇", "town", "人和"),
        ("梅花村街道", "street", "梅花村"),
        ("黄龙带水库", "special", "黄龙带水库"),
        ("广州市", "city", "广州"),
    ],
)
def test_short_names(name: str, level: str, short: str) -> None:
    assert division_short_name(name, level) == short
    assert any(e.short_name == short for e in gazetteer().entries if e.name == name)


def test_a_broken_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "divisions.csv"
    bad.write_text(
        "code,name,level,parent_code\n440100000,广州市,city,\n440106001,石牌街道,street,440106000\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="parent"):
        read_divisions_csv(bad)


def test_the_index_settles_shared_names() -> None:
    lex = build_lexicon()
    kinds = {(r.kind, r.form) for r in lex.surfaces["黄埔"]}
    assert kinds == {(Kind.DISTRICT, Form.SHORT)}  # the district, not 黄埔街道
    assert {r.street for r in lex.surfaces["新塘"]} == {"440106022", "440118101"}
    assert all(r.needs_context for r in lex.surfaces["新塘"])
    assert [r.kind for r in lex.surfaces["白云区"]] == [Kind.DISTRICT]  # not 贵阳's
    assert [r.kind for r in lex.surfaces["朝阳区"]] == [Kind.FOREIGN]
    assert [r.kind for r in lex.surfaces["黄埔大道"]] == [Kind.NEUTRAL]
    assert "北京" not in {
        s for s, rs in lex.surfaces.items() if Kind.FOREIGN in {r.kind for r in rs}
    }


def test_namesakes_elsewhere_lower_confidence() -> None:
    lex = lexicon()
    (taiping,) = lex.surfaces["太平镇"]  # dozens of 太平镇 in China
    (chebei,) = lex.surfaces["车陂街道"]  # only Guangzhou's
    assert taiping.confidence < chebei.confidence
