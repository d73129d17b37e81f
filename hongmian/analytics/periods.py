"""Report periods (统计周期): a week, a month, a quarter or a custom range of Beijing dates,
with the period before it (环比) and the same period a year earlier (同比)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext

from hongmian.analytics.schema import TZ
from hongmian.core.errors import ValidationFailed

KINDS = ("week", "month", "quarter", "custom")
_QUARTER_NAMES = "一二三四"
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
# A custom range longer than this is almost surely a typo (and a whole-history scan).
MAX_CUSTOM_DAYS = 366 * 20


def _bad(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code="analytics.bad_period", fields={field: [message]})


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _month_start(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{_QUARTER_NAMES[(self.start.month - 1) // 3]}季度"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周（{self.start:%m月%d日}—{self.end:%m月%d日}）"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    @property
    def noun(self) -> str:
        """How the narrative names it: 本月, 本周 …"""
        return {"week": "本周", "month": "本月", "quarter": "本季度"}.get(self.kind, "本期")

    def previous(self) -> Period:
        """The period just before (环比): the week, month or quarter before, or for a custom
        range the same number of days ending the day before."""
        if self.kind == "week":
            return Period(
                "week", self.start - dt.timedelta(days=7), self.end - dt.timedelta(days=7)
            )
        if self.kind in ("month", "quarter"):
            months = 1 if self.kind == "month" else 3
            start = _month_start(self.start.year, self.start.month - months)
            return Period(self.kind, start, self.start - dt.timedelta(days=1))
        return Period(
            "custom", self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1)
        )

    def year_ago(self) -> Period:
        """The same period a year earlier (同比). A week goes back 52 weeks, so that weekdays
        line up (working days and weekends carry very different volumes)."""
        if self.kind == "week":
            return Period(
                "week", self.start - dt.timedelta(weeks=52), self.end - dt.timedelta(weeks=52)
            )
        if self.kind in ("month", "quarter"):
            start = self.start.replace(year=self.start.year - 1)
            following = self.end + dt.timedelta(days=1)
            return Period(
                self.kind, start, following.replace(year=following.year - 1) - dt.timedelta(days=1)
            )
        return Period("custom", _shift_year(self.start, -1), _shift_year(self.end, -1))

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
        }


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


def parse_period(
    kind: str,
    *,
    value: str | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    today_: dt.date | None = None,
) -> Period:
    """Build a period from the CLI's words: week "2026-W40", month "2026-10", quarter
    "2026Q4", or custom start/end dates. A period that has not begun yet, or one that ends
    before it starts, is refused with a code."""
    if kind not in KINDS:
        raise _bad(
            gettext("统计周期应为 %(value0)s：“%(kind)s”")
            % {"value0": " / ".join(KINDS), "kind": kind},
            "period",
        )
    if kind == "custom":
        period = Period("custom", _date(start, "start"), _date(end, "end"))
        if period.end < period.start:
            raise ValidationFailed(
                gettext("统计区间为空：结束日期 %(end)s 早于开始日期 %(start)s")
                % {"end": period.end, "start": period.start},
                code="analytics.empty_period",
                fields={"end": ["before start"]},
            )
        if period.days > MAX_CUSTOM_DAYS:
            raise _bad(gettext("统计区间过长：%(days)s 天") % {"days": period.days}, "end")
    else:
        raw = (value or "").strip()
        period = {"week": _week, "month": _month, "quarter": _quarter}[kind](raw)
    now = today_ or today()
    if period.start > now:
        raise ValidationFailed(
            f"{period.label}尚未开始（今天是 {now:%Y-%m-%d}），无法出具报告",
            code="analytics.future_period",
            fields={"period": ["in the future"]},
        )
    return period


def _date(raw: str | dt.date | None, field: str) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        raise _bad(
            gettext("日期格式不正确：“%(raw)s”，应为 YYYY-MM-DD") % {"raw": raw}, field
        ) from None


def _week(raw: str) -> Period:
    m = _WEEK.match(raw)
    if not m:
        raise _bad(
            gettext("周的格式不正确：“%(raw)s”，应为 YYYY-Www，例如 2026-W40") % {"raw": raw},
            "week",
        )
    try:
        monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise _bad(gettext("该年没有这一周：“%(raw)s”") % {"raw": raw}, "week") from None
    return Period("week", monday, monday + dt.timedelta(days=6))


def _month(raw: str) -> Period:
    m = _MONTH.match(raw)
    if not m or not 1 <= int(m[2]) <= 12:
        raise _bad(
            gettext("月份格式不正确：“%(raw)s”，应为 YYYY-MM，例如 2026-10") % {"raw": raw}, "month"
        )
    start = dt.date(int(m[1]), int(m[2]), 1)
    return Period("month", start, _month_start(start.year, start.month + 1) - dt.timedelta(days=1))


def _quarter(raw: str) -> Period:
    m = _QUARTER.match(raw)
    if not m:
        raise _bad(
            gettext("季度格式不正确：“%(raw)s”，应为 YYYYQn，例如 2026Q4") % {"raw": raw}, "quarter"
        )
    start = dt.date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
    return Period(
        "quarter", start, _month_start(start.year, start.month + 3) - dt.timedelta(days=1)
    )


__all__ = ["KINDS", "Period", "parse_period", "today"]
