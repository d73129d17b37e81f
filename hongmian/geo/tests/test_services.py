"""divisions_load: loads the data file, idempotently, audited once per load."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound
from hongmian.core.models import AuditEvent
from hongmian.geo import demo
from hongmian.geo.models import Division
from hongmian.geo.selectors import district_list, division_children, division_get
from hongmian.geo.services import divisions_load
from hongmian.geo.states import DivisionLevel

pytestmark = pytest.mark.django_db


def test_load_creates_the_tree(system_actor: Actor) -> None:
    assert divisions_load(actor=system_actor) == 190
    assert Division.objects.count() == 190
    shipai = division_get("440106006")
    assert (shipai.name, shipai.short_name, shipai.level) == ("石牌街道", "石牌", "street")
    assert shipai.parent is not None
    assert shipai.parent.code == "440106000"
    assert division_get("440100000").parent is None


def test_load_is_idempotent_and_audited_once_per_load(system_actor: Actor) -> None:
    divisions_load(actor=system_actor)
    before = {d.code: d.updated_at for d in Division.objects.all()}
    assert divisions_load(actor=system_actor) == 0
    assert {d.code: d.updated_at for d in Division.objects.all()} == before
    events = list(AuditEvent.objects.filter(action="geo.divisions_load").order_by("id"))
    assert [e.after for e in events] == [
        {"created": 190, "updated": 0, "unchanged": 0, "total": 190},
        {"created": 0, "updated": 0, "unchanged": 190, "total": 190},
    ]
    assert events[0].target_type == "geo.division"
    assert events[0].actor_label == "system:test"


def test_load_repairs_a_changed_row(system_actor: Actor) -> None:
    divisions_load(actor=system_actor)
    Division.objects.filter(code="440106006").update(name="旧名称", short_name="旧")
    assert divisions_load(actor=system_actor) == 1
    assert division_get("440106006").name == "石牌街道"


def test_selectors(system_actor: Actor) -> None:
    divisions_load(actor=system_actor)
    assert [d.name for d in district_list()][:3] == ["荔湾区", "越秀区", "海珠区"]
    assert district_list().count() == 11
    children = division_children("440117000")
    assert {d.level for d in children} == {
        DivisionLevel.STREET,
        DivisionLevel.TOWN,
        DivisionLevel.SPECIAL,
    }
    with pytest.raises(NotFound):
        division_get("440199000")


def test_demo_seed_reports_progress(system_actor: Actor) -> None:
    steps: list[tuple[str, int, int]] = []
    demo.seed(
        actor=system_actor, progress=lambda step, done, total: steps.append((step, done, total))
    )
    demo.seed(actor=system_actor, progress=lambda *args: None)
    assert steps[0][1] == 0
    assert steps[-1][1] == steps[-1][2] == 190
    assert Division.objects.count() == 190
