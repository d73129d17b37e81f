"""The demo seeds its datasets with loads (rejects included) and a second run adds nothing."""

from __future__ import annotations

from hongmian.core.actors import Actor
from hongmian.datahub import demo
from hongmian.datahub.models import Dataset, IngestRun
from hongmian.identity.tests.factories import OrgUnitFactory


def test_the_demo_seeds_and_is_idempotent(db: None) -> None:
    for code in {d["unit"] for d in demo.DATASETS}:
        OrgUnitFactory(code=code)
    demo.seed(actor=Actor.system("test"), progress=lambda *a: None)
    assert Dataset.objects.count() == len(demo.DATASETS)
    buildings = Dataset.objects.get(code="GZ-HOUSING-BUILDINGS")
    assert buildings.row_count == 119  # one row's floors is "十二"
    rentals = IngestRun.objects.get(dataset__code="GZ-HOUSING-RENTALS")
    assert rentals.rows_rejected == 1  # the building that does not exist
    demo.seed(actor=Actor.system("test"), progress=lambda *a: None)
    assert IngestRun.objects.count() == len(demo.DATASETS)
