"""`hongmian catalog search --queries Q.jsonl --top 10 --output R.jsonl` (the evaluation's
contract): each input line {"id", "query"}, each output line
{"id", "results": [item codes, best first], "confident": true|false}, in input order.

It searches the imported catalogue in the database, as the API does (published items
valid today). The whole input is checked before anything is searched: a line that is not
JSON, or lacks a string id or query, stops the command with a coded error naming the
line, and no output file is written. The output is written whole or not at all.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from hongmian.catalog.search.selectors import PAGE_MAX, QUERY_MAX, catalog_search
from hongmian.core.errors import ValidationFailed

QUERIES_INVALID = "catalog_search.queries_invalid"


def add_arguments(sub: Any) -> None:
    """Add the `search` subcommand to the `catalog` command's subparsers."""
    search = sub.add_parser("search", help="answer a file of questions, one JSON per line")
    search.add_argument("--queries", type=Path, required=True, help='JSONL: {"id","query"}')
    search.add_argument(
        "--output", type=Path, required=True, help='JSONL: {"id","results","confident"}'
    )
    search.add_argument("--top", type=int, default=10, help=f"results per question (≤ {PAGE_MAX})")


def _bad(path: Path, line: int, reason: str) -> ValidationFailed:
    return ValidationFailed(
        f'{path.name} 第{line}行：{reason}（每行应为 {{"id": …, "query": …}}）',
        code=QUERIES_INVALID,
        fields={"line": [str(line)]},
    )


def read_queries(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise ValidationFailed(f"找不到文件：{path}", code="catalog_search.queries_missing")
    out: list[tuple[str, str]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            f"{path.name} 不是 UTF-8 文本", code=QUERIES_INVALID, fields={"line": ["1"]}
        ) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError:
            raise _bad(path, number, "不是 JSON") from None
        if not isinstance(row, dict) or "id" not in row or "query" not in row:
            raise _bad(path, number, "缺少 id 或 query")
        if not isinstance(row["query"], str) or not isinstance(row["id"], str | int):
            raise _bad(path, number, "id 应为文字或数字，query 应为文字")
        if len(row["query"].strip()) > QUERY_MAX:
            raise _bad(path, number, f"query 超过{QUERY_MAX}个字")
        out.append((str(row["id"]), row["query"]))
    return out


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


def run(options: dict[str, Any], stdout: Writer) -> None:
    queries = read_queries(options["queries"])
    top = max(1, min(int(options["top"]), PAGE_MAX))
    output: Path = options["output"]
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for query_id, query in queries:
                if query.strip():
                    page = catalog_search(query, limit=top, with_articles=False)
                    codes, confident = [i.code for i in page.items], page.confident
                else:
                    codes, confident = [], False
                line = {"id": query_id, "results": codes, "confident": confident}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stdout.write(f"已检索 {len(queries)} 个问题，结果写入 {output}\n")
