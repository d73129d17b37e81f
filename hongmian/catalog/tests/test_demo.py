"""The demo catalogue: enough items across the city's real departments and districts, the
life events, and a second seed that changes nothing."""

from __future__ import annotations

import pytest

from hongmian.catalog import demo
from hongmian.catalog.models import LifeEvent, ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.identity import demo as identity_demo


def _quiet(label: str, done: int, total: int) -> None:
    pass


@pytest.mark.django_db
def test_demo_catalogue_seeds_once() -> None:
    # ~3 s: the demo org tree and two seeds of ~400 items; the one test of the demo seed.

    actor = Actor.system("seed_demo")
    identity_demo.seed_org_units(actor=actor, progress=_quiet)
    demo.seed(actor=actor, progress=_quiet)
    items = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert items.count() >= 300
    assert items.values("department").distinct().count() >= 30
    assert not ServiceItem.objects.filter(department__code__startswith="imp").exists()
    assert LifeEvent.objects.count() >= 20
    for event in LifeEvent.objects.all():
        assert event.items.exists(), event.slug
    food = ServiceItem.objects.get(name="食品经营许可（新办）")
    assert food.materials.filter(certificate_types__code="biz_licence").exists()
    assert food.main_item is not None
    assert food.main_item.name == "食品经营许可"

    audits = AuditEvent.objects.count()
    demo.seed(actor=actor, progress=_quiet)
    assert AuditEvent.objects.count() == audits
    assert ServiceItem.objects.count() == items.count()


def test_generator_reaches_the_benchmark_size() -> None:
    rows = list(demo.generate_rows(3200))
    assert len(rows) == 3200
    assert len({r["code"] for r in rows}) == 3200
