"""The operations centre's choices: where an indicator's rows come from, how they are
measured and grouped, which way a threshold points, the lights and the alerts' kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    HOTLINE_ORDERS = "hotline_orders", _("12345 工单")  # by the day an order was received
    BOOKINGS = "bookings", _("预约")  # by the day of the booked slot
    APPLICATIONS = "applications", _("办件")  # by the day an application was submitted
    DATASET = "dataset", _("数据资源")  # a dataset ingested into the hub's Parquet store


class Measure(models.TextChoices):
    COUNT = "count", _("计数")  # rows
    SUM = "sum", _("求和")  # of a numeric field
    AVG = "avg", _("平均")  # of a numeric field; no rows: no value


class GroupBy(models.TextChoices):
    NONE = "", _("不分组")
    DISTRICT = "district", _("按区")  # the screen's district map shows the breakdown


class Direction(models.TextChoices):
    ABOVE = "above", _("高于阈值告警")  # e.g. complaints: more is worse
    BELOW = "below", _("低于阈值告警")  # e.g. an on-time rate: less is worse


class Level(models.TextChoices):
    OK = "ok", _("正常")  # green
    WARN = "warn", _("预警")  # yellow: shown, no task
    ALARM = "alarm", _("告警")  # red: a task to the owner unit
    NO_DATA = "nodata", _("无数据")  # grey: an average over no rows


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", _("阈值告警")  # the value crossed the alarm threshold
    ANOMALY = "anomaly", _("异常波动")  # the value left mean ± k·sd of the last 28 days


# Filter operators of the declarative formula.
FILTER_OPS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte")
