"""The catalogue list's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.datahub.states import Frequency, OpenType, SharingType


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    provider = forms.ChoiceField(label=_("提供单位"), required=False)
    theme = forms.ChoiceField(label=_("主题"), required=False)
    sharing_type = forms.ChoiceField(
        label=_("共享类型"),
        required=False,
        choices=[("", _("全部")), *SharingType.choices],
    )

    def __init__(
        self, *args: object, providers: list[tuple[str, str]], themes: list[str], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["provider"].choices = [("", _("全部")), *providers]  # type: ignore[attr-defined]
        self.fields["theme"].choices = [("", _("全部")), *((t, t) for t in themes)]  # type: ignore[attr-defined]


class DatasetEditForm(forms.Form):
    """The catalogue metadata a steward edits (not the code, provider or schema)."""

    name = forms.CharField(label=_("资源名称"), max_length=200)
    summary = forms.CharField(
        label=_("摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    update_frequency = forms.ChoiceField(label=_("更新周期"), choices=Frequency.choices)
    sharing_type = forms.ChoiceField(label=_("共享类型"), choices=SharingType.choices)
    sharing_conditions = forms.CharField(label=_("共享条件"), required=False, max_length=2000)
    legal_basis = forms.CharField(label=_("依据"), required=False, max_length=2000)
    open_type = forms.ChoiceField(label=_("开放类型"), choices=OpenType.choices)
    themes = forms.CharField(label=_("主题（以顿号或逗号分隔）"), required=False, max_length=500)
    keywords = forms.CharField(
        label=_("关键词（以顿号或逗号分隔）"), required=False, max_length=500
    )
    pipeline = forms.CharField(label=_("加工流程/来源系统"), required=False, max_length=200)


def split_words(text: str) -> list[str]:
    return [w.strip() for w in text.replace("，", "、").replace(",", "、").split("、") if w.strip()]
