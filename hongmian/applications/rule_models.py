"""Instant-approval rules (秒批规则) of service items, versioned and reviewed like the
catalogue's content (core.reviews): a department drafts a rule, submits it, a reviewer
publishes it; the version in force at a submission is recorded on the application, so that a
later change never alters a past decision (decision 0066)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.catalog.models import ServiceItem
from hongmian.core.models import ReviewedVersion
from hongmian.core.reviews import VersionState, version_constraints


class RuleVersion(ReviewedVersion):
    """秒批规则版本 — one version of an item's rule (rules.py checks its JSON): the draft or
    the one in review (at most one per item), the one published, and those it replaced."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="instant_rules",
    )
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(
        _("状态"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    rules = models.JSONField(_("规则"), default=dict)
    # The day the rule applies from once published (None: from publication); until then
    # the version it replaces stays in force.
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("秒批规则版本")
        verbose_name_plural = _("秒批规则版本")
        ordering = ["item", "-number"]
        constraints = version_constraints(
            parent="item", prefix="applications_rule", pending_code="rule_version.pending_exists"
        )

    def __str__(self) -> str:
        return f"{self.item_id} rule v{self.number}"
