"""`hongmian calendar`: look at the business calendar (营业日历) and keep its overrides.

    hongmian calendar add-workdays 2026-09-30 1        → 2026-10-08
    hongmian calendar is-workday 2026-10-10
    hongmian calendar work-hours-between 2026-10-09T10:00 2026-10-12T10:00
    hongmian calendar show 2026
    hongmian calendar override set 2026-09-16 --kind holiday --name 台风停工 --reason "市政府通知"
    hongmian calendar override remove 2026-09-16

Times without a zone are Beijing time. Bad input ends with a Chinese message and exit code 1.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import chinese_calendar
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.core.models import CalendarOverride
from hongmian.core.services import calendar_override_remove, calendar_override_set

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_WEEKDAYS = "一二三四五六日"
# About forty years of working days: more is a typo, and would walk the calendar to year 9999.
_MAX_WORKDAYS = 10_000


def parse_date(raw: str) -> dt.date:
    if not _DATE.match(raw):
        raise CommandError(f"日期格式不正确：“{raw}”，应为 YYYY-MM-DD，例如 2026-10-08")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期不存在：“{raw}”（月份应为 01–12，日不能超出当月天数）") from None


def parse_datetime(raw: str) -> dt.datetime:
    if not _DATETIME.match(raw):
        raise CommandError(
            f"时间格式不正确：“{raw}”，应为 YYYY-MM-DDTHH:MM（北京时间），例如 2026-10-09T10:00"
        )
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"时间不存在：“{raw}”") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=calendar.CALENDAR_TZ)


def parse_int(raw: str, what: str) -> int:
    if not _INTEGER.match(raw):
        raise CommandError(f"{what}必须是整数：“{raw}”")
    return int(raw)


def weekday(d: dt.date) -> str:
    return f"周{_WEEKDAYS[d.weekday()]}"


def describe_duration(value: dt.timedelta) -> str:
    hours, rest = divmod(int(value.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} 小时"] if hours or not (minutes or seconds) else []
    if minutes:
        parts.append(f"{minutes} 分钟")
    if seconds:
        parts.append(f"{seconds} 秒")
    return " ".join(parts)


def describe_day(info: calendar.DayInfo) -> str:
    head = f"{info.day:%Y-%m-%d}（{weekday(info.day)}）{'是' if info.is_workday else '不是'}工作日"
    if info.kind == calendar.DayKind.WORKDAY:
        text = head
    else:
        text = f"{head}：{info.kind.label}" + (f"（{info.name}）" if info.name else "")
    if not info.official:
        text += f"；{info.day.year} 年官方放假安排尚未收录，按周一至周五计算"
    return text


def _runs(days: list[calendar.DayInfo]) -> Iterator[list[calendar.DayInfo]]:
    """Consecutive dates grouped together: one holiday break per group."""
    for _, group in groupby(enumerate(days), key=lambda p: p[1].day.toordinal() - p[0]):
        yield [info for _, info in group]


class Command(BaseCommand):
    help = "营业日历：查询工作日、计算期限、维护日历调整（台风停工、本地假日、次年安排）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")

        p = sub.add_parser("add-workdays", help="某日之后第 N 个工作日（N 可为负数或 0）")
        p.add_argument("date", help="YYYY-MM-DD")
        p.add_argument("n", help="工作日数（整数）")

        p = sub.add_parser("is-workday", help="某日是否工作日，以及原因")
        p.add_argument("date", help="YYYY-MM-DD")

        p = sub.add_parser("work-hours-between", help="两个时间之间的办公时长")
        p.add_argument("start", help="YYYY-MM-DDTHH:MM（北京时间）")
        p.add_argument("end", help="YYYY-MM-DDTHH:MM（北京时间）")

        p = sub.add_parser("show", help="列出某年的法定节假日、调休上班和日历调整")
        p.add_argument("year", help="年份，例如 2026")

        p = sub.add_parser("override", help="设置或删除日历调整")
        override = p.add_subparsers(dest="override_action", required=True, metavar="操作")
        s = override.add_parser("set", help="把某日设为上班或放假")
        s.add_argument("date", help="YYYY-MM-DD")
        s.add_argument("--kind", required=True, help="workday（上班）或 holiday（放假）")
        s.add_argument("--name", required=True, help="名称，例如 台风停工")
        s.add_argument("--reason", default="", help="原因或依据，例如 市政府通知")
        r = override.add_parser("remove", help="删除某日的日历调整")
        r.add_argument("date", help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "override":
            action = f"override-{options['override_action']}"
        try:
            getattr(self, "do_" + action.replace("-", "_"))(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        except DatabaseError as exc:
            raise CommandError(
                f"数据库出错（尚未建表？请先运行 hongmian migrate）：{exc}"
            ) from None

    def do_add_workdays(self, options: dict[str, Any]) -> None:
        day = parse_date(options["date"])
        n = parse_int(options["n"], "工作日数")
        if abs(n) > _MAX_WORKDAYS:
            raise CommandError(f"工作日数应在 -{_MAX_WORKDAYS} 到 {_MAX_WORKDAYS} 之间：{n}")
        self.stdout.write(f"{calendar.add_workdays(day, n):%Y-%m-%d}")

    def do_is_workday(self, options: dict[str, Any]) -> None:
        self.stdout.write(describe_day(calendar.day_kind(parse_date(options["date"]))))

    def do_work_hours_between(self, options: dict[str, Any]) -> None:
        start, end = parse_datetime(options["start"]), parse_datetime(options["end"])
        self.stdout.write(describe_duration(calendar.working_time_between(start, end)))

    def do_show(self, options: dict[str, Any]) -> None:
        year = parse_int(options["year"], "年份")
        if not 1 <= year <= 9999:
            raise CommandError(f"年份应在 1–9999 之间：{year}")
        first = dt.date(year, 1, 1)
        days = [
            first + dt.timedelta(days=i) for i in range((dt.date(year, 12, 31) - first).days + 1)
        ]
        official = [calendar.day_kind(d, include_overrides=False) for d in days]
        holidays = [i for i in official if i.kind == calendar.DayKind.HOLIDAY]
        makeups = [i for i in official if i.kind == calendar.DayKind.MAKEUP_WORKDAY]
        overrides = list(CalendarOverride.objects.filter(date__year=year).order_by("date"))
        out = self.stdout

        library = f"chinese_calendar {chinese_calendar.__version__}"
        out.write(f"{year} 年营业日历")
        if calendar.year_is_official(year):
            out.write(f"官方放假安排：已收录（国务院办公厅通知，据 {library}）")
        else:
            known = sorted({d.year for d in chinese_calendar.holidays})
            out.write(
                f"注意：{year} 年的官方放假安排尚未收录"
                f"（{library} 收录 {known[0]}–{known[-1]} 年），"
                "按周一至周五上班计算，另加下列日历调整。"
            )
        out.write("")
        out.write(f"法定节假日（共 {len(holidays)} 天）：")
        for run in _runs(holidays):
            names = "、".join(dict.fromkeys(i.name for i in run))
            start, end = run[0].day, run[-1].day
            span = f"{start:%m-%d}（{weekday(start)}）"
            if end != start:
                span += f"至 {end:%m-%d}（{weekday(end)}）"
            out.write(f"  {names}：{span}，共 {len(run)} 天")
        if not holidays:
            out.write("  （无）")

        out.write("")
        out.write(f"调休上班（共 {len(makeups)} 天）：")
        for info in makeups:
            out.write(f"  {info.day:%m-%d}（{weekday(info.day)}）上班，调休：{info.name}")
        if not makeups:
            out.write("  （无）")

        out.write("")
        out.write(f"日历调整（共 {len(overrides)} 条，优先于官方安排）：")
        for o in overrides:
            was = official[(o.date - first).days]
            was_text = f"{was.kind.label}（{was.name}）" if was.name else str(was.kind.label)
            line = f"  {o.date:%m-%d}（{weekday(o.date)}）{o.get_kind_display()}：{o.name}"
            if o.reason:
                line += f"；原因：{o.reason}"
            out.write(f"{line}；原为{was_text}")
        if not overrides:
            out.write("  （无）")

        out.write("")
        out.write(f"全年工作日：{len(calendar.workdays_in_year(year))} 天")

    def do_override_set(self, options: dict[str, Any]) -> None:
        saved = calendar_override_set(
            actor=Actor.cli(None, label="calendar-cli"),
            day=parse_date(options["date"]),
            kind=options["kind"],
            name=options["name"],
            reason=options["reason"],
        )
        self.stdout.write(
            f"已设置日历调整：{saved.date:%Y-%m-%d}（{weekday(saved.date)}）"
            f"{saved.get_kind_display()}：{saved.name}"
        )

    def do_override_remove(self, options: dict[str, Any]) -> None:
        day = parse_date(options["date"])
        calendar_override_remove(actor=Actor.cli(None, label="calendar-cli"), day=day)
        self.stdout.write(f"已删除日历调整：{day:%Y-%m-%d}，恢复官方安排")
