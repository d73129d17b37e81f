"""Writes of the geo app: loading the divisions from the project's data file."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ValidationFailed
from hongmian.geo.models import Division
from hongmian.geo.selectors import CITY_CODE, Gazetteer, gazetteer

_SYNCED_FIELDS = ("name", "short_name", "level", "parent_id")


def divisions_load(*, actor: Actor, source: Gazetteer | None = None) -> int:
    """Bring the Division table in line with the data file; return how many rows were created
    or changed. Idempotent: a second run changes no row and returns 0.

    Rows that are no longer in the file are kept (other records point at them); each load is
    audited once, on the city, with its counts.
    """
    source = source or gazetteer()
    created = updated = 0
    with transaction.atomic():
        existing = {d.code: d for d in Division.objects.select_for_update()}
        # The file lists parents before children, so each parent is saved before it is needed.
        for entry in source.entries:
            parent = existing[entry.parent_code] if entry.parent_code else None
            wanted = {
                "name": entry.name,
                "short_name": entry.short_name,
                "level": entry.level.value,
                "parent_id": parent.pk if parent else None,
            }
            division = existing.get(entry.code)
            if division is None:
                division = Division(code=entry.code, **wanted)
                created += 1
            elif any(getattr(division, f) != wanted[f] for f in _SYNCED_FIELDS):
                for field, value in wanted.items():
                    setattr(division, field, value)
                updated += 1
            else:
                continue
            try:
                division.full_clean(exclude=["parent"], validate_unique=False)
            except DjangoValidationError as exc:
                raise ValidationFailed(
                    gettext("行政区划 %(code)s 数据有误：%(value1)s")
                    % {"code": entry.code, "value1": exc.messages[0]},
                    code="division.invalid",
                ) from None
            division.save()
            existing[entry.code] = division
        audit_record(
            actor=actor,
            action="geo.divisions_load",
            target=existing[CITY_CODE],
            after={
                "created": created,
                "updated": updated,
                "unchanged": len(source.entries) - created - updated,
                "total": len(source.entries),
            },
        )
    return created + updated
