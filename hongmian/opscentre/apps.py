from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpscentreConfig(AppConfig):
    name = "hongmian.opscentre"
    label = "opscentre"
    verbose_name = _("城市运行中心")
