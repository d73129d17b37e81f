"""The unit manager's sign-off (本单位负责人审批, views/approvals.py): the decision, the
handler's withdrawal and the unit's policy."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.core.validators import DB_ID_MAX
from hongmian.hotline.forms.common import Form, VersionForm, textarea


class SignOffDecideForm(VersionForm):
    """同意 / 退回修改 of the request the manager saw (`sign_off`); the buttons set `decision`."""

    sign_off = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )
    decision = forms.ChoiceField(
        choices=[("approve", _("同意")), ("send_back", _("退回修改"))],
        widget=forms.HiddenInput,
        initial="approve",
    )
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=textarea(2),
        help_text=_("退回修改时必填，经办人会看到。"),
    )


class SignOffWithdrawForm(VersionForm):
    sign_off = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_ID_MAX
    )


class SignOffPolicyForm(Form):
    require_reply = forms.BooleanField(label=_("办结答复须经本单位负责人审批"), required=False)
    require_return = forms.BooleanField(label=_("退单申请须经本单位负责人审批"), required=False)
    require_extension = forms.BooleanField(label=_("延期申请须经本单位负责人审批"), required=False)
