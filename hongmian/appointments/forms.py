"""Forms of the booking screens: they check shape only; the services decide the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.appointments.states import HallLevel, PriorityReason
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


# --- the hall's line (views_queue.py) ----------------------------------------------------------


class CheckInForm(forms.Form):
    number = forms.CharField(
        label=_("预约号"),
        max_length=20,
        help_text=_("群众出示的预约短信或“我的预约”中的预约号，如 YY261214A1B2C3D4"),
    )
    priority_reason = forms.ChoiceField(
        label=_("优先"),
        required=False,
        choices=[("", _("无")), *PriorityReason.choices],
        help_text=_("老年人按身份证号码自动优先；残疾人请查验残疾人证后选择"),
    )


class WalkInForm(forms.Form):
    group = forms.TypedChoiceField(label=_("事项分组"), coerce=int)
    priority_reason = forms.ChoiceField(
        label=_("优先"),
        required=False,
        choices=[("", _("无")), *PriorityReason.choices],
    )

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups  # type: ignore[attr-defined]


class RangeForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False)
    end = forms.DateField(label=_("结束日期"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > 366):
            raise forms.ValidationError(_("日期范围无效：结束不早于开始，且不超过一年"))
        return data
