from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "hongmian.applications"
    label = "applications"
    verbose_name = _("办件")

    def ready(self) -> None:
        # A withdrawn consent deletes the pre-filled answers of drafts made under it.
        from hongmian.applications.services.file_copies import application_prefill_withdraw
        from hongmian.identity.services.files import CONSENT_COPY_HOLDERS

        if application_prefill_withdraw not in CONSENT_COPY_HOLDERS:
            CONSENT_COPY_HOLDERS.append(application_prefill_withdraw)
