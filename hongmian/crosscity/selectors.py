"""Reads of 跨域通办: what an application's panel shows, which desk rows came from where."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hongmian.applications.models import Application
from hongmian.crosscity.models import Package, Partner, StatusUpdate
from hongmian.crosscity.services.sending import partners_for
from hongmian.crosscity.states import Direction


@dataclass(frozen=True, slots=True)
class Panel:
    """An application's cross-city state as its applicant sees it."""

    partners: list[Partner]  # where it may still be sent (a draft of an item they handle)
    sent: list[tuple[Package, list[StatusUpdate]]]  # each package, its status updates


def application_panel(application: Application) -> Panel:
    sent = list(
        Package.objects.filter(application=application, direction=Direction.OUT)
        .select_related("partner")
        .prefetch_related("updates")
        .order_by("created_at", "id")
    )
    rows = [(p, [u for u in p.updates.all() if u.direction == Direction.IN]) for p in sent]
    partners = partners_for(application) if application.status == "draft" and not sent else []
    return Panel(partners=partners, sent=rows)


def origins_of(applications: Iterable[Application]) -> dict[int, str]:
    """{application id: the sending city's name} for the received ones among them — one
    query for a desk page."""
    ids = [a.pk for a in applications]
    rows = Package.objects.filter(application_id__in=ids, direction=Direction.IN).values_list(
        "application_id", "partner__name"
    )
    return dict(rows)
