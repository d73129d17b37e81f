"""The audit log's filter (GET): every field optional, each checked the way the rest of the
site checks input — a NUL character or a reversed range is a message, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hongmian.audit.selectors import AuditFilter
from hongmian.core.validators import DB_ID_MAX


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.CharField(
        label=_("动作"), required=False, max_length=64, help_text=_("以“.”结尾时按前缀匹配")
    )
    target_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    target_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=DB_ID_MAX)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("截止日期不能早于起始日期"))
        return data

    def wanted(self) -> AuditFilter:
        """The filter of the valid fields (a page with a bad field still shows the rest)."""
        data = getattr(self, "cleaned_data", {})
        text = {k: (data.get(k) or "").strip() for k in ("actor", "action", "target_type")}
        return AuditFilter(
            **text,
            target_id=(data.get("target_id") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )
