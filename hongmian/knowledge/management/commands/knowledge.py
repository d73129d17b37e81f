"""`hongmian knowledge import …` and `hongmian knowledge search …`.

    hongmian knowledge import kb.csv --id-column 编号 --title-column 标题 --body-column 答案 \\
        --unit-column 单位 [--unit gz-hrss] [--category-column 分类] [--draft] [--commit]
    hongmian knowledge search --queries q.jsonl --top 10 --output results.jsonl
    hongmian knowledge search --queries q.jsonl --output results.jsonl \\
        --index faq.csv --id-column id --body-column answer     # no database needed

The import is a dry run unless --commit; it prints what it would create, change and leave
alone, and every row it cannot take. Search with --index ranks like the default backend
(hybrid when dense vectors are on: the rows are embedded once, then read from the vector
cache). Search reads lines {"id", "query"} and writes lines
{"id", "results": [external ids, best first]}.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.identity.models import OrgUnit
from hongmian.knowledge import selectors, services, sheets
from hongmian.knowledge.models import Article
from hongmian.knowledge.search import SearchIndex, dense
from hongmian.knowledge.states import Audience


class Command(BaseCommand):
    help = "Knowledge base: import articles from a spreadsheet, or run a batch of searches."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,search}")

        imp = sub.add_parser("import", help="import articles from a CSV file (dry run by default)")
        imp.add_argument("file", type=Path, help="CSV (UTF-8 or GB18030) with a header row")
        imp.add_argument("--id-column", required=True, help="the column with each row's id")
        imp.add_argument("--body-column", required=True, help="the column with the answer text")
        imp.add_argument("--title-column", help="the title column (else: the first sentence)")
        imp.add_argument("--unit-column", help="owning unit per row: unit code or name")
        imp.add_argument("--unit", help="owning unit (code) for rows without one")
        imp.add_argument("--category-column", help="tags, separated by commas or semicolons")
        imp.add_argument("--audience", choices=[a.value for a in Audience], default=Audience.PUBLIC)
        imp.add_argument(
            "--draft", action="store_true", help="leave new and changed articles for review"
        )
        imp.add_argument("--commit", action="store_true", help="write (without it: dry run)")

        search = sub.add_parser("search", help="answer a file of questions, one JSON per line")
        search.add_argument("--queries", type=Path, required=True, help='JSONL: {"id","query"}')
        search.add_argument("--output", type=Path, required=True, help='JSONL: {"id","results"}')
        search.add_argument("--top", type=int, default=10, help="results per question")
        search.add_argument(
            "--audience", choices=[a.value for a in Audience], default=Audience.STAFF
        )
        search.add_argument("--index", type=Path, help="search this CSV instead of the database")
        search.add_argument("--id-column", help="with --index: the id column")
        search.add_argument("--body-column", help="with --index: the text column")
        search.add_argument("--title-column", help="with --index: a title column, if any")
        search.add_argument("--unit-column", help="with --index: the owning unit's column")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self._import(options)
            else:
                self._search(options)
        except ApplicationError as exc:
            lines = [exc.message, *(m for ms in exc.fields.values() for m in ms)]
            # CommandError exits 1 without a traceback, with the same words as the API.
            raise CommandError("\n".join(dict.fromkeys(lines))) from None

    # --- import ---------------------------------------------------------------------------

    def _import(self, options: dict[str, Any]) -> None:
        table = sheets.read_table(options["file"])
        rows = sheets.import_rows(
            table,
            id_column=options["id_column"],
            body_column=options["body_column"],
            title_column=options["title_column"],
            unit_column=options["unit_column"],
            category_column=options["category_column"],
        )
        default_unit = None
        if options["unit"]:
            default_unit = OrgUnit.objects.filter(code=options["unit"], is_active=True).first()
            if default_unit is None:
                raise CommandError(f"找不到单位：{options['unit']}")
        report = services.articles_import(
            actor=Actor.cli(None, label="knowledge import"),
            rows=rows,
            default_unit=default_unit,
            audience=options["audience"],
            publish=not options["draft"],
            commit=options["commit"],
        )
        for error in report.errors[:50]:
            self.stderr.write(error)
        if len(report.errors) > 50:
            self.stderr.write(f"……另有 {len(report.errors) - 50} 处错误")
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入：{report.summary()}"))
        else:
            self.stdout.write(f"试运行（未写入，加 --commit 导入）：{report.summary()}")

    # --- search ---------------------------------------------------------------------------

    def _read_queries(self, path: Path) -> list[tuple[str, str]]:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        queries: list[tuple[str, str]] = []
        with path.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    queries.append((str(item["id"]), str(item["query"])))
                except (ValueError, KeyError, TypeError):
                    raise CommandError(
                        f'{path.name} 第{number}行：应为 {{"id": …, "query": …}}'
                    ) from None
        return queries

    def _search(self, options: dict[str, Any]) -> None:
        queries = self._read_queries(options["queries"])
        top = max(1, options["top"])
        if options["index"]:
            if not (options["id_column"] and options["body_column"]):
                raise CommandError("--index 需要同时给出 --id-column 和 --body-column")
            documents = sheets.index_documents(
                sheets.read_table(options["index"]),
                id_column=options["id_column"],
                body_column=options["body_column"],
                title_column=options["title_column"],
                unit_column=options["unit_column"],
            )
            vectors = None
            if dense.enabled():
                # Answers' vectors are kept in the vector cache: a second run over the same
                # file embeds only rows whose text changed.
                vectors = dense.dense_vectors(
                    [(d.title, d.body) for d in documents], store=dense.default_cache()
                )
            index = SearchIndex.build(documents, dense=vectors)

            def run(query: str) -> list[str]:
                # A spreadsheet has no audience or validity: every row is searchable.
                return [hit.key for hit in index.search(query, limit=top)]
        else:

            def run(query: str) -> list[str]:
                hits = selectors.article_search(query, limit=top, audience=options["audience"])
                ids = [h.article_id for h in hits]
                external = dict(Article.objects.filter(pk__in=ids).values_list("pk", "external_id"))
                return [external.get(i) or str(i) for i in ids]

        options["output"].parent.mkdir(parents=True, exist_ok=True)
        with options["output"].open("w", encoding="utf-8") as out:
            for query_id, query in queries:
                results = run(query) if query.strip() else []
                out.write(json.dumps({"id": query_id, "results": results}, ensure_ascii=False))
                out.write("\n")
        self.stdout.write(f"已检索 {len(queries)} 个问题，结果写入 {options['output']}")
