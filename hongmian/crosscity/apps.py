from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrosscityConfig(AppConfig):
    name = "hongmian.crosscity"
    label = "crosscity"
    verbose_name = _("跨域通办")
