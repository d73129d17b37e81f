"""Saved views of the queues (Zammad's overviews): a named set of filters a member of staff
keeps for a list they open every day. The built-in views of each role are code
(hotline/queues.py, `BUILTIN_VIEWS`); these are the personal ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel


class SavedView(BaseModel):
    """我的视图 — one user's named filters on one queue (`queue`: search, inbox, board,
    callbacks). `query` is the filter as its canonical query string
    (`QueueFilter.query_string()`), so that opening it is following a link."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所有人"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    queue = models.CharField(_("列表"), max_length=16)
    name = models.CharField(_("名称"), max_length=30)
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "queue", "name"], name="hotline_saved_view_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}:{self.queue}:{self.name}"
