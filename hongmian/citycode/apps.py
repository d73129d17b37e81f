from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitycodeConfig(AppConfig):
    name = "hongmian.citycode"
    label = "citycode"
    verbose_name = _("红棉码")
