"""`hongmian analytics`: the analytics store and its pipelines.

    hongmian analytics export --out var/analytics/orders            # dry run: what would change
    hongmian analytics export --out var/analytics/orders --commit   # write it
    hongmian analytics rollup --store var/analytics/orders [--commit] # the daily rollup
    hongmian analytics pipelines                                     # the declared steps, in order

The export is incremental and safe to re-run or to run again after a crash (see
hongmian/analytics/export.py and docs/analytics.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.analytics.export import analytics_export
from hongmian.analytics.pipelines.base import REGISTRY
from hongmian.core.errors import ApplicationError

_REASONS = {
    "new": "新月份",
    "count": "工单数变化",
    "open": "含未办结工单",
    "changed": "有更新",
    "removed": "工单已全部删除，移除分区",
}

_ROLLUP_REASONS = {"new": "新月份", "changed": "分区已重写", "removed": "分区已删除，移除汇总"}


class Command(BaseCommand):
    help = "分析库：导出工单到 Parquet；列出声明的分析流水线"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        p = sub.add_parser("export", help="把工单增量导出到分析库（默认只预演）")
        p.add_argument("--out", required=True, help="分析库目录")
        p.add_argument("--commit", action="store_true", help="真正写入（否则只显示计划）")
        r = sub.add_parser("rollup", help="更新每日汇总（默认只预演）")
        r.add_argument("--store", required=True, help="分析库目录")
        r.add_argument("--commit", action="store_true", help="真正写入（否则只显示计划）")
        sub.add_parser("pipelines", help="列出分析流水线及其步骤")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "export":
                self._export(Path(options["out"]), commit=options["commit"])
            elif options["action"] == "rollup":
                self._rollup(Path(options["store"]), commit=options["commit"])
            else:
                self._pipelines()
        except ApplicationError as exc:
            raise CommandError(exc.message) from None

    def _export(self, out: Path, *, commit: bool) -> None:
        result = analytics_export(
            out=out, commit=commit, progress=lambda msg: self.stdout.write(f"  {msg}")
        )
        if not result.plan:
            self.stdout.write(f"分析库已是最新（{len(result.unchanged)} 个月份无变化）")
            return
        if not commit:
            self.stdout.write("预演（未写入；加 --commit 执行）：")
            for item in result.plan:
                self.stdout.write(f"  {item.key}: {_REASONS[item.reason]}，{item.rows:,} 条")
            self.stdout.write(f"  无变化的月份：{len(result.unchanged)} 个")
            return
        total = sum(result.written.values())
        self.stdout.write(
            f"已导出 {len(result.written)} 个月份、{total:,} 条工单；"
            f"移除 {len(result.removed)} 个分区；{len(result.unchanged)} 个月份无变化"
        )

    def _rollup(self, store: Path, *, commit: bool) -> None:
        from hongmian.analytics.pipelines.rollup import analytics_rollup

        result = analytics_rollup(store=store, commit=commit)
        if not result.plan:
            self.stdout.write(f"每日汇总已是最新（{result.unchanged} 个月份无变化）")
            return
        if not commit:
            self.stdout.write("预演（未写入；加 --commit 执行）：")
            for key, why in result.plan.items():
                self.stdout.write(f"  {key}: {_ROLLUP_REASONS[why]}")
            return
        self.stdout.write(
            f"已汇总 {len(result.written)} 个月份（{sum(result.written.values()):,} 行），"
            f"用时 {result.seconds['aggregate']:.1f} 秒；{result.unchanged - len(result.written)} "
            "个月份无变化"
        )

    def _pipelines(self) -> None:
        # Importing the pipeline modules declares them; the report's narrative step is
        # declared by the report layer that runs it.
        from hongmian.analytics.pipelines import report, rollup  # noqa: F401
        from hongmian.analytics.report import compute  # noqa: F401

        for pipeline in REGISTRY.values():
            self.stdout.write(f"{pipeline.name}: {pipeline.title}")
            for step in pipeline.steps:
                self.stdout.write(f"  {step.order:>4}  {step.name:<16} {step.title}")
