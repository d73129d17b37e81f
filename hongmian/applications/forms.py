"""The review desk's filters (the queue's query string) and the assisted service's forms."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongmian.applications.states import Status
from hongmian.core import deadlines
from hongmian.identity.services.mandates import MandateTerms
from hongmian.identity.states import MandateScope

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


# --- 帮办代办 (decision 0072) ----------------------------------------------------------------


class MandateTermsForm(forms.Form):
    """What an authorisation covers and for how many days (the service checks the rest)."""

    scope = forms.ChoiceField(label=_("授权范围"), choices=MandateScope.choices)
    item_codes = forms.CharField(
        label=_("事项编码（多个用空格或逗号分隔）"), required=False, max_length=2000
    )
    life_event = forms.CharField(label=_("一件事标识"), required=False, max_length=100)
    read_file = forms.BooleanField(label=_("允许读取我的档案用于填表"), required=False)
    valid_days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=366, initial=30)

    def terms(self) -> MandateTerms:
        data = self.cleaned_data
        return MandateTerms(
            scope=data["scope"],
            item_codes=[c for c in re.split(r"[\s,，、]+", data["item_codes"]) if c],
            life_event=data["life_event"],
            read_file=data["read_file"],
            valid_until=timezone.now() + dt.timedelta(days=data["valid_days"]),
        )


class OnlineMandateForm(MandateTermsForm):
    agent_name = forms.CharField(label=_("受托人姓名"), max_length=50)
    agent_resident_id = forms.CharField(label=_("受托人身份证号码"), max_length=18)
    document = forms.FileField(label=_("签字的授权委托书（PDF 或图片）"))


class HallMandateForm(MandateTermsForm):
    card_reading = forms.CharField(label=_("身份证读卡信息"), max_length=64)
    agent_name = forms.CharField(
        label=_("受托亲友姓名（不填：由本厅帮办）"), required=False, max_length=50
    )
    agent_resident_id = forms.CharField(
        label=_("受托亲友身份证号码"), required=False, max_length=18
    )


class AssistFindForm(forms.Form):
    """The person at the window: their ID card read, or their booking at this hall today."""

    resident_id = forms.CharField(label=_("身份证号码"), required=False, max_length=18)
    card_reading = forms.CharField(label=_("身份证读卡信息"), required=False, max_length=64)
    booking_no = forms.CharField(label=_("或：今日预约号"), required=False, max_length=20)


class AssistFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Status.choices]
    )
    q = forms.CharField(label=_("办件编号或事项名称"), required=False, max_length=100)
