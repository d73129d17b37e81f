"""Forms of the citizen's file pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.identity import file_fields


class IdPhoneCheckForm(forms.Form):
    resident_id = forms.CharField(label=_("身份证号码"), max_length=18, strip=True)
    mobile = forms.CharField(label=_("本人手机号码"), max_length=11, strip=True)


class FaceCheckForm(forms.Form):
    # `capture="user"`: a phone opens its front camera; a computer offers a file.
    photo = forms.FileField(
        label=_("本人正面照片"),
        help_text=_("请正对镜头、光线充足、不戴帽子和墨镜。照片只用于本次比对，不会保存。"),
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "user"}
        ),
    )


def _person_field_choices() -> list[tuple[str, str]]:
    return [
        (s.key, f"{file_fields.GROUPS[s.group]} · {s.label}")
        for s in file_fields.fields_of("person")
    ]


class ConsentForm(forms.Form):
    requester = forms.CharField(
        label=_("使用方"),
        max_length=200,
        help_text=_("谁将读取这些信息，例如“灵活就业人员参保登记（市人社局）”。"),
    )
    purpose = forms.CharField(
        label=_("用途"), max_length=100, help_text=_("使用方读取时要说明的用途。")
    )
    items = forms.MultipleChoiceField(
        label=_("授权的信息项"), widget=forms.CheckboxSelectMultiple, choices=_person_field_choices
    )
    days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        choices=[(1, _("1 天")), (7, _("7 天")), (30, _("30 天")), (90, _("90 天"))],
        initial=30,
    )
