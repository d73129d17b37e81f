"""Forms of the city code screens: the person's consent, an attribute lookup and set."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.citycode.states import IdentityField
from hongmian.core.validators import DB_ID_MAX


class ShareForm(forms.Form):
    shared = forms.MultipleChoiceField(
        label=_("允许核验终端查看"),
        choices=IdentityField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class LookupForm(forms.Form):
    resident_id = forms.CharField(label=_("身份证号码"), min_length=15, max_length=18)


class AttributeSetForm(forms.Form):
    resident_id = forms.CharField(widget=forms.HiddenInput, min_length=15, max_length=18)
    type = forms.ChoiceField(label=_("属性类型"))
    value = forms.CharField(label=_("属性值"), max_length=40)
    valid_until = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, types: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["type"].choices = types  # type: ignore[attr-defined]


class AttributeClearForm(forms.Form):
    attribute_id = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, widget=forms.HiddenInput)
    resident_id = forms.CharField(widget=forms.HiddenInput, min_length=15, max_length=18)


class CollectiveCreateForm(forms.Form):
    """申领集体码: the organisation (an enterprise the representative acts for; a manager's
    own unit needs no choice) and the statuses it asks its members to share."""

    name = forms.CharField(label=_("名称"), max_length=100)
    enterprise = forms.ChoiceField(label=_("企业"), required=False)
    types = forms.MultipleChoiceField(
        label=_("请求成员共享的状态"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: object,
        enterprises: list[tuple[str, str]],
        types: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["enterprise"].choices = enterprises  # type: ignore[attr-defined]
        self.fields["types"].choices = types  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    resident_id = forms.CharField(label=_("身份证号码"), min_length=15, max_length=18)
    name = forms.CharField(label=_("姓名"), max_length=50)


class ConsentForm(forms.Form):
    types = forms.MultipleChoiceField(
        label=_("同意共享的状态"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, types: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["types"].choices = types  # type: ignore[attr-defined]


class TerminalFilterForm(forms.Form):
    """The terminals list's search box: a Django field, so a NUL or an over-long term is
    refused like any form input (and the list then shows everything)."""

    q = forms.CharField(required=False, max_length=50, strip=True)
