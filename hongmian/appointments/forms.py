"""Forms of the booking screens: they check shape only; the services decide the rest."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.appointments.states import HallLevel
from hongmian.core.validators import DB_ID_MAX


class FinderForm(forms.Form):
    """The booking page's choices (GET): where, which item, which day."""

    district = forms.ChoiceField(label=_("区"), required=False)
    level = forms.ChoiceField(
        label=_("大厅层级"),
        required=False,
        choices=[("", _("全部层级")), *HallLevel.choices],
    )
    hall = forms.IntegerField(label=_("大厅"), required=False, min_value=1, max_value=DB_ID_MAX)
    item = forms.CharField(label=_("事项"), required=False, max_length=64)
    day = forms.DateField(label=_("日期"), required=False)
    reschedule = forms.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)

    def __init__(self, *args: object, districts: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["district"].choices = [("", _("全市")), *districts]  # type: ignore[attr-defined]


class HoldForm(forms.Form):
    """The chosen slot (POST), and for a hotline agent, who the caller is."""

    slot = forms.IntegerField(min_value=1, max_value=DB_ID_MAX)
    item = forms.CharField(max_length=64)
    caller_mobile = forms.CharField(label=_("来电人手机号"), required=False, max_length=11)
    caller_resident_id = forms.CharField(label=_("来电人身份证号"), required=False, max_length=18)
    reschedule = forms.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)


class DayForm(forms.Form):
    day = forms.DateField(label=_("日期"), required=False)

    def clean_day(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("day")
        return day
