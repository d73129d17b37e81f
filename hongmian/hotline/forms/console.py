"""The agent's console (坐席工作台): the intake form, dispatch, direct answer and search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.core.validators import DB_ID_MAX
from hongmian.hotline.forms.attachments import FilesField
from hongmian.hotline.forms.common import (
    CategoryChoiceField,
    Form,
    UnitChoiceField,
    UnitsChoiceField,
    VersionForm,
    textarea,
)
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.states import (
    Channel,
    Priority,
    RequestType,
)


class IntakeForm(Form):
    """受理 — what the agent types while the caller speaks. The field order is the focus
    order; the shortcuts are shown next to the labels."""

    # Alt+4 goes to the category filter, which the template adds beside the select.
    shortcuts = {"caller_phone": "1", "title": "2", "address": "3"}

    caller_phone = forms.CharField(
        label=_("来电号码"),
        max_length=20,
        required=False,
        # Every call starts here, so focus waits here: the agent's own screen, used all day.
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True}
        ),
    )
    caller_name = forms.CharField(label=_("诉求人"), max_length=50, required=False)
    confidential = forms.BooleanField(label=_("保密（不向承办单位显示诉求人）"), required=False)
    channel = forms.ChoiceField(
        label=_("渠道"),
        # An agent never files a system alert (the platform raises those itself).
        choices=[c for c in Channel.choices if c[0] != Channel.SYSTEM],
        initial=Channel.PHONE,
    )
    request_type = forms.ChoiceField(
        label=_("诉求类型"), choices=RequestType.choices, initial=RequestType.HELP
    )
    # Optional, as at every door: a blank title is derived by the intake service.
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        required=False,
        help_text=_("可不填：留空时以“分类：诉求内容第一句”作标题。"),
    )
    content = forms.CharField(label=_("诉求内容"), widget=textarea(5))
    address = forms.CharField(
        label=_("地址"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    category = CategoryChoiceField(label=_("分类"), required=False)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial="normal")
    is_enterprise = forms.BooleanField(label=_("涉企诉求"), required=False)
    is_emergency = forms.BooleanField(label=_("应急（三区等应急标签）"), required=False)
    # Not part of the request: the unit the dispatch page preselects after 受理. The
    # catalogue's unit for the category and address fills it until the agent picks one.
    lead_unit = UnitChoiceField(label=_("拟派承办单位"), blank=_("（受理后再选）"), required=False)
    answer = forms.CharField(label=_("答复内容"), required=False, widget=textarea(3))
    attachments = FilesField(
        label=_("照片或材料"), help_text=_("随工单受理保存，诉求人查询时可见。")
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def to_intake(self) -> IntakeRequest:
        """The request the valid form describes (the answer and the key are not part of it)."""
        return IntakeRequest.from_values(self.cleaned_data)


class DispatchForm(Form):
    """派单 / 改派 — the catalogue's unit is preselected by the view and may be changed."""

    lead_unit = UnitChoiceField(label=_("主办单位"), blank=_("请选择"))
    co_units = UnitsChoiceField(
        label=_("协办单位"),
        required=False,
        help_text=_("按住 Ctrl 可多选；可不选。"),
    )
    note = forms.CharField(label=_("派单说明"), required=False, widget=textarea(2))
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )


class DirectAnswerForm(VersionForm):
    answer = forms.CharField(label=_("答复内容"), widget=textarea(4))


class SearchForm(Form):
    shortcuts = {"q": "f"}

    q = forms.CharField(
        label=_("工单号、来电号码、标题或地址"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
