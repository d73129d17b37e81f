"""`hongmian reply_check`: score replies for relevance, completeness and timeliness, and flag
perfunctory ones (敷衍答复), from a CSV file.

    hongmian reply_check --input FILE --reply-column 答复意见 --request-column 留言详情 \\
        [--title-column 留言主题] [--id-column 留言编号] \\
        [--request-time-column 留言时间 --reply-time-column 答复时间 \\
         [--deadline-workdays 15]] --output FILE.jsonl

One JSON object per line, in the file's order: the row's id (or line number), score 0–100,
needs_review, flags with their Chinese labels, reasons and the three parts. Timeliness is
scored only when both time columns are given: the deadline is the request time plus
--deadline-workdays working days (the business calendar, with its overrides). The rules are
hongmian/insights/analysis/reply_quality.py. Bad input ends with a Chinese message and exit
code 1.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from hongmian.core.calendar import add_workdays
from hongmian.core.tables import TableError
from hongmian.insights.analysis.reply_quality import FLAG_LABELS, assess_reply
from hongmian.insights.analysis.tables import read_table


class Command(BaseCommand):
    help = "答复质量检查：相关性、完整性、及时性评分，标记敷衍答复"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, required=True, help="CSV 文件（UTF-8，带表头）")
        parser.add_argument("--reply-column", required=True, help="答复内容列")
        parser.add_argument("--request-column", required=True, help="诉求内容列")
        parser.add_argument("--title-column", help="诉求标题列")
        parser.add_argument("--id-column", help="编号列（缺省为行号）")
        parser.add_argument("--request-time-column", help="诉求时间列")
        parser.add_argument("--reply-time-column", help="答复时间列")
        parser.add_argument(
            "--deadline-workdays", type=int, default=15, help="答复时限（工作日，默认 15）"
        )
        parser.add_argument("--output", type=Path, required=True, help="输出 JSONL 文件")

    def handle(self, *args: Any, **opts: Any) -> None:
        timed = [opts["request_time_column"], opts["reply_time_column"]]
        if any(timed) and not all(timed):
            raise CommandError("--request-time-column 与 --reply-time-column 须同时给出")
        if opts["deadline_workdays"] < 1:
            raise CommandError("--deadline-workdays 必须是正整数")
        columns = {
            "--reply-column": opts["reply_column"],
            "--request-column": opts["request_column"],
            "--title-column": opts["title_column"],
            "--id-column": opts["id_column"],
            "--request-time-column": opts["request_time_column"],
            "--reply-time-column": opts["reply_time_column"],
        }
        try:
            table = read_table(opts["input"])
            table.require(columns)
            n = len(table.rows)
            replies = table.texts(opts["reply_column"])
            requests = table.texts(opts["request_column"])
            titles = table.texts(opts["title_column"]) if opts["title_column"] else [""] * n
            ids = (
                table.texts(opts["id_column"])
                if opts["id_column"]
                else [f"line {line}" for line, _row in table.rows]
            )
            asked = table.times(opts["request_time_column"]) if all(timed) else [None] * n
            answered = table.times(opts["reply_time_column"]) if all(timed) else [None] * n
        except TableError as exc:
            raise CommandError(str(exc)) from None
        try:
            deadlines = [_deadline(a, opts["deadline_workdays"]) for a in asked]
        except DatabaseError:
            # The business calendar keeps its overrides in the database.
            raise CommandError(
                "读取工作日历失败：请先运行 hongmian migrate（或不给时间列，不评及时性）"
            ) from None
        flags: Counter[str] = Counter()
        review = 0
        lines = []
        for i in range(n):
            assessment = assess_reply(
                request_title=titles[i],
                request_text=requests[i],
                reply=replies[i],
                requested_at=asked[i],
                replied_at=answered[i],
                due_at=deadlines[i],
            )
            flags.update(assessment.flags)
            review += assessment.needs_review
            lines.append(
                json.dumps(
                    {"id": ids[i], **assessment.as_dict(), "labels": assessment.labels},
                    ensure_ascii=False,
                )
            )
        try:
            opts["output"].write_text("\n".join(lines) + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法写入 {opts['output']}：{exc.strerror}") from None
        counts = "，".join(f"{FLAG_LABELS.get(f, f)} {c}" for f, c in flags.most_common())
        self.stdout.write(
            f"{n} 条答复，{review} 条需复核（{counts or '无标记'}），结果已写入 {opts['output']}"
        )


def _deadline(asked: dt.datetime | None, workdays: int) -> dt.datetime | None:
    """The end of the `workdays`-th working day after the request (the request's own day
    does not count, as with the platform's working-day clocks)."""
    if asked is None:
        return None
    day = add_workdays(asked.date(), workdays)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=asked.tzinfo)
