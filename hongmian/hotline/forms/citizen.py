"""The citizen's pages (市民): online submission, tracking with the phone number, and the
caller's own rating of a reply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.hotline.forms.attachments import FilesField
from hongmian.hotline.forms.common import Form, clean_mobile, textarea, yes_no
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.states import (
    Channel,
    RequestType,
    Satisfaction,
)

# A citizen who leaves the title empty gets the start of the content as the title.
DERIVED_TITLE_LENGTH = 30


class CitizenSubmitForm(Form):
    """我要反映 — what a citizen fills in online. Only content, address and phone are
    needed; the rest is optional and folded away in elder mode."""

    content = forms.CharField(label=_("您要反映的问题"), widget=textarea(6))
    address = forms.CharField(
        label=_("问题发生的地址"),
        max_length=300,
        required=False,
        help_text=_("例如：天河区石牌街道华师路1号"),
    )
    caller_phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("用于查询办理进度和接收答复。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    request_type = forms.ChoiceField(
        label=_("诉求类型"), choices=RequestType.choices, initial=RequestType.HELP
    )
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        required=False,
        help_text=_("可不填，系统会用问题的开头作标题。"),
    )
    caller_name = forms.CharField(
        label=_("您的称呼"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confidential = forms.BooleanField(label=_("保密：不向承办单位透露我的身份"), required=False)
    # Declared before the key: shown among the basic fields, after the phone.
    attachments = FilesField(
        label=_("现场照片"),
        help_text=_(
            "可选，最多 9 个，每个不超过 20 MB。照片将随诉求公开展示，拍摄位置等信息会被去除。"
        ),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    ADVANCED_FIELDS = ("request_type", "title", "caller_name", "confidential")

    def clean_caller_phone(self) -> str:
        return clean_mobile(self.cleaned_data["caller_phone"])

    def to_intake(self) -> IntakeRequest:
        """The request the valid form describes, filed online (`Channel.WEB`)."""
        return IntakeRequest.from_values(self.cleaned_data, channel=Channel.WEB)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        content = (data.get("content") or "").strip()
        if content and not (data.get("title") or "").strip():
            data["title"] = content.splitlines()[0][:DERIVED_TITLE_LENGTH]
        return data

    def advanced(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ADVANCED_FIELDS]

    def basic(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if n not in (*self.ADVANCED_FIELDS, "idempotency_key")]


class TrackForm(Form):
    number = forms.CharField(
        label=_("工单号"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("提交时留的手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def clean_phone(self) -> str:
        return clean_mobile(self.cleaned_data["phone"])


class RateForm(TrackForm):
    """The citizen's own 回访, guarded by the same number and phone as tracking."""

    satisfaction = forms.ChoiceField(
        label=_("您对答复是否满意"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    resolved = forms.TypedChoiceField(
        label=_("问题是否已解决"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=yes_no,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("还想说的话"), required=False, max_length=2_000, widget=textarea(3)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("number", "phone"):
            self.fields[name].widget = forms.HiddenInput()
