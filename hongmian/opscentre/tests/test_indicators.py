"""Indicators on the database: a crossing of the alarm threshold files exactly one hotline
task for the owner unit (and never a second for the same day), the warn level files none,
the anomaly rule (mean ± k·sd of 28 days), versions, a bad definition writes nothing, and
an indicator over an ingested dataset read from the Parquet store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied, ValidationFailed
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import Channel, Status
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.identity.models import OrgUnit
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory
from hongmian.opscentre import sources
from hongmian.opscentre.formula import memtable
from hongmian.opscentre.models import Alert, Indicator, IndicatorVersion, Reading
from hongmian.opscentre.services.indicators import (
    IndicatorSpec,
    anomaly_of,
    indicator_evaluate,
    indicator_update,
    indicators_evaluate_due,
)
from hongmian.opscentre.tests.conftest import SYSTEM, TODAY, at, make_indicator

pytestmark = pytest.mark.django_db


def _orders(day: dt.date, n: int, **fields: Any) -> None:
    ids = [WorkOrderFactory(**fields).pk for _ in range(n)]
    WorkOrder.objects.filter(pk__in=ids).update(created_at=at(day))


def _alert_orders() -> list[WorkOrder]:
    return list(WorkOrder.objects.filter(channel=Channel.SYSTEM))


def test_alarm_files_one_task_for_the_owner_and_never_again_that_day(owner: OrgUnit) -> None:
    indicator = make_indicator(owner, group_by="district")
    _orders(TODAY, 2)
    _orders(TODAY, 1, district_code="440104000")
    _orders(TODAY - dt.timedelta(days=1), 5)  # yesterday does not count today

    reading = indicator_evaluate(actor=SYSTEM, indicator=indicator, period=TODAY)
    assert (reading.value, reading.level) == (3.0, "alarm")
    assert reading.detail["districts"] == {"440106000": 2.0, "440104000": 1.0}
    assert reading.detail["series"][-2:] == [["2026-12-07", 5.0], ["2026-12-08", 3.0]]
    (task,) = _alert_orders()
    assert task.status == Status.DISPATCHED
    assert task.lead_unit_id == owner.pk
    assert task.resolution_due_at is not None  # a deadline: the SLA clocks run
    assert task.external_ref == "opscentre:HOT-COMPLAINTS:2026-12-08:threshold"
    assert "投诉量" in task.title
    assert "3" in task.content
    alert = Alert.objects.get()
    assert (alert.kind, alert.period, alert.work_order_id) == ("threshold", TODAY, task.pk)

    # Evaluated again the same day (the next refresh): a new reading, no second task.
    _orders(TODAY, 1)
    again = indicator_evaluate(actor=SYSTEM, indicator=indicator, period=TODAY)
    assert (again.value, again.level) == (4.0, "alarm")
    assert len(_alert_orders()) == 1
    assert Alert.objects.count() == 1
    # The next day crosses again: its own task.
    _orders(TODAY + dt.timedelta(days=1), 3)
    indicator_evaluate(actor=SYSTEM, indicator=indicator, period=TODAY + dt.timedelta(days=1))
    assert len(_alert_orders()) == 2


def test_warn_lights_yellow_and_files_nothing(owner: OrgUnit) -> None:
    indicator = make_indicator(owner)
    _orders(TODAY, 2)
    reading = indicator_evaluate(actor=SYSTEM, indicator=indicator, period=TODAY)
    assert (reading.value, reading.level) == (2.0, "warn")
    assert _alert_orders() == []
    assert not Alert.objects.exists()


def test_below_direction_and_filters(owner: OrgUnit) -> None:
    closed = make_indicator(
        owner,
        code="HOT-CLOSED",
        filters=[{"field": "status", "op": "eq", "value": "closed"}],
        direction="below",
        warn=2,
        alarm=1,
    )
    _orders(TODAY, 3)
    _orders(TODAY, 1, status=Status.CLOSED)
    reading = indicator_evaluate(actor=SYSTEM, indicator=closed, period=TODAY)
    assert (reading.value, reading.level) == (1.0, "alarm")
    assert len(_alert_orders()) == 1


def test_anomaly_rule() -> None:
    flat = [4.0] * 28
    assert anomaly_of(4.0, flat, 3) == (False, 4.0, 0.0)
    assert anomaly_of(5.0, flat, 3)[0] is True  # any move off a flat line
    wavy = [2.0, 6.0] * 14  # mean 4, sd 2
    assert anomaly_of(10.0, wavy, 3) == (False, 4.0, 2.0)  # |10 − 4| = 6 = 3·sd: inside
    assert anomaly_of(10.1, wavy, 3)[0] is True
    assert anomaly_of(-2.1, wavy, 3)[0] is True  # below as well as above
    assert anomaly_of(100.0, wavy, 0)[0] is False  # k = 0: the rule is off
    assert anomaly_of(100.0, [1.0] * 6, 3) == (False, None, None)  # too few days


def test_an_anomaly_files_its_own_task(owner: OrgUnit, monkeypatch: pytest.MonkeyPatch) -> None:
    indicator = make_indicator(owner, warn=None, alarm=None, anomaly_k=3)
    days = [TODAY - dt.timedelta(days=n) for n in range(1, 29)]
    rows = [{"day": d, "district": "", "status": "received"} for d in days for _ in range(2)]
    rows += [{"day": TODAY, "district": "", "status": "received"}] * 9

    def table(con: Any, ind: Indicator, *, start: dt.date, end: dt.date) -> Any:
        return memtable(rows, sources.COLUMNS["hotline_orders"])

    monkeypatch.setattr("hongmian.opscentre.services.indicators.source_table", table)
    reading = indicator_evaluate(actor=SYSTEM, indicator=indicator, period=TODAY)
    assert (reading.value, reading.level, reading.anomaly) == (9.0, "ok", True)
    assert (reading.mean, reading.sd) == (2.0, 0.0)
    (task,) = _alert_orders()
    assert task.external_ref.endswith(":anomaly")
    assert "28 日均值 2" in task.content


def test_a_bad_definition_writes_nothing_and_changes_make_versions(owner: OrgUnit) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_indicator(owner, measure="sum", field="status")
    assert caught.value.code == "opscentre.bad_formula"
    with pytest.raises(ValidationFailed) as caught:
        make_indicator(owner, warn=5, alarm=3)  # above: warn must come first
    assert caught.value.fields == {"warn": [caught.value.message]}
    assert not Indicator.objects.exists()

    indicator = make_indicator(owner)
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=owner)
    spec = IndicatorSpec(name="投诉量", owner=owner, source="hotline_orders", measure="count")
    with pytest.raises(PermissionDenied):
        indicator_update(actor=Actor(user=handler, via="web"), indicator=indicator, spec=spec)
    changed = indicator_update(actor=SYSTEM, indicator=indicator, spec=spec)
    assert changed.version == 2
    assert changed.alarm is None
    assert [v.number for v in IndicatorVersion.objects.filter(indicator=indicator)] == [2, 1]


def test_due_indicators_evaluate_and_wait_for_their_refresh(owner: OrgUnit) -> None:
    make_indicator(owner)
    assert len(indicators_evaluate_due(actor=SYSTEM)) == 1
    assert indicators_evaluate_due(actor=SYSTEM) == []  # refreshed 15 minutes from now


def test_an_indicator_over_an_ingested_dataset(owner: OrgUnit) -> None:
    """The demo's grid events through the hub's own services, read from the Parquet store:
    today's surge in 石牌村 puts 网格事件 in alarm, off its 28-day range, mapped by code."""
    import random

    from hongmian.datahub.services.datasets import DatasetMeta, dataset_create
    from hongmian.datahub.services.ingestion import dataset_ingest
    from hongmian.opscentre.demo import GRID_EVENTS, GRID_SCHEMA, _extract, grid_event_rows

    grid = dataset_create(
        actor=SYSTEM,
        code=GRID_EVENTS,
        provider=owner,
        schema=GRID_SCHEMA,
        meta=DatasetMeta(name="城中村网格事件", sharing_type="unconditional"),
    )
    rows = grid_event_rows(TODAY, random.Random(1))  # noqa: S311 (test rows)
    result = dataset_ingest(actor=SYSTEM, dataset=grid, extract=_extract(rows), commit=True)
    assert result.run.rows_rejected == 0
    today = [r for r in rows if r["day"] == TODAY.isoformat()]
    indicator = make_indicator(
        owner,
        code="GRID-EVENTS",
        source="dataset",
        dataset=grid,
        date_field="day",
        district_field="district",
        group_by="district",
        warn=8,
        alarm=10,
        anomaly_k=3,
    )
    reading = indicator_evaluate(actor=SYSTEM, indicator=indicator, period=TODAY)
    assert reading.value == len(today) >= 12
    assert (reading.level, reading.anomaly) == ("alarm", True)
    tianhe = sum(1 for r in today if r["district"] == "天河区")
    assert reading.detail["districts"]["440106000"] == tianhe  # 天河区 by its code
    assert {a.kind for a in Alert.objects.all()} == {"threshold", "anomaly"}
    assert len(_alert_orders()) == 2

    with pytest.raises(ValidationFailed) as caught:
        make_indicator(owner, code="X", source="dataset", dataset=grid, date_field="village")
    assert caught.value.fields == {"date_field": ["unknown"]}


def test_the_command_dry_runs_then_commits(owner: OrgUnit) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    make_indicator(owner)
    _orders(TODAY, 3)
    out = StringIO()
    call_command("opscentre", "evaluate", "--day", TODAY.isoformat(), stdout=out)
    line = json.loads(out.getvalue())
    assert (line["value"], line["level"], line["committed"]) == (3.0, "alarm", False)
    assert not Reading.objects.exists()
    assert _alert_orders() == []
    call_command("opscentre", "evaluate", "--day", TODAY.isoformat(), "--commit", stdout=out)
    assert Reading.objects.count() == 1
    assert len(_alert_orders()) == 1
    with pytest.raises(CommandError, match="unknown indicator"):
        call_command("opscentre", "evaluate", "--code", "NOPE", stdout=out)
