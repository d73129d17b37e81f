"""Changing a saved row: validate it as a coded 422, save only the fields that changed, and
audit the change in the same transaction.

`model_update` is HackSoft's `model_update` (Django-Styleguide, `common/services.py`) made to
keep this house's rule that every state change is audited: it takes the audit entry's actor
and action and writes the entry itself, so a service cannot save a change and forget its
trail, and a call that changes nothing writes neither. Transitions (a status moved through
a table in `states.py`) are not updates: they keep their own lock, check and entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import ValidationFailed

# What the trail may show of a field, by field name: e.g. {"mobile": mask_mobile}. Personal
# data is recorded masked; a field without a mask is recorded as it is.
Masks = Mapping[str, Callable[[Any], Any]]


def validation_failed(exc: DjangoValidationError, *, code: str) -> ValidationFailed:
    """A model's ValidationError as our 422, keeping the constraint's own code if it has one."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    fields = {
        ("__all__" if name == NON_FIELD_ERRORS else name): [m for e in errs for m in e.messages]
        for name, errs in errors.items()
    }
    own_codes = {e.code for errs in errors.values() for e in errs if e.code and "." in e.code}
    first = next(iter(fields.values()))[0]
    return ValidationFailed(
        first, code=own_codes.pop() if len(own_codes) == 1 else code, fields=fields
    )


def full_clean(instance: models.Model, *, code: str, exclude: Iterable[str] = ()) -> None:
    """`instance.full_clean()`, failing as `ValidationFailed` with `code` (or the failed
    constraint's own code). Uniqueness is left to the services, which answer a taken key
    with a 409 of their own."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except DjangoValidationError as exc:
        raise validation_failed(exc, code=code) from None


def model_changes(instance: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of `data` (field name → wanted value) that differs from `instance`, in
    `data`'s order. For a service whose rule depends on what would change (who may change
    which field) before it calls `model_update`."""
    for name in data:
        instance._meta.get_field(name)  # a misspelt field fails here, not as a silent no-op
    return {name: value for name, value in data.items() if getattr(instance, name) != value}


def _shown(instance: models.Model, fields: list[str], masks: Masks) -> dict[str, Any]:
    shown = snapshot(instance, fields)
    for name in fields:
        if name in masks:
            shown[name] = masks[name](getattr(instance, name))
    return shown


def model_update[M: models.Model](
    *,
    actor: Actor,
    action: str,
    instance: M,
    data: Mapping[str, Any],
    invalid_code: str,
    masks: Masks | None = None,
    auto_updated_at: bool = True,
) -> tuple[M, bool]:
    """Set the fields of `data` that differ on `instance`, validate it (`full_clean`, failing
    with `invalid_code`), save only those fields (and `updated_at`, if the model has it and
    `auto_updated_at`), and record `action` by `actor` with the before and after of the
    changed fields — masked by `masks`. Returns the instance and whether anything changed;
    when nothing did, nothing is saved or recorded.

    Call it inside `transaction.atomic()` on a row read with `select_for_update()`: the values
    compared are then the values replaced, and the entry commits with the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("model_update must be called inside transaction.atomic()")
    changes = model_changes(instance, data)
    if not changes:
        return instance, False
    fields = list(changes)
    masks = masks or {}
    before = _shown(instance, fields, masks)
    for name, value in changes.items():
        setattr(instance, name, value)
    full_clean(instance, code=invalid_code)
    update_fields = list(fields)
    has_updated_at = any(f.name == "updated_at" for f in instance._meta.concrete_fields)
    if auto_updated_at and has_updated_at and "updated_at" not in update_fields:
        update_fields.append("updated_at")  # BaseModel's auto_now sets it on this save
    instance.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action=action,
        target=instance,
        before=before,
        after=_shown(instance, fields, masks),
    )
    return instance, True


__all__ = ["Masks", "full_clean", "model_changes", "model_update", "validation_failed"]
