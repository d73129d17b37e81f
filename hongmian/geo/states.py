"""Choices of the geo app: the levels of Guangzhou's administrative divisions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    CITY = "city", _("市")  # 广州市, the root
    DISTRICT = "district", _("区")  # the 11 市辖区
    STREET = "street", _("街道")  # a 街道办事处's area, in the city proper
    TOWN = "town", _("镇")  # a 镇, in the outer districts
    SPECIAL = "special", _("特殊区域")  # township-level statistical units (林场, 水库)


# The township level (乡级): the units a work order is dispatched to below the district.
TOWNSHIP_LEVELS = frozenset({DivisionLevel.STREET, DivisionLevel.TOWN, DivisionLevel.SPECIAL})
