"""Reads of the catalogue: the datasets a user sees (one scoping mechanism, Dataset.scopes),
the filtered and searched list, a dataset's page, its runs.

The search is the house's engine (core/search) over each dataset's name (the title), its
summary, keywords, themes, provider and field titles; the index is built once per process
and rebuilt when the catalogue changes (its size or latest change moves)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, QuerySet, When
from django.utils.translation import gettext

from hongmian.core.errors import NotFound
from hongmian.core.search.index import IndexDocument, SearchIndex
from hongmian.datahub.models import Dataset, DatasetField, IngestRun
from hongmian.datahub.permissions import can_view_catalogue, can_view_fields

# A catalogue search returns at most this many datasets, best first.
SEARCH_MAX = 200

_lock = threading.Lock()
_index: tuple[tuple[int, Any], SearchIndex] | None = None


def datasets_visible_to(user: Any) -> QuerySet[Dataset]:
    if not can_view_catalogue(user):
        return Dataset.objects.none()
    return Dataset.objects.restrict(user, "view")


def _catalogue_index() -> SearchIndex:
    global _index
    stamp = tuple(Dataset.objects.aggregate(n=Count("id"), at=Max("updated_at")).values())
    with _lock:
        if _index is not None and _index[0] == stamp:
            return _index[1]
        titles: dict[int, list[str]] = {}
        for dataset_id, title in DatasetField.objects.values_list("dataset_id", "title"):
            if title:
                titles.setdefault(dataset_id, []).append(title)
        documents = [
            IndexDocument(
                key=d.code,
                title=d.name,
                body=d.summary,
                audience="staff",
                extra=" ".join(
                    [*d.keywords, *d.themes, d.provider.name, d.code, *titles.get(d.pk, [])]
                ),
            )
            for d in Dataset.objects.select_related("provider")
        ]
        index = SearchIndex.build(documents)
        _index = ((int(stamp[0] or 0), stamp[1]), index)
        return index


def dataset_list(
    user: Any, *, q: str = "", provider: str = "", theme: str = "", sharing_type: str = ""
) -> QuerySet[Dataset]:
    """The datasets `user` sees, filtered; with `q`, only those the search finds, best first
    (else by code)."""
    rows = datasets_visible_to(user).select_related("provider")
    if provider:
        rows = rows.filter(provider__code=provider)
    if sharing_type:
        rows = rows.filter(sharing_type=sharing_type)
    if theme:
        # JSON containment is not on SQLite (and its JSON escapes Chinese): the catalogue's
        # themes are read once (thousands of short lists) and matched here.
        ids = [pk for pk, themes in Dataset.objects.values_list("pk", "themes") if theme in themes]
        rows = rows.filter(pk__in=ids)
    if not q.strip():
        return rows.order_by("code")
    hits = _catalogue_index().search(q, limit=SEARCH_MAX, audience="staff")
    codes = [h.key for h in hits]
    rank = Case(*[When(code=c, then=i) for i, c in enumerate(codes)], output_field=IntegerField())
    return rows.filter(code__in=codes).order_by(rank) if codes else rows.none()


def theme_choices() -> list[str]:
    themes: set[str] = set()
    for values in Dataset.objects.values_list("themes", flat=True):
        themes.update(values or [])
    return sorted(themes)


@dataclass(frozen=True, slots=True)
class DatasetPage:
    dataset: Dataset
    fields: list[DatasetField] | None  # None: the user may not see a 不予共享 dataset's fields
    upstream: list[Dataset]
    downstream: list[Dataset]
    runs: list[IngestRun]
    latest: IngestRun | None  # the latest loaded run: its quality is the dataset's


def access_dataset(user: Any, code: str) -> Dataset:
    """The dataset `code` if `user` sees it; NotFound otherwise (the same for both)."""
    dataset = (
        datasets_visible_to(user)
        .select_related("provider", "owner", "chief_data_officer")
        .filter(code=code)
    )
    found = dataset.first()
    if found is None:
        raise NotFound(gettext("数据资源不存在"), code="datahub.dataset_not_found")
    return found


def dataset_page(user: Any, code: str, *, runs: int = 20) -> DatasetPage:
    dataset = access_dataset(user, code)
    fields = list(dataset.fields.all()) if can_view_fields(user, dataset) else None
    recent = list(dataset.runs.select_related("source")[:runs])
    latest = dataset.runs.filter(outcome="loaded").first()
    return DatasetPage(
        dataset=dataset,
        fields=fields,
        upstream=list(dataset.upstream.select_related("provider")),
        downstream=list(dataset.downstream.select_related("provider")),
        runs=recent,
        latest=latest,
    )
