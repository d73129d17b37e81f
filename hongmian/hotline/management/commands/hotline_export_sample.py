"""`hongmian hotline_export_sample --rows N --out FILE.csv`: a made-up historical export in
the format `hotline_import` reads, to try or benchmark the import without real records."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hongmian.hotline.demo.export import sample_export_rows
from hongmian.hotline.demo.text import CategoryRef, topic_categories
from hongmian.hotline.models import Category
from hongmian.hotline.services.imports import IMPORT_COLUMNS
from hongmian.hotline.services.taxonomy import read_taxonomy_csv


def _categories() -> list[CategoryRef]:
    """The database's categories; the default taxonomy file's when none is loaded yet."""
    rows = [
        CategoryRef(code, name, level, keywords)
        for code, name, level, keywords in Category.objects.filter(is_active=True).values_list(
            "code", "name", "level", "keywords"
        )
    ]
    return rows or [CategoryRef(r.code, r.name, r.level, r.keywords) for r in read_taxonomy_csv()]


class Command(BaseCommand):
    help = "生成一份虚构的历史工单导出文件（导入格式），用于试用和压测 hotline_import。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=10_000, help="行数（默认 10000）")
        parser.add_argument("--out", type=Path, required=True, help="输出 CSV 文件")
        parser.add_argument("--seed", type=int, default=12345, help="随机种子（默认 12345）")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["rows"]
        if count < 0:
            raise CommandError("--rows 不能为负数")
        out: Path = options["out"]
        started = time.perf_counter()
        categories = topic_categories(_categories())
        out.parent.mkdir(parents=True, exist_ok=True)
        # UTF-8 with a BOM: spreadsheet programs then open the Chinese text correctly.
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=IMPORT_COLUMNS)
            writer.writeheader()
            writer.writerows(
                sample_export_rows(count=count, categories=categories, seed=options["seed"])
            )
        seconds = time.perf_counter() - started
        rate = count / max(seconds, 1e-9)
        self.stdout.write(f"已写入 {count} 行到 {out}（{seconds:.1f} 秒，{rate:,.0f} 行/秒）")
