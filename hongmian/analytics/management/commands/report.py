"""`hongmian report`: the report of a period (民情月历) as JSON, HTML, PDF and Word files.

    hongmian report --period month --month 2026-10 --source var/analytics/orders \\
        --format html,pdf,docx,json --out var/reports [--engine duckdb|spark] \\
        [--district 440106] [--unit …]
    hongmian report --period week --week 2026-W40 …
    hongmian report --period quarter --quarter 2026Q4 …
    hongmian report --period custom --start 2026-10-01 --end 2026-10-15 …

The JSON holds every figure (docs/analytics.md); the HTML page (self-contained, interactive
charts), the PDF and the Word document show the same figures (report/document.py). They are
built by `services.report_build`, as for the archive (`services.report_issue`, the schedule
and "generate now"), and written to --out only: the command archives nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.analytics.engines import ENGINES
from hongmian.analytics.periods import KINDS, parse_period
from hongmian.analytics.report.outputs import FORMATS
from hongmian.analytics.services import report_build
from hongmian.core.errors import ApplicationError


def _formats(raw: str) -> list[str]:
    """`html,pdf` → ["html", "pdf"]; unknown names are refused by the parser."""
    wanted = [f.strip().lower() for f in raw.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if not wanted or unknown:
        raise argparse.ArgumentTypeError(
            f"未知的报告格式：{'、'.join(unknown) or raw}"
            f"（可选：{','.join(FORMATS)}，可用逗号分隔多个）"
        )
    return list(dict.fromkeys(wanted))


class Command(BaseCommand):
    help = "生成 12345 数据分析报告（JSON、网页、PDF、Word）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, choices=KINDS, help="统计周期")
        parser.add_argument("--month", help="月份 YYYY-MM（--period month）")
        parser.add_argument("--week", help="ISO 周 YYYY-Www（--period week）")
        parser.add_argument("--quarter", help="季度 YYYYQn（--period quarter）")
        parser.add_argument("--start", help="开始日期 YYYY-MM-DD（--period custom）")
        parser.add_argument("--end", help="结束日期 YYYY-MM-DD（含，--period custom）")
        parser.add_argument("--source", required=True, help="分析库目录")
        parser.add_argument(
            "--format",
            default=["json"],
            type=_formats,
            help="输出格式，逗号分隔：json,html,pdf,docx（默认 json）",
        )
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--engine", default="duckdb", choices=ENGINES, help="计算引擎")
        parser.add_argument("--district", help="只统计某区（代码或名称）")
        parser.add_argument("--unit", help="只统计某承办单位（单位代码）")
        parser.add_argument("--top", type=int, default=10, help="排行榜条数")
        parser.add_argument("--memory-limit", default=None, help="DuckDB 内存上限，如 3GB")
        parser.add_argument(
            "--no-hotspots",
            action="store_true",
            help="不读取本库的热点扫描（数据源来自别的系统时）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["period"]
        try:
            period = parse_period(
                kind,
                value=options.get(kind) if kind != "custom" else None,
                start=options["start"],
                end=options["end"],
            )
            built = report_build(
                period=period,
                formats=options["format"],
                source=Path(options["source"]),
                engine=options["engine"],
                district=options["district"],
                unit=options["unit"],
                top_n=options["top"],
                memory_limit=options["memory_limit"],
                hotspots=not options["no_hotspots"],
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
        meta = built.report["meta"]
        self.stdout.write(built.report["narrative"])
        for path in built.write_to(Path(options["out"])):
            self.stdout.write(f"已写入 {path}（{meta['engine']}，{meta['seconds']:.2f} 秒）")
