"""`hongmian knowledge import` and `hongmian knowledge search`."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hongmian.core.models import AuditEvent
from hongmian.core.reviews import VersionState
from hongmian.knowledge.models import Article, ArticleVersion
from hongmian.knowledge.states import ArticleStatus
from hongmian.knowledge.tests.conftest import Org

HEADER = ["编号", "标题", "答案", "单位", "分类"]
ROWS = [
    ["KB-1", "社保卡补办", "社保卡遗失后先挂失，再补办。", "k-hrss", "社保;证件"],
    ["KB-2", "", "停水可拨打自来水公司热线查询。计划停水会提前公告。", "广州市水务局", ""],
    ["KB-3", "居住证办理", "居住登记满半年可申领居住证。", "市水务局", "居住证"],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("knowledge", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def import_args(path: Path, *extra: str) -> list[str]:
    return [
        "import",
        str(path),
        "--id-column",
        "编号",
        "--title-column",
        "标题",
        "--body-column",
        "答案",
        "--unit-column",
        "单位",
        "--category-column",
        "分类",
        *extra,
    ]


@pytest.mark.django_db
def test_dry_run_writes_nothing(org: Org, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kb.csv", ROWS)
    output = run(*import_args(path))
    assert "试运行" in output
    assert "新增 3 条" in output
    assert not Article.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="article.").exists()


@pytest.mark.django_db
def test_commit_imports_and_reimport_is_idempotent(org: Org, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kb.csv", ROWS)
    assert "新增 3 条" in run(*import_args(path, "--commit"))
    articles = {a.external_id: a for a in Article.objects.select_related("owning_unit")}
    assert set(articles) == {"KB-1", "KB-2", "KB-3"}
    assert all(a.status == ArticleStatus.PUBLISHED for a in articles.values())
    assert articles["KB-1"].owning_unit == org.hrss  # by code
    assert articles["KB-2"].owning_unit == org.water  # by full name
    assert articles["KB-3"].owning_unit == org.water  # by short name
    assert articles["KB-1"].category_codes == ["社保", "证件"]
    # No title column value: the first sentence stands in.
    assert articles["KB-2"].title == "停水可拨打自来水公司热线查询"

    events = AuditEvent.objects.count()
    output = run(*import_args(path, "--commit"))
    assert "新增 0 条，更新 0 条，未变 3 条" in output
    assert AuditEvent.objects.count() == events
    assert ArticleVersion.objects.count() == 3


@pytest.mark.django_db
def test_changed_row_becomes_a_new_version(org: Org, tmp_path: Path) -> None:
    run(*import_args(write_csv(tmp_path / "kb.csv", ROWS), "--commit"))
    changed = [list(r) for r in ROWS]
    changed[0][2] = "社保卡遗失后先挂失，再到网点或线上补办。"
    output = run(*import_args(write_csv(tmp_path / "kb2.csv", changed), "--commit"))
    assert "更新 1 条" in output
    article = Article.objects.get(external_id="KB-1")
    assert article.revision == 2
    assert article.body.endswith("线上补办。")
    old = ArticleVersion.objects.get(article=article, number=1)
    assert (old.state, old.body) == (VersionState.SUPERSEDED, ROWS[0][2])


@pytest.mark.django_db
def test_draft_import_leaves_articles_for_review(org: Org, tmp_path: Path) -> None:
    run(*import_args(write_csv(tmp_path / "kb.csv", ROWS), "--draft", "--commit"))
    assert set(Article.objects.values_list("status", flat=True)) == {ArticleStatus.DRAFT}


@pytest.mark.django_db
def test_bad_rows_block_the_commit(org: Org, tmp_path: Path) -> None:
    rows = [
        *ROWS,
        ["KB-1", "重复", "重复的编号。", "k-hrss", ""],
        ["KB-9", "无单位", "正文。", "不存在局", ""],
    ]
    path = write_csv(tmp_path / "kb.csv", rows)
    err = StringIO()
    call_command("knowledge", *import_args(path), stdout=StringIO(), stderr=err)
    assert "第5行：编号 KB-1 在文件中重复" in err.getvalue()
    assert "第6行：找不到单位“不存在局”" in err.getvalue()
    with pytest.raises(CommandError, match="2 处错误"):
        run(*import_args(path, "--commit"))
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_default_unit_for_rows_without_one(org: Org, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kb.csv", [["A1", "答案一。"]], header=["id", "answer"])
    run(
        "import",
        str(path),
        "--id-column",
        "id",
        "--body-column",
        "answer",
        "--unit",
        "k-water",
        "--commit",
    )
    assert Article.objects.get(external_id="A1").owning_unit == org.water
    with pytest.raises(CommandError, match="找不到单位"):
        run("import", str(path), "--id-column", "id", "--body-column", "answer", "--unit", "nope")


@pytest.mark.django_db
def test_unknown_column_is_a_clear_error(org: Org, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kb.csv", ROWS)
    with pytest.raises(
        CommandError, match=r"文件中没有列：内容（现有的列：编号、标题、答案、单位、分类）"
    ):
        run("import", str(path), "--id-column", "编号", "--body-column", "内容")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [("", "文件是空的"), ("编号,答案\n", "没有数据行"), ("编号,答案\n,\n", "没有数据行")],
)
def test_empty_file_is_a_clear_error(org: Org, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("import", str(path), "--id-column", "编号", "--body-column", "答案")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        run("import", str(tmp_path / "nope.csv"), "--id-column", "a", "--body-column", "b")


def test_gb18030_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("id,answer\nG1,停水查询请拨打热线。\n".encode("gb18030"))
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q", "query": "停水"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run(
        "search", "--queries", str(queries), "--output", str(out),
        "--index", str(path), "--id-column", "id", "--body-column", "answer",
    )  # fmt: skip
    assert json.loads(out.read_text(encoding="utf-8")) == {"id": "q", "results": ["G1"]}


# --- search ----------------------------------------------------------------------------------


def _queries(tmp_path: Path) -> Path:
    path = tmp_path / "queries.jsonl"
    lines = [
        {"id": "q1", "query": "社保卡丢了怎么补办"},
        {"id": "q2", "query": "停水了找谁"},
        {"id": "q3", "query": "居住證"},
        {"id": "q4", "query": "请问"},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    return path


def _results(path: Path) -> dict[str, list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {x["id"]: x["results"] for x in map(json.loads, lines)}


def test_search_round_trip_from_csv_without_database(tmp_path: Path) -> None:
    index = write_csv(tmp_path / "kb.csv", ROWS)
    out = tmp_path / "out" / "results.jsonl"
    output = run(
        "search", "--queries", str(_queries(tmp_path)), "--top", "2", "--output", str(out),
        "--index", str(index), "--id-column", "编号", "--body-column", "答案",
    )  # fmt: skip
    assert "已检索 4 个问题" in output
    results = _results(out)
    assert list(results) == ["q1", "q2", "q3", "q4"]
    assert results["q1"][0] == "KB-1"
    assert results["q2"][0] == "KB-2"
    assert results["q3"][0] == "KB-3"
    assert results["q4"] == []
    assert all(len(r) <= 2 for r in results.values())


@pytest.mark.django_db
def test_search_round_trip_through_the_database(org: Org, tmp_path: Path) -> None:
    run(*import_args(write_csv(tmp_path / "kb.csv", ROWS), "--commit"))
    out = tmp_path / "results.jsonl"
    run("search", "--queries", str(_queries(tmp_path)), "--output", str(out))
    results = _results(out)
    assert (results["q1"][0], results["q2"][0], results["q3"][0]) == ("KB-1", "KB-2", "KB-3")


def test_search_needs_its_columns_with_index(tmp_path: Path) -> None:
    index = write_csv(tmp_path / "kb.csv", ROWS)
    with pytest.raises(CommandError, match="--id-column"):
        run("search", "--queries", str(_queries(tmp_path)), "--output", str(tmp_path / "o"),
            "--index", str(index))  # fmt: skip


def test_search_reports_a_bad_query_line(tmp_path: Path) -> None:
    queries = tmp_path / "bad.jsonl"
    queries.write_text('{"id": 1, "query": "停水"}\nnot json\n', encoding="utf-8")
    index = write_csv(tmp_path / "kb.csv", ROWS)
    with pytest.raises(CommandError, match="第2行"):
        run(
            "search", "--queries", str(queries), "--output", str(tmp_path / "o"),
            "--index", str(index), "--id-column", "编号", "--body-column", "答案",
        )  # fmt: skip
