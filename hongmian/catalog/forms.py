"""The portal's finder form (办事服务): one search box and the filters of the catalogue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.catalog.search.selectors import QUERY_MAX
from hongmian.catalog.selectors import departments_with_items, life_event_list
from hongmian.catalog.states import Audience, ItemLevel


class ServiceFinderForm(forms.Form):
    """GET parameters of /services/. Every field is optional: without a question the page
    lists the catalogue itself, filtered."""

    q = forms.CharField(
        label=_("您要办什么事？"),
        max_length=QUERY_MAX,
        required=False,
        help_text=_("用平常的话说就行，例如：开饭店要办啥证、娃要休学、身份证丢了"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    department = forms.ChoiceField(label=_("实施部门"), required=False)
    life_event = forms.ChoiceField(label=_("主题服务"), required=False)
    audience = forms.ChoiceField(
        label=_("服务对象"),
        required=False,
        choices=[("", _("不限")), *Audience.choices],
    )
    level = forms.ChoiceField(
        label=_("行使层级"), required=False, choices=[("", _("不限")), *ItemLevel.choices]
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department: Any = self.fields["department"]
        department.choices = [("", _("全部部门"))] + [
            (unit.code, unit.short_name or unit.name) for unit in departments_with_items()
        ]
        life_event: Any = self.fields["life_event"]
        life_event.choices = [("", _("全部主题"))] + [
            (event.slug, event.name) for event in life_event_list()
        ]
