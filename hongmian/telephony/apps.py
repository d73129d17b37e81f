from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "hongmian.telephony"
    label = "telephony"
    verbose_name = "电话与短信渠道"
    default_auto_field = "django.db.models.BigAutoField"
