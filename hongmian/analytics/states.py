"""Choices of the analytics app: how a report issue came about and where it stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssueStatus(models.TextChoices):
    READY = "ready", _("已生成")  # every file is written and may be downloaded
    FAILED = "failed", _("生成失败")  # the error is recorded; nothing to download


class IssueTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("定时生成")  # the weekly / monthly schedule (tasks.py)
    MANUAL = "manual", _("手工生成")  # a person asked for it (command or page)


class PeriodKind(models.TextChoices):
    WEEK = "week", _("周报")
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")
    CUSTOM = "custom", _("专题")


# The files of an issue, by download name: format → (field, content type).
ISSUE_FILES = {
    "html": ("html_file", "text/html; charset=utf-8"),
    "pdf": ("pdf_file", "application/pdf"),
    "docx": (
        "docx_file",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
