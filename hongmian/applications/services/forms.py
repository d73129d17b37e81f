"""Writes of items' application forms (申请表单)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hongmian.applications.definitions import definition_parse
from hongmian.applications.models import ItemForm
from hongmian.applications.selectors import ITEM_SETUP
from hongmian.catalog.models import ServiceItem
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record


def item_form_set(*, actor: Actor, item: ServiceItem, fields: list[dict[str, Any]]) -> ItemForm:
    """Give `item` the form `fields` (checked by definitions.FormDefinition: 422
    `item_form.invalid`); a changed form gets the next revision. The caller has checked
    that `actor` keeps the item (the admin, the demo)."""
    definition = definition_parse(fields)
    # As JSON gives it back (lists, not tuples), so that an unchanged form compares equal.
    stored = [f.model_dump(mode="json", exclude_defaults=True) for f in definition.fields]
    with transaction.atomic():
        form, created = ItemForm.objects.select_for_update().get_or_create(
            item=item, defaults={"fields": stored}
        )
        if not created and form.fields != stored:
            form.fields = stored
            form.revision += 1
            form.save(update_fields=["fields", "revision", "updated_at"])
        elif not created:
            return form
        # Processes that copied the item's form reload it at their next use.
        ITEM_SETUP.bump()
        audit_record(
            actor=actor,
            action="item_form.set",
            target=form,
            after={"item": item.code, "revision": form.revision, "fields": len(stored)},
        )
    return form
