"""Attachments (附件) on the forms: the multiple-file field with its type and count checks,
and the two forms that only add files (a caller's on 我的诉求, staff's on the order page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.hotline.forms.common import Form
from hongmian.hotline.states import (
    Visibility,
)

# What the file picker offers; the service judges each file by its content all the same.
ATTACHMENT_ACCEPT = (
    "image/jpeg,image/png,image/webp,application/pdf,.docx,.xlsx,video/mp4,video/quicktime,"
    ".m4a,.mp3,.amr"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of files (the picker's `multiple`), as a list; empty when none. Size and
    type are the attachment service's to check (`attachment.too_large`, `….type_mismatch`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("附件"))
        kwargs.setdefault(
            "help_text", _("可选多个文件：照片、PDF、Word、Excel、音视频，每个不超过 20 MB。")
        )
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT, "multiple": True})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class CallerAttachForm(Form):
    """补充照片 — the caller adds photos to their own open order ("我的诉求")."""

    attachments = FilesField(
        label=_("补充照片或材料"),
        help_text=_("照片将随诉求公开展示，拍摄位置等信息会被去除。"),
    )


class AttachForm(Form):
    """添加附件 on the order page, outside any act."""

    attachments = FilesField(label=_("选择文件"))
    visibility = forms.ChoiceField(
        label=_("可见范围"),
        choices=[
            (Visibility.PUBLIC, _("公开（诉求人查询时可见）")),
            (Visibility.STAFF, _("仅工作人员")),
            (Visibility.INTERNAL, _("内部（仅热线中心）")),
        ],
        initial=Visibility.STAFF,
    )
