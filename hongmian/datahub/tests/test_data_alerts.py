"""No silent failure: a failed run and a late source each raise one alert to the dataset's
provider as a dispatched hotline order; one that cannot be filed never stops the others."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied
from hongmian.datahub.ingest import Extract
from hongmian.datahub.models import Dataset
from hongmian.datahub.models_assets import AlertKind, DataAlert
from hongmian.datahub.services.alerts import data_alerts_check
from hongmian.datahub.services.ingestion import dataset_ingest
from hongmian.datahub.states import Frequency, RunOutcome
from hongmian.datahub.tests.conftest import Org, actor_of, make_dataset
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import Channel, Status

SYSTEM = Actor.system("test-datahub-alerts")


def _bad_header(org: Org, dataset: Dataset) -> None:
    extract = Extract(name="buildings.csv", columns=("building_id", "street"), rows=[])
    result = dataset_ingest(
        actor=actor_of(org.steward), dataset=dataset, extract=extract, commit=True
    )
    assert result.run.outcome == RunOutcome.FAILED
    assert result.run.error_code == "datahub.header_mismatch"


def test_a_failed_run_raises_one_alert_to_the_provider(org: Org) -> None:
    d = make_dataset(org)
    _bad_header(org, d)
    _bad_header(org, d)  # the same day's second failure is the same alert
    sweep = data_alerts_check(actor=SYSTEM)
    assert len(sweep.raised) == 1
    assert sweep.not_filed == []
    alert = DataAlert.objects.get()
    assert (alert.kind, alert.dataset, alert.detail["code"]) == (
        AlertKind.RUN_FAILED,
        d,
        "datahub.header_mismatch",
    )
    order = WorkOrder.objects.get(channel=Channel.SYSTEM)
    assert alert.work_order == order
    assert (order.status, order.lead_unit) == (Status.DISPATCHED, org.housing)
    assert "HZ-BUILDINGS" in order.title
    assert "datahub.header_mismatch" in order.content
    # The next sweeps raise nothing more.
    assert data_alerts_check(actor=SYSTEM).raised == []
    assert WorkOrder.objects.filter(channel=Channel.SYSTEM).count() == 1


def test_a_late_source_raises_one_alert_per_missed_period(org: Org) -> None:
    d = make_dataset(org, update_frequency=Frequency.DAILY)
    loaded_at = timezone.now() - dt.timedelta(hours=29)
    Dataset.objects.filter(pk=d.pk).update(last_loaded_at=loaded_at)
    # 29 h after a daily load: within the day plus the six hours' grace.
    assert data_alerts_check(actor=SYSTEM).raised == []
    later = timezone.now() + dt.timedelta(hours=2)
    (key,) = data_alerts_check(actor=SYSTEM, now=later).raised
    assert key.startswith("datahub:late:HZ-BUILDINGS:")
    assert key.endswith(":1")
    assert data_alerts_check(actor=SYSTEM, now=later + dt.timedelta(hours=3)).raised == []
    # A day later the source has missed a second period: a second alert.
    (second,) = data_alerts_check(actor=SYSTEM, now=later + dt.timedelta(days=1)).raised
    assert second.endswith(":2")
    orders = WorkOrder.objects.filter(channel=Channel.SYSTEM, lead_unit=org.housing)
    assert orders.count() == 2
    assert all("未按时更新" in o.title for o in orders)


def test_one_alert_that_cannot_be_filed_does_not_stop_the_others(org: Org) -> None:
    police = make_dataset(org, code="GA-A", unit=org.police, update_frequency=Frequency.DAILY)
    housing = make_dataset(org, code="HZ-A", update_frequency=Frequency.DAILY)
    _bad_header(org, housing)
    org.police.is_active = False  # a disabled unit cannot be dispatched to
    org.police.save(update_fields=["is_active"])
    sweep = data_alerts_check(actor=SYSTEM, now=timezone.now() + dt.timedelta(hours=31))
    assert [k for k in sweep.not_filed if "GA-A" in k]
    assert not [k for k in sweep.raised if "GA-A" in k]
    assert {a.kind for a in DataAlert.objects.filter(dataset=housing)} == {
        AlertKind.RUN_FAILED,
        AlertKind.LATE,
    }
    assert not DataAlert.objects.filter(dataset=police).exists()  # nothing half-written
    # Once the unit is back, the next sweep files it.
    org.police.is_active = True
    org.police.save(update_fields=["is_active"])
    again = data_alerts_check(actor=SYSTEM, now=timezone.now() + dt.timedelta(hours=31))
    assert [k for k in again.raised if "GA-A" in k]


def test_only_the_system_sweeps() -> None:
    with pytest.raises(PermissionDenied):
        data_alerts_check(actor=Actor(user=None, via="web"))


def test_the_commands_print_what_they_did(org: Org) -> None:
    import io
    import json

    from django.core.management import call_command

    d = make_dataset(org)
    _bad_header(org, d)
    out = io.StringIO()
    call_command("datahub", "alerts", "check", stdout=out)
    assert json.loads(out.getvalue())["raised"] == [
        f"datahub:failed:HZ-BUILDINGS:{timezone.localdate():%Y%m%d}"
    ]
    out = io.StringIO()
    call_command("datahub", "assets", "sync", stdout=out)
    assert json.loads(out.getvalue())["created"] >= 3  # the dataset and the two DCAT operations
