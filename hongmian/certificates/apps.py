from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "hongmian.certificates"
    label = "certificates"
    verbose_name = _("电子证照")
