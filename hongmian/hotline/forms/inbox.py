"""The handling unit's acts on an order (承办单位): progress, reply, return, extension and
下派 to a sub-unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hongmian.hotline.forms.attachments import FilesField
from hongmian.hotline.forms.common import UnitChoiceField, VersionForm, textarea
from hongmian.hotline.states import (
    ReturnReason,
    Visibility,
)
from hongmian.identity.models import OrgUnit


class ProgressForm(VersionForm):
    text = forms.CharField(label=_("办理进展"), widget=textarea(3))
    visibility = forms.ChoiceField(
        label=_("可见范围"),
        choices=[
            (Visibility.PUBLIC, _("公开（诉求人查询时可见）")),
            (Visibility.STAFF, _("仅工作人员")),
        ],
        initial=Visibility.PUBLIC,
    )
    attachments = FilesField(label=_("现场照片或材料"))


class ReplyForm(VersionForm):
    reply = forms.CharField(label=_("答复意见"), widget=textarea(5))
    # The reply's photos (e.g. the place after the fix) are shown to the caller with it.
    attachments = FilesField(
        label=_("办结照片或材料"), help_text=_("随答复向诉求人公开；照片中的位置等信息会被去除。")
    )


class ReturnForm(VersionForm):
    reason = forms.ChoiceField(label=_("退单原因"), choices=ReturnReason.choices)
    legal_basis = forms.CharField(
        label=_("法律依据"),
        max_length=300,
        help_text=_("如“三定”方案、权责清单或法规条款。"),
    )
    explanation = forms.CharField(label=_("说明"), widget=textarea(3))
    suggested_unit = UnitChoiceField(label=_("建议承办单位"), blank=_("（不建议）"), required=False)


class ExtensionForm(VersionForm):
    amount = forms.DecimalField(
        label=_("延期时长"), min_value=Decimal("0.5"), max_digits=6, decimal_places=1
    )
    reason = forms.CharField(label=_("延期理由"), widget=textarea(3))


class SubdispatchForm(VersionForm):
    unit = UnitChoiceField(label=_("下派至"), blank=_("请选择"))
    note = forms.CharField(label=_("下派说明"), required=False, widget=textarea(2))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["unit"]
        field.bind_units(units)
