"""Template pieces other apps' pages include: the cross-city panel on the applicant's
application and the sending city on the review desk's rows."""

from __future__ import annotations

from typing import Any

from django import template

from hongmian.applications.models import Application
from hongmian.crosscity import selectors
from hongmian.crosscity.models import Package
from hongmian.crosscity.states import Direction

register = template.Library()


@register.inclusion_tag("crosscity/_panel.html", takes_context=True)
def crosscity_panel(context: dict[str, Any], application: Application) -> dict[str, Any]:
    return {
        "application": application,
        "panel": selectors.application_panel(application),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def crosscity_origins(applications: Any) -> dict[int, str]:
    return selectors.origins_of(applications)


@register.simple_tag
def crosscity_origin(application: Application) -> Package | None:
    """The package `application` came in, for the review page (None for a local one)."""
    return (
        Package.objects.select_related("partner")
        .filter(application=application, direction=Direction.IN)
        .first()
    )


@register.filter
def origin_of(origins: dict[int, str], application_id: int) -> str:
    return origins.get(application_id, "")
