"""The catalogue list's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.datahub.states import SharingType


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
