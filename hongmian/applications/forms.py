"""The review desk's filters (the queue's query string)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.applications.states import Status
from hongmian.core import deadlines

LIGHTS = [
    ("", _("全部")),
    (deadlines.RED, _("超时")),
    (deadlines.YELLOW, _("预警")),
    (deadlines.GREEN, _("正常")),
]


class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("待办（已提交、已受理、审查中）")), *Status.choices[1:]],
    )
    light = forms.ChoiceField(label=_("时限"), required=False, choices=LIGHTS)
    item = forms.CharField(label=_("事项编码"), required=False, max_length=64)
    q = forms.CharField(label=_("办件编号或事项名称"), required=False, max_length=100)
