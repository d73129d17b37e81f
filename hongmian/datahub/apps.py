from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "hongmian.datahub"
    label = "datahub"
    verbose_name = _("城市数据中枢")
