"""Attachments (附件): the photos and files that come with an order's acts."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongmian.core.models import BaseModel
from hongmian.hotline.models.orders import TimelineEntry, WorkOrder
from hongmian.hotline.states import Visibility


def new_attachment_key() -> str:
    """The attachment's name in URLs: 128 random bits, so that no one lists attachments by
    counting (the download view checks the reader all the same)."""
    return secrets.token_urlsafe(16)


class Attachment(BaseModel):
    """附件 — one photo or file attached to one timeline entry of an order (the intake, a
    progress note, the reply, a callback, or an entry of its own, 添加附件), marked public,
    staff or internal like the timeline (never wider than its entry).

    What is stored is what is served: an image is decoded and written again without its
    metadata (EXIF with the GPS position, XMP, comments) and turned upright; the original
    bytes are not kept (decision 0031). `sha256` is of the file as received — the same file
    twice on one order is stored once — and `stored_sha256` of the file as served.
    Reads go through `attachment_selectors`; the files through the "attachments" storage."""

    key = models.CharField(_("编号"), max_length=32, unique=True, default=new_attachment_key)
    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="attachments"
    )
    entry = models.ForeignKey(
        TimelineEntry,
        verbose_name=_("轨迹"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    visibility = models.CharField(_("可见范围"), max_length=16, choices=Visibility.choices)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256（原文件）"), max_length=64)
    stored_sha256 = models.CharField(_("SHA-256（存储文件）"), max_length=64)
    stored_name = models.CharField(_("存储位置"), max_length=255)
    thumbnail_name = models.CharField(_("缩略图位置"), max_length=255, blank=True)
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
        constraints = [
            # One entry carries a file once, however often it was picked.
            models.UniqueConstraint(
                fields=["entry", "sha256"], name="hotline_attachment_once_per_entry"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values),
                name="hotline_attachment_visibility_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["order", "sha256"], name="hotline_attachment_order_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
