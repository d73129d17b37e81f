"""`hongmian catalog import …` and `hongmian catalog export …`.

    hongmian catalog import FILE --code-column item_code --name-column name \\
        --department-column department [--type-column task_type] [--main-item-column main_item] \\
        [--level-column …] [--legal-limit-column …] [--promised-limit-column …] \\
        [--conditions-column …] [--level district] [--create-units] [--draft] [--commit]
    hongmian catalog export --format csv|xlsx|json --output FILE [--all]
    hongmian catalog search --queries Q.jsonl --top 10 --output R.jsonl   (management/search_cli.py)

The import reads CSV (UTF-8 or GB18030), XLSX or JSONL through the house's table reader. It
is a dry run unless --commit: it prints what it would create, change and leave alone, and
every row it cannot take, each with its row number and a stable code; with any such row
nothing is written (exit status 1). A department is matched on a unit's code, name or short
name; --create-units creates the unknown ones under the "imported" unit. New and changed
items are published at once (the file is the catalogue's authority) unless --draft.

The export writes every element of the published items (--all: of every item) in columns
named after the fields, which the import reads back: export, then import, changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.catalog.management import search_cli
from hongmian.catalog.services.exports import EXPORT_FORMATS, catalog_export
from hongmian.catalog.services.import_rows import ImportColumns
from hongmian.catalog.services.imports import catalog_import
from hongmian.catalog.states import ItemLevel
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError

# Problems printed by a dry run; the report counts the rest.
SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "Service-item catalogue: import a catalogue from a table, export it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        imp = sub.add_parser("import", help="import items from CSV/XLSX/JSONL (dry run by default)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--code-column", required=True, help="the item code (事项编码)")
        imp.add_argument("--name-column", required=True, help="the item name (事项名称)")
        imp.add_argument(
            "--department-column", required=True, help="implementing unit: its code or name"
        )
        imp.add_argument("--type-column", help="事项类型: a national code (1, 20 …) or its name")
        imp.add_argument("--main-item-column", help="the main item's (主项) name")
        imp.add_argument("--level-column", help="行使层级 (市级, 区级 … or city, district …)")
        imp.add_argument("--legal-limit-column", help="法定时限, working days")
        imp.add_argument("--promised-limit-column", help="承诺时限, working days")
        imp.add_argument("--conditions-column", help="受理条件")
        imp.add_argument(
            "--level",
            choices=ItemLevel.values,
            default=ItemLevel.CITY,
            help="the level of rows without one",
        )
        imp.add_argument(
            "--create-units",
            action="store_true",
            help='create unknown departments under the "imported" unit',
        )
        imp.add_argument(
            "--draft", action="store_true", help="leave new and changed items for review"
        )
        imp.add_argument("--commit", action="store_true", help="write (without it: dry run)")

        exp = sub.add_parser("export", help="write the catalogue to a file")
        exp.add_argument("--format", choices=EXPORT_FORMATS, required=True)
        exp.add_argument("--output", type=Path, required=True)
        exp.add_argument("--all", action="store_true", help="every item, not only published ones")

        search_cli.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.cli(None, label=f"catalog {options['action']}")
        try:
            if options["action"] == "import":
                self._import(actor, options)
            elif options["action"] == "search":
                search_cli.run(options, self.stdout)
            else:
                count = catalog_export(
                    actor=actor,
                    path=options["output"],
                    format=options["format"],
                    published_only=not options["all"],
                )
                self.stdout.write(f"已导出 {count} 项到 {options['output']}")
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc

    def _import(self, actor: Actor, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        columns = ImportColumns(
            code=options["code_column"],
            name=options["name_column"],
            department=options["department_column"],
            item_type=options["type_column"],
            main_item=options["main_item_column"],
            level=options["level_column"],
            legal_limit=options["legal_limit_column"],
            promised_limit=options["promised_limit_column"],
            conditions=options["conditions_column"],
        )
        report = catalog_import(
            actor=actor,
            source=path,
            columns=columns,
            create_units=options["create_units"],
            default_level=options["level"],
            draft=options["draft"],
            commit=options["commit"],
        )
        for problem in report.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(str(problem))
        if report.problem_count > SHOWN_PROBLEMS:
            self.stderr.write(f"……另有 {report.problem_count - SHOWN_PROBLEMS} 处错误")
        if report.units_created:
            verb = "新建" if report.committed else "将新建"
            self.stdout.write(f"{verb}机构：{'、'.join(report.units_created)}")
        self.stdout.write(report.summary())
        if report.problem_count:
            raise CommandError("文件有错误，未导入任何事项（catalog.import_refused）")
        if not report.committed:
            self.stdout.write("试运行：未写入。确认无误后加 --commit 导入。")
        else:
            self.stdout.write("已导入。")
