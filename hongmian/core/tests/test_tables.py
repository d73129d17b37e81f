"""The one table reader: encodings, formats, columns, row numbers, errors and streaming."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hongmian.core import tables
from hongmian.core.errors import ValidationFailed
from hongmian.core.tables import Row, TableError, detect_encoding, open_table, read_table

TEXT = "编号,标题,内容\n1,小区停水,今天早上小区突然停水了\n2,噪音扰民,工地夜间施工\n"


def _rows(table_rows: list[Row]) -> list[tuple[int, dict[str, object]]]:
    return [(r.line, dict(r.values)) for r in table_rows]


EXPECTED = [
    (2, {"编号": "1", "标题": "小区停水", "内容": "今天早上小区突然停水了"}),
    (3, {"编号": "2", "标题": "噪音扰民", "内容": "工地夜间施工"}),
]


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_each_encoding_reads_the_same_rows(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(TEXT.encode(encoding))

    table = read_table(path)

    assert table.columns == ("编号", "标题", "内容")
    assert _rows(table.rows) == EXPECTED


def test_a_short_gb18030_file_is_not_taken_for_korean(tmp_path: Path) -> None:
    # charset-normalizer ranks cp949 first for these few bytes; GB18030 is still plausible.
    path = tmp_path / "a.csv"
    path.write_bytes("内容,分类\n停水,水电气\n".encode("gb18030"))

    assert _rows(read_table(path).rows) == [(2, {"内容": "停水", "分类": "水电气"})]


def test_a_gb18030_file_longer_than_the_sample_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample ends inside a character; it is cut back to its last whole line.
    monkeypatch.setattr(tables, "SAMPLE_BYTES", 1001)
    path = tmp_path / "a.csv"
    path.write_bytes(("内容,分类\n" + "小区突然停水了,水电气\n" * 200).encode("gb18030"))
    rows = read_table(path).rows
    assert (len(rows), rows[-1].line, rows[-1].cell("内容")) == (200, 201, "小区突然停水了")


def test_the_cheap_checks_come_first() -> None:
    assert detect_encoding(b"\xef\xbb\xbfa,b\n", whole=True) == "utf-8-sig"
    assert detect_encoding("停水".encode(), whole=True) == "utf-8"
    # A character cut by the end of the sample is still UTF-8 when the file goes on.
    assert detect_encoding("停水".encode()[:4], whole=False) == "utf-8"
    assert detect_encoding("停水，请尽快处理".encode("gb18030"), whole=True) == "gb18030"


def test_an_encoding_we_cannot_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("內容,分類\n停水,水電氣\n".encode("big5"))

    with pytest.raises(TableError) as caught:
        read_table(path)

    assert caught.value.code == "table.encoding"
    assert "UTF-8" in caught.value.message
    assert caught.value.status_code == 422


def test_bytes_that_do_not_decode_later_in_the_file_name_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The encoding is chosen on the file's first bytes (a MiB; 1 KiB here): plain ASCII
    # there reads as UTF-8.
    monkeypatch.setattr(tables, "SAMPLE_BYTES", 1024)
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n" + b"1,x\n" * 3000 + "2,噪音扰民\n".encode("gb18030"))
    with pytest.raises(TableError) as caught:
        read_table(path)
    assert (caught.value.code, caught.value.row) == ("table.encoding", 3002)
    assert "第 3002 行：不是 UTF-8 编码" in caught.value.message


# --- formats ---------------------------------------------------------------------------------


def test_xlsx_reads_the_first_sheet(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([" 编号 ", "标题", "内容", None])
    sheet.append([1, "小区停水", "今天早上小区突然停水了", None])
    sheet.append([None, None, None, None])
    sheet.append([2, "噪音扰民", "工地夜间施工", "表外的备注"])
    book.create_sheet("另一页").append(["x"])
    book.save(tmp_path / "a.xlsx")

    table = read_table(tmp_path / "a.xlsx")

    assert table.columns == ("编号", "标题", "内容", "")
    assert [r.line for r in table.rows] == [2, 4]
    assert [r.text("编号") for r in table.rows] == ["1", "2"]
    assert table.rows[1].cell("内容") == "工地夜间施工"


def test_jsonl_rows_are_numbered_by_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = [{"id": 7, "text": "停水"}, None, {"text": "噪音", "title": "夜间"}]
    path.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) if x else "" for x in lines) + "\n",
        encoding="utf-8",
    )

    with open_table(path, required=["text"], optional=["id", "title"]) as table:
        rows = list(table)

    assert table.columns == ("id", "text")
    assert [(r.line, r.get("id"), r.text("text"), r.cell("title")) for r in rows] == [
        (1, 7, "停水", ""),
        (3, None, "噪音", "夜间"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [('{"a": 1}\nnot json\n', "不是合法的 JSON"), ('{"a": 1}\n[1, 2]\n', "应是一个 JSON 对象")],
)
def test_a_bad_jsonl_line_is_a_bad_row(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError) as caught:
        read_table(path)
    assert (caught.value.code, caught.value.row) == ("table.bad_row", 2)
    assert reason in caught.value.reason
    assert "a.jsonl 第 2 行" in caught.value.message


def test_the_format_comes_from_the_suffix_or_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        read_table(path)
    assert caught.value.code == "table.format"
    assert ".csv" in caught.value.message

    assert _rows(read_table(path, format="csv").rows) == [(2, {"a": "1", "b": "2"})]


def test_bytes_and_open_files_are_read_and_left_open(tmp_path: Path) -> None:
    data = TEXT.encode("gb18030")
    assert _rows(read_table(data, name="upload.csv").rows) == EXPECTED

    upload = io.BytesIO(data)
    upload.name = "上传.csv"  # type: ignore[attr-defined]  # as Django's UploadedFile has
    table = read_table(upload)
    assert table.name == "上传.csv"
    assert not upload.closed


def test_a_damaged_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(TableError) as caught:
        read_table(path)
    assert caught.value.code == "table.format"


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TableError) as caught:
        read_table(tmp_path / "nope.csv")
    assert caught.value.code == "table.not_found"
    assert "找不到文件" in caught.value.message


# --- columns -----------------------------------------------------------------------------------


def test_header_names_are_stripped_and_a_second_bom_removed(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\ufeff 编号 , 内容\n1,停水\n".encode())
    assert read_table(path).columns == ("编号", "内容")


def test_unknown_columns_list_the_columns_there_are(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(TEXT, encoding="utf-8")

    with pytest.raises(ValidationFailed) as caught:
        read_table(path, required=["编号", "正文", "分类"], optional=["标题"])

    error = caught.value
    assert isinstance(error, TableError)
    assert error.code == "table.unknown_column"
    assert error.missing == ("正文", "分类")
    assert error.columns == ("编号", "标题", "内容")
    assert "文件中没有列：正文、分类（现有的列：编号、标题、内容）" in error.message
    assert error.as_dict()["code"] == "table.unknown_column"


def test_rows_hold_the_named_columns_and_optional_ones_may_be_absent(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(TEXT, encoding="utf-8")

    with open_table(path, required=["编号"], optional=["内容", "地址"]) as table:
        rows = list(table)

    assert table.ignored == ("标题",)
    assert dict(rows[0].values) == {"编号": "1", "内容": "今天早上小区突然停水了"}
    assert rows[0].cell("地址") == ""


def test_a_named_column_that_appears_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("内容,备注,内容\n1,2,3\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        read_table(path, required=["内容"])
    assert (caught.value.code, caught.value.column) == ("table.format", "内容")


# --- rows ------------------------------------------------------------------------------------


def test_an_empty_file_and_a_header_alone(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.csv"
    blank.write_text("\n , \n", encoding="utf-8")
    header = tmp_path / "header.csv"
    header.write_text("a,b\n,\n\n", encoding="utf-8")

    for path in (empty, blank):
        with pytest.raises(TableError) as caught:
            read_table(path)
        assert caught.value.code == "table.empty"
        assert "文件是空的" in caught.value.message
    with pytest.raises(TableError) as caught:
        read_table(header)
    assert caught.value.code == "table.no_rows"
    assert "只有表头，没有数据行" in caught.value.message
    # Streaming, a header alone is simply no rows.
    with open_table(header) as table:
        assert list(table) == []


def test_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n1,2\n3,4,5,,\n6,7,8,9\n", encoding="utf-8")

    with open_table(path) as table:
        rows = iter(table)
        # Short rows are padded (spreadsheets drop trailing empty cells); empty extra cells
        # are nothing.
        assert next(rows).values == {"a": "1", "b": "2", "c": ""}
        assert next(rows).values == {"a": "3", "b": "4", "c": "5"}
        with pytest.raises(TableError) as caught:
            next(rows)

    error = caught.value
    assert (error.code, error.row, error.column) == ("table.bad_row", 4, None)
    assert "有 4 个值，表头只有 3 列" in error.reason
    assert error.message.startswith("a.csv 第 4 行：")


def test_a_quoted_field_over_several_lines_keeps_the_line_it_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('a,b\n1,"第一行\n第二行"\n2,x\n', encoding="utf-8")
    table = read_table(path)
    assert [r.line for r in table.rows] == [2, 4]
    assert table.rows[0].cell("b") == "第一行\n第二行"


def test_a_callers_bad_row_has_the_same_shape() -> None:
    error = TableError.bad_row(name="a.csv", row=3, column="时间", reason="不是时间")
    assert (error.code, error.row, error.column, error.reason) == (
        "table.bad_row",
        3,
        "时间",
        "不是时间",
    )
    assert error.message == "a.csv 第 3 行，列 时间：不是时间"
    assert error.fields == {"时间": [error.message]}


class _Counting(io.BytesIO):
    """A file that remembers how far it has been read."""

    furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        self.furthest = max(self.furthest, self.tell())
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        count = super().readinto(buffer)
        self.furthest = max(self.furthest, self.tell())
        return count


def test_rows_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "SAMPLE_BYTES", 1024)
    body = "".join(f"{i},停水{i}\n" for i in range(20_000))
    data = ("编号,内容\n" + body + "1,2,3\n").encode()
    source = _Counting(data)

    table = open_table(source, name="big.csv")
    rows = iter(table)
    first = next(rows)

    assert (first.line, first.values) == (2, {"编号": "0", "内容": "停水0"})
    # The encoding sample and one buffer, not the file; the bad last row is not reached yet.
    assert source.furthest < len(data) // 2
    assert sum(1 for _ in zip(range(1000), rows, strict=False)) == 1000
    with pytest.raises(TableError) as caught:
        for _row in rows:
            pass
    assert caught.value.row == 20_002
