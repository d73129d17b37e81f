"""`hongmian backup --out DIR`: the database, its files and keys, and a manifest, in DIR.

    hongmian backup --out /srv/backup/hongmian-2026-12-07

DIR must be new or empty. See docs/operations.md for what goes in and how to restore.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.actors import Actor
from hongmian.core.backup.services import backup_create
from hongmian.core.errors import ApplicationError


class Command(BaseCommand):
    help = "备份数据库、上传文件、分析库和签名密钥到一个目录（附 SHA-256 清单）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="备份目录（须为新目录或空目录）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(actor=Actor.cli(None, "backup"), out=Path(options["out"]))
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from None
        manifest = result.manifest
        db = manifest["database"]
        rows = sum(db["row_counts"].values())
        self.stdout.write(
            f"数据库（{db['vendor']} {db['server_version']}）：{len(db['row_counts'])} 张表、"
            f"{rows:,} 行 → {db['file']}"
        )
        for setting, summary in manifest["file_sets"].items():
            if summary.get("skipped"):
                self.stdout.write(f"{setting}：跳过（{summary['skipped']}）")
            else:
                self.stdout.write(
                    f"{setting}：{summary['files']} 个文件、{summary['bytes']:,} 字节"
                    f" → {summary['folder']}"
                )
        self.stdout.write(self.style.SUCCESS(f"备份完成：{result.folder}/manifest.json"))
