"""The online resolve: who may scan, what each terminal learns (scope ∩ consent), replays,
re-issued codes, the scan log, the audit of every identity resolution, and the anomalies that
raise exactly one hotline task for the terminal's owner unit."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone

from hongmian.citycode.models import Alert, Scan
from hongmian.citycode.services.attributes import attribute_set
from hongmian.citycode.services.codes import citycode_issue, citycode_reissue, citycode_share_set
from hongmian.citycode.services.scans import scan_resolve
from hongmian.citycode.services.terminals import terminal_register, terminal_set_enabled
from hongmian.citycode.tests.conftest import SYSTEM, World, actor_of
from hongmian.core.errors import PermissionDenied
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import Channel, Status
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_hall_sees_the_name_and_its_attributes_a_gate_only_valid(world: World) -> None:
    attribute_set(
        actor=actor_of(world.health_clerk), person=world.person, type_code="elder_care", value="是"
    )
    payload = citycode_issue(holder=world.holder).payload
    hall = scan_resolve(actor=actor_of(world.hall.account), payload=payload)
    assert (hall.valid, hall.reason, hall.name, hall.masked_id) == (True, "ok", "张三", None)
    assert [(a.code, a.value) for a in hall.attributes] == [("elder_care", "是")]
    gate = scan_resolve(actor=actor_of(world.gate.account), payload=payload)
    assert (gate.valid, gate.name, gate.masked_id, gate.attributes) == (False, None, None, [])
    assert gate.reason == "replayed"  # the same displayed code, already used at the hall
    fresh = citycode_issue(holder=world.holder).payload
    gate = scan_resolve(actor=actor_of(world.gate.account), payload=fresh)
    assert (gate.valid, gate.name, gate.attributes) == (True, None, [])
    # Only the hall's answer named the person: one audit entry, with its context.
    events = AuditEvent.objects.filter(action="citycode.resolve")
    assert events.count() == 1
    assert events.get().after["terminal"] == "hall-1"
    assert events.get().after["place"] == "天河区天府路1号"


def test_the_persons_consent_limits_what_even_a_hall_sees(world: World) -> None:
    citycode_share_set(actor=actor_of(world.citizen), person=world.person, fields=[])
    answer = scan_resolve(
        actor=actor_of(world.hall.account), payload=citycode_issue(holder=world.holder).payload
    )
    assert (answer.valid, answer.name, answer.attributes) == (True, None, [])
    assert not AuditEvent.objects.filter(action="citycode.resolve").exists()


def test_the_scan_log_keeps_the_code_id_and_never_the_persons_data(world: World) -> None:
    scan_resolve(
        actor=actor_of(world.hall.account), payload=citycode_issue(holder=world.holder).payload
    )
    scan_resolve(actor=actor_of(world.hall.account), payload="garbage")
    rows = list(Scan.objects.order_by("id").values("result", "code_id", "terminal__code"))
    assert rows == [
        {"result": "ok", "code_id": world.holder.code_id, "terminal__code": "hall-1"},
        {"result": "malformed", "code_id": "", "terminal__code": "hall-1"},
    ]


def test_a_reissued_code_id_resolves_to_nothing(world: World) -> None:
    old = citycode_issue(holder=world.holder).payload
    citycode_reissue(actor=actor_of(world.citizen), person=world.person)
    answer = scan_resolve(actor=actor_of(world.hall.account), payload=old)
    assert (answer.valid, answer.reason, answer.name) == (False, "unknown_code", None)


def test_an_expired_code_is_refused_online_too(world: World) -> None:
    payload = citycode_issue(holder=world.holder, at=timezone.now() - dt.timedelta(seconds=61))
    answer = scan_resolve(actor=actor_of(world.hall.account), payload=payload.payload)
    assert (answer.valid, answer.reason) == (False, "expired")


def test_a_disabled_or_unknown_terminal_is_refused_with_a_code(world: World) -> None:
    payload = citycode_issue(holder=world.holder).payload
    terminal_set_enabled(actor=actor_of(world.admin), terminal=world.gate, enabled=False)
    with pytest.raises(PermissionDenied) as disabled:
        scan_resolve(actor=actor_of(world.gate.account), payload=payload)
    assert disabled.value.code == "terminal.disabled"
    with pytest.raises(PermissionDenied) as unknown:
        scan_resolve(actor=actor_of(world.citizen), payload=payload)
    assert unknown.value.code == "terminal.unknown"
    assert not Scan.objects.exists()


def test_only_the_system_administrator_registers_terminals(world: World) -> None:
    with pytest.raises(PermissionDenied):
        terminal_register(
            actor=actor_of(world.health_clerk),
            code="x",
            name="x",
            kind="hall",
            owner_unit=world.health,
            place_name="x",
            latitude=23,
            longitude=113,
        )


def _orders() -> list[WorkOrder]:
    return list(WorkOrder.objects.filter(channel=Channel.SYSTEM).select_related("lead_unit"))


def test_impossible_travel_raises_one_task_for_the_owner_unit(world: World) -> None:
    # The hall in Tianhe, then the gate in Panyu (≈ 21 km) a minute later: 1,200 km/h.
    scan_resolve(
        actor=actor_of(world.hall.account), payload=citycode_issue(holder=world.holder).payload
    )
    later = timezone.now() + dt.timedelta(seconds=60)
    with mock.patch("hongmian.citycode.services.scans.timezone.now", return_value=later):
        for _ in range(2):
            payload = citycode_issue(holder=world.holder, at=later).payload
            answer = scan_resolve(actor=actor_of(world.gate.account), payload=payload)
            assert answer.valid
    [order] = _orders()
    assert order.lead_unit == world.metro_unit
    assert order.status == Status.DISPATCHED
    assert order.clock_due_at is not None  # the SLA clock runs, like any dispatched order
    assert "番禺广场站" in order.content
    assert Alert.objects.get().kind == "impossible_travel"


@override_settings(HONGMIAN_CITYCODE_INVALID_MAX=3)
def test_repeated_invalid_codes_raise_one_task(world: World) -> None:
    for _ in range(6):
        scan_resolve(actor=actor_of(world.gate.account), payload="not-a-code")
    [order] = _orders()
    assert order.lead_unit == world.metro_unit
    assert Alert.objects.get().kind == "invalid_burst"


@override_settings(HONGMIAN_CITYCODE_RATE_MAX_SCANS=4)
def test_a_terminal_scanning_abnormally_fast_raises_one_task(world: World) -> None:
    others = [UserFactory(username=f"c{i}") for i in range(7)]
    from hongmian.citycode.services.codes import citycode_holder_ensure
    from hongmian.identity.tests.factories import PersonFactory

    for user in others:
        holder = citycode_holder_ensure(actor=SYSTEM, person=PersonFactory(user=user))
        scan_resolve(
            actor=actor_of(world.hall.account), payload=citycode_issue(holder=holder).payload
        )
    [order] = _orders()
    assert order.lead_unit == world.hall_unit
    assert [a.kind for a in Alert.objects.all()] == ["rapid_scans"]
