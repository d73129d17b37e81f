"""The catalogue's search index in this process, built from the database.

One CatalogSearch per process, built from every published item (validity dates are
checked per search, so an item starts and stops being served on its dates without a
rebuild), with each item's facets beside it for the filters. Before each search the
catalogue's fingerprint is read — the `catalog.items` counter in core's CacheVersion
table (which `catalog_index_bump` increments), the number of published items, the
latest change of any item and the number of life-event links: four small queries — and the
index is rebuilt when it moved. The counts and dates catch a change made by code that does
not bump the counter; the counter catches what they cannot (a link replaced by another in
one transaction).

A rebuild of 3,200 items takes about a second on one core; searches in other threads
keep the previous index meanwhile.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db import transaction
from django.db.models import Count, F, Max

from hongmian.catalog.models import LifeEvent, ServiceItem
from hongmian.catalog.search.engine import CatalogSearch, ItemDocument
from hongmian.catalog.states import ItemStatus, ItemType
from hongmian.core.models import CacheVersion

INDEX_VERSION_KEY = "catalog.items"


def catalog_index_bump() -> None:
    """Record that what the catalogue serves changed (call in the change's transaction):
    every process rebuilds its index at its next search after the commit."""
    CacheVersion.objects.get_or_create(key=INDEX_VERSION_KEY)
    CacheVersion.objects.filter(key=INDEX_VERSION_KEY).update(version=F("version") + 1)
    transaction.on_commit(_BUILT.invalidate)


@dataclass(frozen=True, slots=True)
class Facets:
    """Per indexed item (in the index's order): what the filters look at."""

    department_ids: npt.NDArray[np.int64]
    levels: npt.NDArray[np.str_]
    for_persons: npt.NDArray[np.bool_]
    for_enterprises: npt.NDArray[np.bool_]
    # life event slug → mask of its items
    life_events: dict[str, npt.NDArray[np.bool_]]


@dataclass(frozen=True, slots=True)
class Built:
    search: CatalogSearch
    facets: Facets
    fingerprint: tuple[object, ...]


def fingerprint() -> tuple[object, ...]:
    version = (
        CacheVersion.objects.filter(key=INDEX_VERSION_KEY).values_list("version", flat=True).first()
    )
    published = ServiceItem.objects.aggregate(
        n=Count("pk", distinct=True), changed=Max("updated_at")
    )
    served = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    # Adding an item to a life event saves neither: count the links.
    links = LifeEvent.items.through.objects.count()
    return (version or 0, served, published["n"], published["changed"], links)


def build() -> Built:
    """An index of every published item, in two queries (items, life events)."""
    rows = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .order_by("pk")
        .values(
            "pk",
            "code",
            "name",
            "item_type",
            "level",
            "for_persons",
            "for_enterprises",
            "valid_from",
            "valid_until",
            "department_id",
            "department__name",
            "department__short_name",
            "main_item__name",
        )
    )
    position = {row["pk"]: i for i, row in enumerate(rows)}
    events: dict[str, npt.NDArray[np.bool_]] = {}
    event_names: dict[int, list[str]] = {}
    for slug, name, item_id in LifeEvent.objects.filter(items__isnull=False).values_list(
        "slug", "name", "items"
    ):
        at = position.get(item_id)
        if at is None:
            continue
        events.setdefault(slug, np.zeros(len(rows), dtype=np.bool_))[at] = True
        event_names.setdefault(at, []).append(name)
    types = dict(ItemType.choices)
    documents = [
        ItemDocument(
            code=row["code"],
            name=row["name"],
            department=" ".join(
                n for n in (row["department__name"], row["department__short_name"]) if n
            ),
            main_item=row["main_item__name"] or "",
            item_type=str(types.get(row["item_type"], "")),
            extra=" ".join(event_names.get(i, ())),
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
        )
        for i, row in enumerate(rows)
    ]
    facets = Facets(
        department_ids=np.asarray([r["department_id"] for r in rows], dtype=np.int64),
        levels=np.asarray([r["level"] for r in rows], dtype=np.str_),
        for_persons=np.asarray([r["for_persons"] for r in rows], dtype=np.bool_),
        for_enterprises=np.asarray([r["for_enterprises"] for r in rows], dtype=np.bool_),
        life_events=events,
    )
    return Built(CatalogSearch.build(documents), facets, ())


class _Holder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: Built | None = None

    def invalidate(self) -> None:
        self._built = None

    def get(self) -> Built:
        current = fingerprint()
        built = self._built
        if built is not None and built.fingerprint == current:
            return built
        with self._lock:
            built = self._built
            if built is None or built.fingerprint != current:
                fresh = build()
                built = Built(fresh.search, fresh.facets, current)
                self._built = built
        return built


_BUILT = _Holder()


def catalog_index() -> Built:
    """This process's index, rebuilt first if the catalogue changed."""
    return _BUILT.get()
