"""Demo halls for Guangzhou, made from the geo app's divisions and the identity demo's
units: the city's centre, the 11 district centres, a centre for every street and town,
and a station for each community the identity demo has. Each books the catalogue's
appointment items of its level (a street or community hall: its district's items, taken
in under 全城通办), with windows, Monday–Friday hours (the city centre also Saturday
mornings) and slots for the next days; the city centre has today's line (tickets, two
windows calling) and a call-up screen key. A second seed only tops up the slots and
today's line; called by `hongmian seed_demo`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from hongmian.appointments.models import Hall, ItemGroup, OpeningHours, QueueTicket, Window
from hongmian.appointments.policy import appointment_policy
from hongmian.appointments.services.queue import (
    hall_screen_key_rotate,
    ticket_call_next,
    ticket_issue,
    ticket_start,
)
from hongmian.appointments.services.slots import slots_generate
from hongmian.appointments.states import HallLevel, PriorityReason
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.states import ItemLevel
from hongmian.core.actors import Actor
from hongmian.geo.models import Division
from hongmian.identity.models import OrgUnit

Progress = Callable[[str, int, int], None]

WEEKDAY_SPANS = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
SATURDAY_SPANS = ((dt.time(9, 0), dt.time(12, 0)),)
# Windows of each level's one item group (the city centre has more counters).
WINDOWS = {HallLevel.CITY: 6, HallLevel.DISTRICT: 4, HallLevel.STREET: 2, HallLevel.COMMUNITY: 1}


def _hall(
    code: str,
    name: str,
    level: str,
    division: Division,
    parent: Hall | None,
    unit_code: str,
    address: str,
) -> Hall:
    hall, _created = Hall.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "division": division,
            "parent": parent,
            "org_unit": OrgUnit.objects.filter(code=unit_code).first(),
            "address": address,
            "phone": "12345",
        },
    )
    return hall


def _furnish(hall: Hall, items: list[ServiceItem], *, saturday: bool = False) -> None:
    if not items:
        return
    spans = [(weekday, o, c) for weekday in range(5) for o, c in WEEKDAY_SPANS]
    if saturday:
        spans += [(5, o, c) for o, c in SATURDAY_SPANS]
    OpeningHours.objects.bulk_create(
        [OpeningHours(hall=hall, weekday=w, opens=o, closes=c) for w, o, c in spans],
        ignore_conflicts=True,
    )
    group, _created = ItemGroup.objects.get_or_create(
        hall=hall, name="预约事项", defaults={"slot_minutes": 30, "per_window": 2}
    )
    group.items.add(*items)
    Window.objects.bulk_create(
        [
            Window(hall=hall, number=f"{n:02d}", group=group)
            for n in range(1, WINDOWS[HallLevel(hall.level)] + 1)
        ],
        ignore_conflicts=True,
    )


def _district_items(region: str) -> list[ServiceItem]:
    unit = OrgUnit.objects.filter(code=f"gz-{region}").first()
    if unit is None:
        return []
    return list(
        ServiceItem.objects.filter(
            appointment_required=True, department__path__startswith=unit.path
        )
    )


def seed(*, actor: Actor, progress: Progress) -> None:
    city = Division.objects.filter(level="city").first()
    if city is None:
        return
    if Hall.objects.filter(code="H440100").exists():
        # Seeded before: only the slots of days that came into reach since, and today's line.
        slots_generate(actor=actor, days=appointment_policy().days_ahead)
        _line_today(actor, Hall.objects.get(code="H440100"))
        return
    districts = list(Division.objects.filter(level="district").order_by("code"))
    total = len(districts) + 1
    progress("appointments: 大厅", 0, total)
    with transaction.atomic():
        city_hall = _hall(
            "H440100",
            "广州市政务服务中心",
            HallLevel.CITY,
            city,
            None,
            "hall-gz",
            "广州市天河区 市政务服务中心大楼一楼",
        )
        city_items = list(
            ServiceItem.objects.filter(appointment_required=True, level=ItemLevel.CITY)
        )
        _furnish(city_hall, city_items, saturday=True)
    for n, district in enumerate(districts, start=1):
        region = district.code[:6]
        items = _district_items(region)
        with transaction.atomic():
            d_hall = _hall(
                f"H{region}",
                f"{district.name}政务服务中心",
                HallLevel.DISTRICT,
                district,
                city_hall,
                f"hall-{region}",
                f"广州市{district.name} 区政务服务中心一楼",
            )
            _furnish(d_hall, items)
            for street in Division.objects.filter(parent=district, level__in=("street", "town")):
                s_hall = _hall(
                    f"H{street.code}",
                    f"{street.name}政务服务中心",
                    HallLevel.STREET,
                    street,
                    d_hall,
                    f"gz-{street.code}",
                    f"广州市{district.name}{street.name} 街镇便民服务中心",
                )
                _furnish(s_hall, items)
                prefix = f"gz-{street.code}-"
                for unit in OrgUnit.objects.filter(code__startswith=prefix).order_by("code"):
                    c_hall = _hall(
                        f"H{street.code}{unit.code[len(prefix) :]}",
                        f"{unit.name.removesuffix('居民委员会')}党群服务站",
                        HallLevel.COMMUNITY,
                        street,
                        s_hall,
                        unit.code,
                        f"广州市{district.name}{unit.name.removesuffix('居民委员会')}服务站",
                    )
                    _furnish(c_hall, items)
        progress("appointments: 大厅", n + 1, total)
    progress("appointments: 预约时段", 0, 1)
    slots_generate(actor=actor, days=appointment_policy().days_ahead)
    progress("appointments: 预约时段", 1, 1)
    _line_today(actor, city_hall)


# Today's line at the city centre: walk-ins (two with priority), two called, one served.
LINE_TODAY = ("", "", PriorityReason.ELDERLY, "", "", PriorityReason.DISABLED, "", "")


def _line_today(actor: Actor, hall: Hall) -> None:
    """The city centre's line for today (the demo's `hall` login works there) and its
    call-up screen's key; nothing when today has tickets already."""
    group = hall.groups.order_by("id").first()
    if group is None or QueueTicket.objects.filter(hall=hall, day=timezone.localdate()).exists():
        return
    if not hall.screen_key:
        hall_screen_key_rotate(actor=actor, hall=hall)
    start = timezone.now() - dt.timedelta(minutes=len(LINE_TODAY) * 3)
    for n, reason in enumerate(LINE_TODAY):
        ticket_issue(
            actor=actor,
            group=group,
            priority_reason=reason,
            now=start + dt.timedelta(minutes=n * 3),
        )
    first, second = hall.windows.order_by("number")[:2]
    serving = ticket_call_next(actor=actor, window_id=first.pk)
    ticket_start(actor=actor, window_id=first.pk, ticket_id=serving.pk)
    ticket_call_next(actor=actor, window_id=second.pk)


__all__ = ["seed"]
