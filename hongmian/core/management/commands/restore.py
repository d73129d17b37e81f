"""`hongmian restore DIR [--force]`: put a backup made by `hongmian backup` back.

Stop the web servers, workers and scheduler first. The backup is checked against its
manifest before anything is touched; a non-empty database or file folder is overwritten only
with --force; after the restore every table's row count is compared with the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.actors import Actor
from hongmian.core.backup.services import backup_restore
from hongmian.core.errors import ApplicationError


class Command(BaseCommand):
    help = "从 hongmian backup 生成的目录恢复（先校验清单；覆盖非空数据库需 --force）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="备份目录")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据库和文件目录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(
                actor=Actor.cli(None, "restore"),
                source=Path(options["folder"]),
                force=options["force"],
            )
        except ApplicationError as exc:
            detail = "".join(f"\n  {k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"[{exc.code}] {exc.message}{detail}") from None
        manifest = result.manifest
        self.stdout.write(
            f"数据库已恢复到 {manifest['created_at']} 的备份："
            f"{len(result.row_counts)} 张表、{sum(result.row_counts.values()):,} 行，行数与清单一致"
        )
        for setting, folder in result.restored_sets.items():
            self.stdout.write(f"{setting} → {folder}")
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"本版本有 {len(result.pending_migrations)} 个备份中没有的迁移："
                    "请运行 hongmian migrate"
                )
            )
        self.stdout.write(self.style.SUCCESS("恢复完成"))
