"""Guangzhou's administrative divisions."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.geo.states import DivisionLevel

division_code_validator = RegexValidator(
    r"^\d{9}$", _("行政区划代码应为 9 位数字"), code="division.code_invalid"
)


class Division(BaseModel):
    """行政区划 — the city, a district (区) or a township-level unit (街道, 镇, 特殊区域).

    `code` is the National Bureau of Statistics division code padded to 9 digits at every
    level (440100000 city, 440106000 天河区, 440106006 石牌街道). Rows are loaded from the
    project's data file by `services.divisions_load`; nothing else writes them.
    """

    code = models.CharField(
        _("行政区划代码"), max_length=9, unique=True, validators=[division_code_validator]
    )
    name = models.CharField(_("名称"), max_length=50)
    # The name without its level suffix (天河 for 天河区, 石牌 for 石牌街道), as people say it.
    short_name = models.CharField(_("简称"), max_length=50)
    level = models.CharField(_("级别"), max_length=16, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[level.value for level in DivisionLevel]),
                name="geo_division_level_valid",
            ),
            # Only the city stands without a parent.
            models.CheckConstraint(
                condition=Q(level=DivisionLevel.CITY) | Q(parent__isnull=False),
                name="geo_division_parent_required",
            ),
        ]

    def __str__(self) -> str:
        return self.name
