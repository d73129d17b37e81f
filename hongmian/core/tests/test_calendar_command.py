"""`hongmian calendar`: its output, and a clear Chinese error (never a traceback) on bad input."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hongmian.core import calendar
from hongmian.core.models import AuditEvent, CalendarOverride

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.overrides_cache_clear()
    yield
    calendar.overrides_cache_clear()


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    # Commands run in one process here: let the next call see what this one committed.
    calendar.overrides_cache_clear()
    return out.getvalue()


def test_add_workdays_prints_the_date_alone():
    assert run("add-workdays", "2026-09-30", "1") == "2026-10-08\n"
    assert run("add-workdays", "2026-10-08", "-1") == "2026-09-30\n"
    assert run("add-workdays", "2026-10-03", "0") == "2026-10-08\n"


def test_is_workday_says_why():
    assert run("is-workday", "2026-10-10") == "2026-10-10（周六）是工作日：调休上班（国庆节）\n"
    assert run("is-workday", "2026-10-03") == "2026-10-03（周六）不是工作日：法定节假日（国庆节）\n"
    assert run("is-workday", "2026-11-27") == "2026-11-27（周五）是工作日\n"
    assert "官方放假安排尚未收录" in run("is-workday", "2027-01-01")


def test_work_hours_between():
    # Friday 10:00–18:00 (6 h), the make-up Saturday (7 h), Sunday off, Monday 09:00–10:00.
    assert run("work-hours-between", "2026-10-09T10:00", "2026-10-12T10:00") == "14 小时\n"
    assert run("work-hours-between", "2026-10-09 11:00", "2026-10-09T14:15") == "1 小时 15 分钟\n"
    assert run("work-hours-between", "2026-10-09 11:30", "2026-10-09T14:15") == "45 分钟\n"
    assert run("work-hours-between", "2026-10-11T09:00", "2026-10-11T18:00") == "0 小时\n"
    assert run("work-hours-between", "2026-10-09T02:00Z", "2026-10-09T03:00Z") == "1 小时\n"


def test_show_lists_holidays_makeup_days_and_overrides_in_groups():
    run("override", "set", "2026-09-16", "--kind", "holiday", "--name", "台风停工")
    text = run("show", "2026")
    holidays = text.index("法定节假日（共 33 天）")
    makeups = text.index("调休上班（共 6 天）")
    overrides = text.index("日历调整（共 1 条")
    assert holidays < makeups < overrides
    assert "春节：02-15（周日）至 02-23（周一），共 9 天" in text[holidays:makeups]
    assert "国庆节：10-01（周四）至 10-07（周三），共 7 天" in text[holidays:makeups]
    assert "10-10（周六）上班，调休：国庆节" in text[makeups:overrides]
    assert "09-16（周三）放假：台风停工；原为工作日" in text[overrides:]
    assert "全年工作日：247 天" in text
    assert "尚未收录" not in text


def test_show_names_both_festivals_of_a_shared_break():
    assert "国庆节、中秋节：10-01（周三）至 10-08（周三），共 8 天" in run("show", "2025")


def test_show_warns_when_the_year_is_not_official():
    text = run("show", "2027")
    assert "2027 年的官方放假安排尚未收录" in text
    assert "全年工作日：261 天" in text


def test_override_set_and_remove():
    out = run(
        "override", "set", "2026-09-16", "--kind", "holiday", "--name", "台风停工",
        "--reason", "市三防指挥部停工令",
    )  # fmt: skip
    assert out == "已设置日历调整：2026-09-16（周三）放假：台风停工\n"
    assert run("add-workdays", "2026-09-15", "1") == "2026-09-17\n"
    event = AuditEvent.objects.get()
    assert (event.via, event.actor_label) == ("cli", "system:calendar-cli")
    assert CalendarOverride.objects.get().reason == "市三防指挥部停工令"

    assert run("override", "remove", "2026-09-16") == "已删除日历调整：2026-09-16，恢复官方安排\n"
    assert run("add-workdays", "2026-09-15", "1") == "2026-09-16\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add-workdays", "2026-13-01", "1"), "日期不存在：“2026-13-01”"),
        (("add-workdays", "2026-02-30", "1"), "日期不存在"),
        (("add-workdays", "abc", "1"), "日期格式不正确：“abc”"),
        (("add-workdays", "2026/10/01", "1"), "应为 YYYY-MM-DD"),
        (("add-workdays", "2026-10-01", "1.5"), "工作日数必须是整数：“1.5”"),
        (("add-workdays", "2026-10-01", "x"), "工作日数必须是整数"),
        (("add-workdays", "2026-10-01", "99999999"), "工作日数应在"),
        (("is-workday", "2026-00-10"), "日期不存在"),
        (("work-hours-between", "2026-10-09T25:00", "2026-10-12T10:00"), "时间不存在"),
        (("work-hours-between", "tomorrow", "2026-10-12T10:00"), "时间格式不正确"),
        (("show", "abc"), "年份必须是整数"),
        (("show", "0"), "年份应在 1–9999 之间"),
        (("override", "set", "2026-09-16", "--kind", "typhoon", "--name", "x"), "类型只能是"),
        (("override", "set", "2026-09-16", "--kind", "holiday", "--name", " "), "请填写名称"),
        (("override", "remove", "2026-09-16"), "2026-09-16 没有日历调整"),
    ],
)
def test_bad_input_is_a_command_error_in_chinese(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("calendar", *args, stdout=StringIO())
    assert not CalendarOverride.objects.exists()


def test_bad_input_from_the_shell_exits_1_without_a_traceback():
    # Parsing fails before the database is touched, so this runs on any checkout.
    done = subprocess.run(
        [sys.executable, "-m", "hongmian", "calendar", "add-workdays", "2026-13-01", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "日期不存在：“2026-13-01”" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
