"""The urban-village view (城中村专题): per village, its population (the police's monthly
figures), its rental housing (registrations joined to the buildings they are in), its
hotline orders of the last 30 days (orders whose address or title names the village: hot
spots, counted, never listed with the callers' addresses) and its grid events — each read
from the hub's datasets with Ibis over DuckDB where they lie in the Parquet store. A
dataset not loaded yet leaves its columns empty (shown as "未接入"), never an error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from hongmian.analytics.engines import duckdb_connect

POPULATION = "GZ-POLICE-POPULATION"
BUILDINGS = "GZ-HOUSING-BUILDINGS"
RENTALS = "GZ-HOUSING-RENTALS"
GRID_EVENTS = "GZ-VILLAGE-GRID-EVENTS"
HOTLINE_DAYS = 30


def _files(codes: tuple[str, ...]) -> dict[str, str]:
    from hongmian.datahub.models import Dataset
    from hongmian.datahub.services.ingestion import dataset_file

    found = {}
    for dataset in Dataset.objects.filter(code__in=codes):
        path = dataset_file(dataset)
        if path.exists():
            found[dataset.code] = str(path)
    return found


def village_rows() -> dict[str, Any]:
    """{"villages": [...], "sources": {code: loaded?}, "days": HOTLINE_DAYS}: one row per
    village named by any of the datasets, biggest migrant population first."""
    files = _files((POPULATION, BUILDINGS, RENTALS, GRID_EVENTS))
    con = duckdb_connect(memory_limit="512MB", threads=1)
    rows: dict[str, dict[str, Any]] = {}

    def row(village: str) -> dict[str, Any]:
        return rows.setdefault(
            village,
            {
                "village": village,
                "district": "",
                "registered": None,
                "migrants": None,
                "rentals": None,
                "rooms": None,
                "events": None,
                "events_open": None,
                "hotline": 0,
            },
        )

    if POPULATION in files:
        people = con.read_parquet(files[POPULATION])
        latest = people.filter(people.month == people.month.max())
        for r in con.to_pyarrow(latest.select("village", "registered", "migrants")).to_pylist():
            row(r["village"]).update(registered=r["registered"], migrants=r["migrants"])
    if BUILDINGS in files and RENTALS in files:
        buildings = con.read_parquet(files[BUILDINGS])
        rentals = con.read_parquet(files[RENTALS])
        joined = rentals.join(buildings, rentals.building_id == buildings.building_id)
        per = joined.group_by(joined.village).aggregate(
            rentals=joined.count(), rooms=joined.rooms.sum()
        )
        for r in con.to_pyarrow(per).to_pylist():
            if r["village"]:
                row(r["village"]).update(rentals=r["rentals"], rooms=r["rooms"])
    if GRID_EVENTS in files:
        events = con.read_parquet(files[GRID_EVENTS])
        per = events.group_by(events.village, events.district).aggregate(
            events=events.count(), events_open=(events.status != "已办结").sum()
        )
        for r in con.to_pyarrow(per).to_pylist():
            row(r["village"]).update(
                district=r["district"], events=r["events"], events_open=r["events_open"]
            )
    _hotline_counts(rows)
    ordered = sorted(rows.values(), key=lambda r: (-(r["migrants"] or 0), r["village"]))
    return {
        "villages": ordered,
        "sources": {code: code in files for code in (POPULATION, RENTALS, GRID_EVENTS)},
        "days": HOTLINE_DAYS,
    }


def _hotline_counts(rows: dict[str, dict[str, Any]]) -> None:
    from hongmian.hotline.models import WorkOrder

    since = timezone.now() - dt.timedelta(days=HOTLINE_DAYS)
    recent = WorkOrder.objects.filter(created_at__gte=since)
    for village, r in rows.items():
        r["hotline"] = recent.filter(
            Q(address__contains=village) | Q(title__contains=village)
        ).count()
