"""`hongmian report`: the figures of a report period (民情月历) as a JSON file.

    hongmian report --period month --month 2026-10 --source var/analytics/orders \\
        --format json --out var/reports [--engine duckdb|spark] [--district 440106] [--unit …]
    hongmian report --period week --week 2026-W40 …
    hongmian report --period quarter --quarter 2026Q4 …
    hongmian report --period custom --start 2026-10-01 --end 2026-10-15 …

The JSON holds every figure (docs/analytics.md). HTML, PDF and Word versions are planned and
accepted by --format, but not available yet: the command says so and stops.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.analytics.engines import ENGINES
from hongmian.analytics.report.compute import compute_report
from hongmian.analytics.report.periods import KINDS, parse_period
from hongmian.analytics.store import atomic_write_bytes
from hongmian.core.errors import ApplicationError

FORMATS = ("json", "html", "pdf", "docx")
AVAILABLE_FORMATS = ("json",)


class Command(BaseCommand):
    help = "生成 12345 数据分析报告的数据（JSON）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, choices=KINDS, help="统计周期")
        parser.add_argument("--month", help="月份 YYYY-MM（--period month）")
        parser.add_argument("--week", help="ISO 周 YYYY-Www（--period week）")
        parser.add_argument("--quarter", help="季度 YYYYQn（--period quarter）")
        parser.add_argument("--start", help="开始日期 YYYY-MM-DD（--period custom）")
        parser.add_argument("--end", help="结束日期 YYYY-MM-DD（含，--period custom）")
        parser.add_argument("--source", required=True, help="分析库目录")
        parser.add_argument("--format", default="json", choices=FORMATS, help="输出格式")
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--engine", default="duckdb", choices=ENGINES, help="计算引擎")
        parser.add_argument("--district", help="只统计某区（代码或名称）")
        parser.add_argument("--unit", help="只统计某承办单位（单位代码）")
        parser.add_argument("--top", type=int, default=10, help="排行榜条数")
        parser.add_argument("--memory-limit", default=None, help="DuckDB 内存上限，如 3GB")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt not in AVAILABLE_FORMATS:
            raise CommandError(
                f"报告格式 {fmt} 暂未提供：目前只能输出 json（--format json）。"
                "HTML、PDF 和 Word 版将在报告排版功能完成后提供。"
            )
        kind = options["period"]
        try:
            period = parse_period(
                kind,
                value=options.get(kind) if kind != "custom" else None,
                start=options["start"],
                end=options["end"],
            )
            report = compute_report(
                source=Path(options["source"]),
                period=period,
                engine=options["engine"],
                district=options["district"],
                unit=options["unit"],
                top_n=options["top"],
                memory_limit=options["memory_limit"],
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
        out = Path(options["out"])
        name = f"report-{kind}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
        if report["filters"]["district"]:
            name += f"-{report['filters']['district']}"
        if report["filters"]["unit"]:
            name += f"-{report['filters']['unit']}"
        path = out / f"{name}.json"
        atomic_write_bytes(path, json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"))
        self.stdout.write(report["narrative"])
        self.stdout.write(
            f"已写入 {path}（{report['meta']['engine']}，{report['meta']['seconds']:.2f} 秒）"
        )
