"""The order's timeline (工单轨迹)."""

from __future__ import annotations

from typing import Any

from hongmian.core.actors import Actor
from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.identity.models import OrgUnit


def timeline_add(
    *,
    order: WorkOrder,
    actor: Actor,
    kind: str,
    visibility: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    unit: OrgUnit | None = None,
) -> TimelineEntry:
    """Append an entry. Call inside the transaction of the change it records. `visibility`
    decides who reads it: public (the caller too), staff (centre and units), internal
    (the centre only — e.g. anything naming a confidential caller)."""
    entry = timeline_entry(
        order=order, actor=actor, kind=kind, visibility=visibility, text=text, data=data, unit=unit
    )
    entry.save(force_insert=True)
    return entry


def timeline_entry(
    *,
    order: WorkOrder,
    actor: Actor,
    kind: str,
    visibility: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    unit: OrgUnit | None = None,
) -> TimelineEntry:
    """An unsaved entry, for a service that writes many at once (`bulk_create`, in the
    transaction of the change they record)."""
    return TimelineEntry(
        order=order,
        actor=actor.user,
        # The name readers know the person by (姓名, else the login), shown beside the unit.
        actor_label=str(actor.user if actor.user is not None else actor)[:150],
        unit=unit,
        kind=kind,
        visibility=visibility,
        text=text,
        data=data or {},
    )
