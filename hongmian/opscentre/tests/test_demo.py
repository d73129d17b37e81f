"""The demo: eight indicators over the hotline, bookings, applications and the grid-events
dataset it loads through the hub; evaluated once, exactly one (网格事件) in alarm with its
task filed to 市城管执法局; a second run adds nothing but readings."""

from __future__ import annotations

import pytest

from hongmian.hotline.models import WorkOrder
from hongmian.identity.states import UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory
from hongmian.opscentre import demo
from hongmian.opscentre.models import Alert, Indicator, Reading
from hongmian.opscentre.tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db


def test_the_demo_has_eight_indicators_and_one_in_alarm() -> None:
    city = OrgUnitFactory(code="gz", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT)
    for code, name in (
        ("gz-12345", "广州12345热线中心"),
        ("gz-data", "广州市政务服务和数据管理局"),
        ("gz-urban", "广州市城市管理和综合执法局"),
    ):
        OrgUnitFactory(code=code, name=name, parent=city)
    demo.seed(actor=SYSTEM, progress=lambda *_: None)
    assert Indicator.objects.count() == 8
    latest = {r.indicator.code: r for r in Reading.objects.select_related("indicator")}
    assert {c for c, r in latest.items() if r.level == "alarm"} == {"GRID-EVENTS"}
    assert latest["GRID-EVENTS"].anomaly is True
    assert {a.indicator.code for a in Alert.objects.all()} == {"GRID-EVENTS"}
    assert set(WorkOrder.objects.values_list("lead_unit__code", flat=True)) == {"gz-urban"}

    demo.seed(actor=SYSTEM, progress=lambda *_: None)
    assert Indicator.objects.count() == 8
    assert WorkOrder.objects.count() == 2  # threshold + anomaly, not filed again
