"""Versioned artefacts with one active version (a classifier per target, the learned search
ranking): the switch itself, shared, so that both keep the same rule."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


def activate_only[Versioned: models.Model](
    record: Versioned, *, among: models.QuerySet[Versioned]
) -> Versioned | None:
    """Make `record` the one active row of `among` (rows with `is_active`, `activated_at`
    and `updated_at`); returns the row it replaced, if any. Call inside the caller's
    transaction: the replaced row is locked, and it is switched off first, because the
    models' constraint allows one active row at any instant."""
    row: Any = record
    previous: Any = among.select_for_update().filter(is_active=True).exclude(pk=row.pk).first()
    if previous is not None:
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
    row.is_active = True
    row.activated_at = timezone.now()
    row.save(update_fields=["is_active", "activated_at", "updated_at"])
    result: Versioned | None = previous
    return result
