"""The demo halls: four levels over Guangzhou's divisions, each with hours, windows and the
items it books, slots for the days ahead; a second seed changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from hongmian.appointments import demo
from hongmian.appointments.models import Hall, QueueTicket, Slot
from hongmian.appointments.states import HallLevel, TicketStatus
from hongmian.catalog import demo as catalog_demo
from hongmian.core.actors import Actor
from hongmian.geo import demo as geo_demo
from hongmian.identity import demo as identity_demo


def _quiet(label: str, done: int, total: int) -> None:
    pass


@pytest.mark.django_db
def test_demo_halls_cover_four_levels_and_seed_once(settings: Any) -> None:
    # The divisions, the org tree, the catalogue and ~200 halls with one day of slots
    # (a week in the real seed) — the one test of this demo seed.
    settings.HONGMIAN_APPOINTMENTS = {"days_ahead": 1}
    actor = Actor.system("seed_demo")
    geo_demo.seed(actor=actor, progress=_quiet)
    identity_demo.seed_org_units(actor=actor, progress=_quiet)
    catalog_demo.seed(actor=actor, progress=_quiet)
    demo.seed(actor=actor, progress=_quiet)
    levels = {level: Hall.objects.filter(level=level).count() for level in HallLevel.values}
    assert levels[HallLevel.CITY] == 1
    assert levels[HallLevel.DISTRICT] == 11
    assert levels[HallLevel.STREET] >= 150
    assert levels[HallLevel.COMMUNITY] >= 5
    tianhe = Hall.objects.get(code="H440106")
    assert tianhe.org_unit is not None
    assert tianhe.org_unit.code == "hall-440106"
    assert tianhe.groups.get().items.filter(appointment_required=True).count() >= 3
    assert tianhe.windows.count() == 4
    assert Hall.objects.get(code="H440100").hours.filter(weekday=5).exists()  # Saturdays
    slots = Slot.objects.count()
    assert slots > 0
    centre = Hall.objects.get(code="H440100")
    assert centre.screen_key
    line = QueueTicket.objects.filter(hall=centre)
    assert line.count() == len(demo.LINE_TODAY)
    assert line.filter(status=TicketStatus.SERVING).count() == 1
    assert line.filter(status=TicketStatus.CALLED).count() == 1
    demo.seed(actor=actor, progress=_quiet)
    assert Slot.objects.count() == slots
    assert line.count() == len(demo.LINE_TODAY)
