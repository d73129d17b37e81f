"""Loading the hotline's defaults: the taxonomy, the SLA rules and the dispatch catalogue.

`hotline_defaults_load` is what `hongmian hotline load-defaults` and the demo seed call.
Each part is idempotent and leaves what administrators have changed alone, so it can run
on every deployment."""

from __future__ import annotations

from typing import Any

from hongmian.core.actors import Actor
from hongmian.hotline.services.catalogue import catalogue_load_defaults
from hongmian.hotline.services.sla_rules import sla_rules_load_defaults
from hongmian.hotline.services.taxonomy import taxonomy_load_defaults


def hotline_defaults_load(*, actor: Actor) -> dict[str, Any]:
    """Load the three in dependency order (rules and catalogue name categories; the
    catalogue also names organisation units, so seed identity first to get it)."""
    return {
        "taxonomy": taxonomy_load_defaults(actor=actor),
        "sla_rules": sla_rules_load_defaults(actor=actor),
        "catalogue": catalogue_load_defaults(actor=actor),
    }
