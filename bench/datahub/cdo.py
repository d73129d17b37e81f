"""The CDO pages' cost: the city ranking, one department's scorecard, its top consumers and
the alert sweep, over a generated catalogue (units × datasets × fields, twelve weeks of runs,
thirty days of usage counters).

    .venv/bin/python bench/datahub/cdo.py [--units 40] [--datasets 50] [--fields 8]

Runs on a throwaway test database (SQLite in memory unless DATABASE_URL names PostgreSQL;
the database `test_<name>` is created and dropped). Rows are bulk-inserted, not made through
the services: what is measured is the reads. Wall-clock on a shared machine: read the best
of a few runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--datasets", type=int, default=50, help="per unit")
    parser.add_argument("--fields", type=int, default=8)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from hongmian.core.actors import Actor
        from hongmian.datahub.models import Dataset, DatasetField, IngestRun
        from hongmian.datahub.models_assets import AssetKind, AssetUsage, DataAlert, DataAsset
        from hongmian.datahub.selectors_assets import city_ranking, scorecards, top_consumers
        from hongmian.datahub.services.alerts import data_alerts_check
        from hongmian.identity.models import OrgUnit
        from hongmian.identity.states import UnitKind

        rng = random.Random(85)  # noqa: S311 (benchmark rows)
        now = timezone.now()
        city = OrgUnit.objects.create(
            code="b", name="市", kind=UnitKind.CITY_GOVERNMENT, path="/b/"
        )
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"b{i}",
                name=f"部门{i}",
                kind=UnitKind.CITY_DEPARTMENT,
                parent=city,
                path=f"/b/{i}/",
                depth=1,
            )
            for i in range(args.units)
        )
        datasets = Dataset.objects.bulk_create(
            Dataset(
                code=f"B{u}-{j}",
                name=f"资源{u}-{j}",
                provider=unit,
                summary="s" * (j % 2),
                update_frequency=rng.choice(["daily", "weekly", "monthly", "irregular"]),
                themes=["t"],
                keywords=["k"],
                sharing_type="unconditional",
                last_loaded_at=now - dt.timedelta(hours=rng.randint(1, 24 * 40)),
                schema={"fields": []},
            )
            for u, unit in enumerate(units)
            for j in range(args.datasets)
        )
        DatasetField.objects.bulk_create(
            DatasetField(
                dataset=d,
                position=k,
                name=f"f{k}",
                title="t",
                type="string",
                description="d" if k % 5 else "",
                classification="c",
            )
            for d in datasets
            for k in range(args.fields)
        )
        quality = {"completeness": 0.9, "validity": 0.95, "uniqueness": 1.0, "timeliness": 1.0}
        runs = IngestRun.objects.bulk_create(
            IngestRun(dataset=d, outcome="loaded", quality=quality)
            for d in datasets
            for _ in range(24)
        )
        for i, r in enumerate(runs):
            r.created_at = now - dt.timedelta(hours=i % (24 * 84))
        IngestRun.objects.bulk_update(runs, ["created_at"], batch_size=5000)
        assets = DataAsset.objects.bulk_create(
            DataAsset(
                kind=AssetKind.DATASET, key=d.code, name=d.name, owner_unit=d.provider, dataset=d
            )
            for d in datasets
        )
        today = timezone.localdate(now)
        AssetUsage.objects.bulk_create(
            AssetUsage(
                asset=a,
                day=today - dt.timedelta(days=day),
                consumer=rng.choice(units),
                count=rng.randint(1, 50),
            )
            for a in assets
            for day in range(0, 30, 3)
        )
        print(
            f"world: {len(units)} units, {len(datasets)} datasets, "
            f"{len(datasets) * args.fields} fields, {len(runs)} runs, "
            f"{AssetUsage.objects.count()} usage rows ({connection.vendor})"
        )

        def timed(label: str, fn: object) -> None:
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                fn()  # type: ignore[operator]
                best = min(best, time.perf_counter() - start)
            print(f"{label}: {best * 1000:.0f} ms (best of 3)")

        timed("city_ranking", lambda: city_ranking(now))
        timed("one department's scorecard", lambda: scorecards([units[0]], now))
        timed("top consumers", lambda: top_consumers(units[0], now))
        timed(
            "alert sweep (late sources raised once)",
            lambda: data_alerts_check(actor=Actor.system("bench"), now=now),
        )
        print(f"alerts on record after the sweeps: {DataAlert.objects.count()}")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
