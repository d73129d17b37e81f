"""`hongmian history generate`: write a synthetic 12345 history to an analytics store.

    hongmian history generate --orders 2000000 --start 2025-01-01 --end 2026-10-31 \\
        --out var/analytics/history [--seed 12345] [--workers 2] [--replace]

The store has the export's schema and month partitions, so every pipeline and report runs on
it. It writes only into --out (never the database) and refuses to overwrite a store unless
--replace is given. Prints the generation rate.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.analytics.history.generator import generate_history
from hongmian.core.errors import ApplicationError


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期格式不正确：“{raw}”，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "生成模拟的 12345 工单历史数据（Parquet 分析库）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        p = sub.add_parser("generate", help="生成模拟历史")
        p.add_argument("--orders", type=int, required=True, help="工单总数")
        p.add_argument("--start", required=True, help="第一天 YYYY-MM-DD（北京时间）")
        p.add_argument("--end", required=True, help="最后一天 YYYY-MM-DD（含）")
        p.add_argument("--out", required=True, help="分析库目录")
        p.add_argument("--seed", type=int, default=12345, help="随机种子（相同种子结果相同）")
        p.add_argument(
            "--workers",
            type=int,
            default=None,
            help="并行进程数（默认为 CPU 核数的一半：每个进程一个线程生成、一个线程写入）",
        )
        p.add_argument("--replace", action="store_true", help="覆盖已有的分析库")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"]), _date(options["end"])
        try:
            result = generate_history(
                out=Path(options["out"]),
                orders=options["orders"],
                start=start,
                end=end,
                seed=options["seed"],
                workers=options["workers"],
                replace=options["replace"],
                progress=(lambda msg: self.stdout.write(f"  {msg}"))
                if options["verbosity"] > 1
                else None,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"已生成 {result.rows:,} 条工单，{result.partitions} 个月份分区，"
            f"用时 {result.seconds:.1f} 秒，速度 {result.rows_per_second:,.0f} 条/秒"
        )
        for first, last, code in result.surges:
            self.stdout.write(f"  突增：{first}–{last} 分类 {code}（3 倍）")
        for first, last, code in result.emergencies:
            self.stdout.write(f"  应急：{first}–{last} 区 {code}")
