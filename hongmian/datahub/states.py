"""Choices of the data hub's catalogue (GB/T 21063 政务信息资源目录; GB/T 43697-2024 数据分类分级)
and the outcomes of an ingestion run."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable


class SharingType(models.TextChoices):
    """共享类型 of GB/T 21063: who among the departments may use the data."""

    UNCONDITIONAL = "unconditional", _("无条件共享")  # every department, no request needed
    CONDITIONAL = "conditional", _("有条件共享")  # by an approved request, under conditions
    NOT_SHARED = "not_shared", _("不予共享")  # stays with the provider; the legal basis says why


class OpenType(models.TextChoices):
    """开放类型: what the public may get."""

    OPEN = "open", _("无条件开放")
    CONDITIONAL = "conditional", _("有条件开放")
    NOT_OPEN = "not_open", _("不予开放")


class Frequency(models.TextChoices):
    """更新周期. `period()` is how long a load may be late before timeliness drops."""

    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    IRREGULAR = "irregular", _("不定期")


FREQUENCY_PERIOD: dict[str, dt.timedelta | None] = {
    Frequency.REALTIME: dt.timedelta(hours=1),
    Frequency.DAILY: dt.timedelta(days=1),
    Frequency.WEEKLY: dt.timedelta(days=7),
    Frequency.MONTHLY: dt.timedelta(days=31),
    Frequency.QUARTERLY: dt.timedelta(days=92),
    Frequency.YEARLY: dt.timedelta(days=366),
    Frequency.IRREGULAR: None,  # never late
}

# dct:accrualPeriodicity in the DCAT export (the EU frequency vocabulary DCAT-AP names).
FREQUENCY_EU: dict[str, str] = {
    Frequency.REALTIME: "UPDATE_CONT",
    Frequency.DAILY: "DAILY",
    Frequency.WEEKLY: "WEEKLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.YEARLY: "ANNUAL",
    Frequency.IRREGULAR: "IRREG",
}


class Grade(models.TextChoices):
    """数据分级 of GB/T 43697-2024, per field."""

    GENERAL = "general", _("一般数据")
    IMPORTANT = "important", _("重要数据")
    CORE = "core", _("核心数据")


class SourceKind(models.TextChoices):
    FILE = "file", _("文件/投递目录")  # CSV/XLSX/JSONL through core.tables
    POSTGRES = "postgres", _("PostgreSQL 查询")
    REST = "rest", _("JSON/REST 接口")


class RunOutcome(models.TextChoices):
    LOADED = "loaded", _("已入库")  # every row read; good rows loaded (rejects may exist)
    DRY_RUN = "dry_run", _("试运行")  # checked, nothing written
    FAILED = "failed", _("失败")  # nothing loaded; `error_code` says why


class RequestStatus(models.TextChoices):
    """共享申请 states (issue 15 item 3): a request is answered once; an approved one is a
    grant until it expires or the provider revokes it."""

    REQUESTED = "requested", _("待审核")  # the consumer asked; the provider has not answered
    APPROVED = "approved", _("已批准")  # a live grant (inside its period, it reads rows)
    REFUSED = "refused", _("已拒绝")  # answered no, with a reason
    EXPIRED = "expired", _("已过期")  # the period ended (sharing_requests_expire)
    REVOKED = "revoked", _("已撤销")  # the provider withdrew the grant, with a reason


SHARING_TRANSITIONS = TransitionTable.build(
    "datahub.sharing",
    {
        RequestStatus.REQUESTED: {RequestStatus.APPROVED, RequestStatus.REFUSED},
        RequestStatus.APPROVED: {RequestStatus.EXPIRED, RequestStatus.REVOKED},
        RequestStatus.REFUSED: set(),
        RequestStatus.EXPIRED: set(),
        RequestStatus.REVOKED: set(),
    },
)


class CallOutcome(models.TextChoices):
    """What one call of the rows API got (every call is recorded, refused ones too)."""

    SERVED = "served", _("已返回")  # rows returned (possibly none, possibly cut by the quota)
    QUOTA = "quota", _("超出配额")  # the day's row quota was used up: 429
    EXPIRED = "expired", _("授权过期")  # the grant's period is over: 403
