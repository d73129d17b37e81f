"""Forms of the web shell."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with our wording. The failure message does not say which of the
    two was wrong, so that it cannot be used to find out which usernames exist."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。密码区分大小写。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        username = self.fields["username"]
        username.label = _("用户名")
        # No autofocus: screen-reader users should meet the page's heading first.
        username.widget.attrs.pop("autofocus", None)
        username.widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        password = self.fields["password"]
        password.label = _("密码")
        password.widget.attrs.update({"autocomplete": "current-password"})


class ElderModeForm(forms.Form):
    """Turn elder mode (长者模式) on or off, then go back to the page the person was on."""

    elder_mode = forms.TypedChoiceField(
        choices=[("on", _("开启")), ("off", _("关闭"))],
        coerce=lambda value: value == "on",
    )
    next = forms.CharField(required=False, max_length=2000)
