"""Choices of the insights app: what a classifier predicts, and where the right answer for
one of its suggestions came from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassifierTarget(models.TextChoices):
    """What a classifier predicts for an order (classifier/)."""

    CATEGORY_L1 = "category_l1", _("一级分类")
    CATEGORY_L2 = "category_l2", _("二级分类")
    CATEGORY_L3 = "category_l3", _("三级分类")
    UNIT = "unit", _("承办单位")


class FeedbackSource(models.TextChoices):
    """Where the right answer for a classifier's suggestion came from."""

    AGENT_CORRECTION = "agent_correction", _("坐席确认或更正")  # category chosen at intake
    RETURN = "return", _("退单")  # an accepted return: the unit was wrong, the new one is right
    DISPATCH = "dispatch", _("派单")  # the unit the centre dispatched to
