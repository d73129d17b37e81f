"""Writing the audit trail. Call inside the transaction of the change being audited."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.audit_chain import chain_append
from hongmian.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def target_type_of(target: models.Model) -> str:
    return f"{target._meta.app_label}.{target._meta.model_name}"


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record `action` by `actor` on `target`. Must run inside the change's transaction:
    an entry without its change (or a change without its entry) would be a lie."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    event = audit_event(actor=actor, action=action, target=target, before=before, after=after)
    chain_append([event])
    return event


def audit_record_many(events: list[AuditEvent]) -> None:
    """Write entries built with `audit_event` in one INSERT, inside the changes' transaction
    (for services that change many rows at once): one turn on the chain for all of them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside transaction.atomic()")
    chain_append(events)


def audit_event(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """An unsaved entry, for `audit_record_many` (its place in the chain is given then)."""
    return AuditEvent(
        created_at=timezone.now(),
        actor=actor.user,
        actor_label=str(actor)[:150],
        via=actor.via,
        client_address=actor.client_address,
        action=action,
        target_type=target_type_of(target),
        target_id=str(target.pk),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `instance`, for the before/after of an audit entry."""
    return {name: _jsonable(getattr(instance, name)) for name in fields}
