from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hongmian.hotline"
    label = "hotline"
    verbose_name = _("12345热线")

    def ready(self) -> None:
        post_migrate.connect(
            _ensure_number_sequence, sender=self, dispatch_uid="hotline.number_sequence"
        )
        post_migrate.connect(
            _ensure_text_search_index, sender=self, dispatch_uid="hotline.text_search_index"
        )


def _ensure_number_sequence(using: str = "default", **_kwargs: Any) -> None:
    # Migration 0002 creates the order-number sequence; a database built without migrations
    # (the test suite runs with --no-migrations) gets it here. Schema, not a business effect.
    from hongmian.hotline.services.intake_numbers import work_order_number_sequence_ensure

    work_order_number_sequence_ensure(using=using)


def _ensure_text_search_index(using: str = "default", **_kwargs: Any) -> None:
    # Migration 0010 makes the bigram functions and index of `q` (hotline/text_search.py);
    # a database built without migrations gets them here, as the number sequence above.
    from hongmian.hotline.text_search import text_search_index_ensure

    text_search_index_ensure(using=using)
