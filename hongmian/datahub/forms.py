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


# --- sharing (decision 0081) -------------------------------------------------------------------


class SharingRequestForm(forms.Form):
    """A consumer's request: purpose, fields, row filter and period."""

    purpose = forms.CharField(
        label=_("用途"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    fields_wanted = forms.MultipleChoiceField(
        label=_("申请字段"), widget=forms.CheckboxSelectMultiple
    )
    row_filter = forms.CharField(
        label=_("行过滤条件（每行一个：字段=值，多个值以逗号分隔；可不填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    valid_from = forms.DateField(
        label=_("使用期限自"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_to = forms.DateField(
        label=_("使用期限至"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["fields_wanted"].choices = choices  # type: ignore[attr-defined]

    def clean_row_filter(self) -> dict[str, object]:
        """`field=value` or `field=v1,v2` per line → {field: value | [values]}."""
        parsed: dict[str, object] = {}
        for line in (self.cleaned_data.get("row_filter") or "").splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise forms.ValidationError(_("每行应为“字段=值”"), code="datahub.bad_filter")
            values = [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
            parsed[name.strip()] = values if len(values) > 1 else values[0]
        return parsed


class SharingApproveForm(forms.Form):
    """The provider's approval: the fields it grants (the requested ones or fewer), the core
    fields it grants explicitly, and a daily row quota."""

    fields_granted = forms.MultipleChoiceField(
        label=_("批准字段"), widget=forms.CheckboxSelectMultiple
    )
    core_granted = forms.MultipleChoiceField(
        label=_("明确授权的核心数据字段（不勾选则抑制）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    quota_rows_per_day = forms.IntegerField(
        label=_("每日行数配额"), min_value=1, max_value=10_000_000, initial=10_000
    )

    def __init__(
        self,
        *args: object,
        choices: list[tuple[str, str]],
        core: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["fields_granted"].choices = choices  # type: ignore[attr-defined]
        self.fields["core_granted"].choices = core  # type: ignore[attr-defined]


class SharingReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
