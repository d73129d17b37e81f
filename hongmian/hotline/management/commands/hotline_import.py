"""`hongmian hotline_import FILE.csv [--commit] [--batch-size N]`: import a historical export.

A dry run unless --commit: every row is validated and counted, nothing is written. The
columns (CSV in UTF-8 with or without BOM, or GB18030; a header row; times in Asia/Shanghai
unless they carry an offset) are described in the help below and in docs/hotline.md,
"Import format".
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.core.actors import Actor
from hongmian.core.tables import TableError, TableReader, open_table
from hongmian.hotline.services.imports import (
    IMPORT_COLUMNS,
    REQUIRED_COLUMNS,
    ImportLookups,
    work_order_history_import,
)

# How many errors are printed one by one; the rest are only counted.
SHOWN_ERRORS = 50

FORMAT_HELP = """\
列（表头必须包含必填列；多余的列会被忽略）：
  number          工单编号（必填，唯一；已存在的编号跳过）
  created_at      受理时间（必填）  2025-03-01 09:15:00 或 2025-03-01T09:15:00+08:00
  channel         渠道（必填）      phone/web/wechat/app/mini_program/sms/email/letter/
                                    transfer/open311，或中文名：电话、微信…
  request_type    诉求类型（必填）  inquiry/help/complaint/report/suggestion/praise 或中文名
  category_code   诉求分类代码      须已存在（hongmian hotline load-defaults）
  title, content  标题、诉求内容（必填）
  address         地址              区、街镇代码都为空时按地址自动识别
  district_code   区代码（9 位）    street_code 街镇代码（9 位，须属于该区）
  lead_unit_code  主办单位代码      为空表示直接答复办结
  status          状态（必填）      closed（已办结）或 archived（已归档）
  replied_at      答复时间          closed_at 办结时间（必填）
  satisfaction    满意度            satisfied/basic/dissatisfied 或 满意/基本满意/不满意
  resolved, is_enterprise, is_emergency   是/否：1/0、true/false、是/否
"""


def _open(path: Path) -> TableReader:
    """The export, read a row at a time (a quoted field may span lines: each row has the
    line it starts on)."""
    try:
        return open_table(path, required=REQUIRED_COLUMNS, optional=IMPORT_COLUMNS)
    except TableError as exc:
        if exc.code == "table.unknown_column":
            # In the words of the help above, which lists the required columns.
            raise CommandError(f"表头缺少必填列：{', '.join(exc.missing)}") from None
        raise CommandError(exc.message) from None


class Command(BaseCommand):
    help = "导入历史工单导出文件（CSV）。默认只校验不写入；加 --commit 才写入。\n\n" + FORMAT_HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter  # keep the column table's layout
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="导出文件（CSV，UTF-8 或 GB18030）")
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只校验）")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="每批行数；每批一个事务，有错误的批次整批不写入（默认 1000）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        commit: bool = options["commit"]
        size: int = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size 必须大于 0")
        actor = Actor.cli(None, label="hotline_import")
        lookups = ImportLookups()
        started = time.perf_counter()
        rows = imported = existing = error_count = failed_batches = 0
        shown = 0
        batch: list[tuple[int, Mapping[str, str | None]]] = []

        not_done = "写入" if commit else "通过"

        def run(batch: list[tuple[int, Mapping[str, str | None]]]) -> None:
            nonlocal rows, imported, existing, error_count, failed_batches, shown
            result = work_order_history_import(
                actor=actor, rows=batch, lookups=lookups, commit=commit, source=path.name
            )
            rows += result.rows
            if result.errors:
                failed_batches += 1
                error_count += len(result.errors)
                for error in result.errors:
                    if shown < SHOWN_ERRORS:
                        self.stderr.write(str(error))
                        shown += 1
                first, last = batch[0][0], batch[-1][0]
                self.stderr.write(f"第 {first}–{last} 行这一批有错误，整批未{not_done}")
                return
            imported += result.imported
            existing += result.existing
            if options["verbosity"] > 1:
                self.stdout.write(f"…已处理 {rows} 行")

        table = _open(path)
        if table.ignored:
            self.stderr.write(f"忽略未知列：{', '.join(table.ignored)}")
        try:
            with table:
                for row in table:
                    batch.append(row)
                    if len(batch) >= size:
                        run(batch)
                        batch = []
        except TableError as exc:
            # The batches before this row are done (written, with --commit).
            done = "已写入" if commit else "可导入"
            raise CommandError(
                f"{exc.message}（此前 {rows} 行已处理，{imported} 行{done}）"
            ) from None
        if batch:
            run(batch)

        seconds = time.perf_counter() - started
        rate = rows / seconds if seconds > 0 else 0.0
        verb = "已导入" if commit else "可导入（试运行，未写入）"
        self.stdout.write(
            f"{rows} 行：{verb} {imported}，已存在跳过 {existing}，错误 {error_count}"
            f"（{failed_batches} 批未{not_done}）；"
            f"用时 {seconds:.1f} 秒，{rate:,.0f} 行/秒"
        )
        if shown < error_count:
            self.stderr.write(f"另有 {error_count - shown} 个错误未逐条列出")
        if not commit and not error_count:
            self.stdout.write("加 --commit 写入。")
        if error_count:
            sys.stdout.flush()
            raise CommandError(f"{error_count} 个错误，见上")
