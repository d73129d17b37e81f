"""The supervisor's board (督办台): return review, extension decisions, callbacks and
their review, supervision, merging duplicates and joint meetings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.core.validators import DB_ID_MAX
from hongmian.hotline.forms.attachments import FilesField
from hongmian.hotline.forms.common import (
    Form,
    UnitChoiceField,
    UnitsChoiceField,
    VersionForm,
    textarea,
    yes_no,
)
from hongmian.hotline.states import (
    Satisfaction,
    SupervisionKind,
)

# --- supervisor board (督办台) -------------------------------------------------------------


class ReturnReviewForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[
            ("accept", _("同意退单并改派")),
            ("refuse", _("不同意，原单位继续办理")),
            ("joint_meeting", _("提交联席会商")),
        ],
        widget=forms.RadioSelect,
    )
    new_unit = UnitChoiceField(label=_("改派至"), blank=_("（按派单目录）"), required=False)
    note = forms.CharField(label=_("审核意见"), widget=textarea(2))


class ExtensionDecideForm(Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("yes", _("批准")), ("no", _("不批准"))],
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=_("审批意见"), required=False, max_length=500)


_SATISFACTION_CHOICES = [("", _("请选择")), *Satisfaction.choices]
_RESOLVED_CHOICES = [("", _("请选择")), ("yes", _("已解决")), ("no", _("未解决"))]


class CallbackForm(VersionForm):
    """回访 — by the centre on the phone; a caller not reached is recorded as such."""

    reached = forms.TypedChoiceField(
        label=_("是否联系上"),
        choices=[("yes", _("已联系上")), ("no", _("未联系上"))],
        coerce=lambda v: v == "yes",
        initial="yes",
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=_SATISFACTION_CHOICES, required=False
    )
    resolved = forms.TypedChoiceField(
        label=_("是否解决"), choices=_RESOLVED_CHOICES, coerce=yes_no, required=False
    )
    comment = forms.CharField(label=_("回访记录"), required=False, widget=textarea(2))
    attachments = FilesField(label=_("回访材料"), help_text=_("如通话记录截图，仅工作人员可见。"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reached") and not data.get("satisfaction"):
            self.add_error("satisfaction", _("联系上诉求人时请记录满意度。"))
        return data


class CallbackReviewForm(VersionForm):
    reopen = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("yes", _("重办：退回承办单位")), ("no", _("办结：诉求已合理答复"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("理由"), widget=textarea(2))


class SuperviseForm(VersionForm):
    kind = forms.ChoiceField(label=_("类型"), choices=SupervisionKind.choices)
    note = forms.CharField(label=_("督办意见"), required=False, max_length=500)


class MergeForm(Form):
    master = forms.IntegerField(label=_("主工单"), min_value=1, max_value=DB_ID_MAX)
    duplicates = forms.TypedMultipleChoiceField(label=_("并入的工单"), coerce=int, choices=())
    note = forms.CharField(label=_("并单说明"), required=False, max_length=500)

    def __init__(self, *args: Any, order_ids: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [(pk, str(pk)) for pk in order_ids]
        field: Any = self.fields["duplicates"]
        field.choices = ids

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        master, duplicates = data.get("master"), data.get("duplicates") or []
        if master is not None:
            data["duplicates"] = [pk for pk in duplicates if pk != master]
            if not data["duplicates"]:
                self.add_error("duplicates", _("请至少选择一张要并入的工单。"))
        return data


class JointMeetingForm(VersionForm):
    units = UnitsChoiceField(label=_("参会单位"))
    decided_unit = UnitChoiceField(label=_("确定承办单位"), blank=_("请选择"))
    minutes = forms.CharField(label=_("会议纪要"), widget=textarea(3))
