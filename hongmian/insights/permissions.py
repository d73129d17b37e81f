"""Who may do what in the insights app: `can_*` predicates, each named after its service.
The roles are the hotline's (the centre reads the suggestions and the duplicates, the
supervisor handles the alerts); training and activating classifiers is the hotline
administrators' (`hotline.services.taxonomy.authorise_admin`, as for the taxonomy)."""

from __future__ import annotations

from typing import Any

from hongmian.core.actors import Actor
from hongmian.hotline.permissions import is_supervisor, is_system_actor


def can_scan_hotspots(actor: Actor) -> bool:
    """热点扫描 is the platform's own job (the periodic task, the command), nobody's click."""
    return is_system_actor(actor)


def can_acknowledge_hotspot_alert(user: Any) -> bool:
    """知悉 a hot-spot alert: the supervisors, who watch the board."""
    return is_supervisor(user)


def can_scan_duplicates(actor: Actor) -> bool:
    """并单候选扫描 is the platform's own job (the periodic task), nobody's click."""
    return is_system_actor(actor)
