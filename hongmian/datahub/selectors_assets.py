"""Reads for the chief data officers (首席数据官): a department's scorecard — catalogue
completeness, freshness, sharing requests answered, quality trend, top consumers — the
city's ranking of departments, and the asset registry with usage and quality over time.

Every figure is computed from a bounded set of rows (a unit's datasets, the last twelve
weeks' runs, the usage counters of the last thirty days), never by scanning the audit log.
The composite score and its weights are decision 0085's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Avg, Count, FloatField, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.datahub.models import Dataset, DatasetField, IngestRun
from hongmian.datahub.models_assets import AssetUsage, DataAlert, DataAsset
from hongmian.datahub.permissions import can_view_city_ranking, cdo_unit_ids
from hongmian.datahub.states import FREQUENCY_PERIOD, RunOutcome, SharingType
from hongmian.identity.models import OrgUnit

TREND_WEEKS = 12
USAGE_DAYS = 30
TOP_CONSUMERS = 10
# The composite score's weights (decision 0085); a part a department has no figure for
# (no dataset with a declared frequency, no run, no request) is left out and the others
# are scaled up, so that nothing is scored on a figure that does not exist.
WEIGHTS = {"completeness": 0.30, "freshness": 0.30, "quality": 0.25, "sharing": 0.15}
QUALITY_PARTS = ("completeness", "validity", "uniqueness", "timeliness")


# --- completeness --------------------------------------------------------------------------


def missing_metadata(dataset: Dataset, fields: Iterable[Any]) -> list[str]:
    """The required catalogue metadata `dataset` lacks (GB/T 21063's core items plus every
    field described and classified); empty when complete."""
    missing = []
    if not dataset.summary.strip():
        missing.append(gettext("摘要"))
    if not dataset.themes:
        missing.append(gettext("主题"))
    if not dataset.keywords:
        missing.append(gettext("关键词"))
    if dataset.owner_id is None:
        missing.append(gettext("数据责任人"))
    if dataset.sharing_type != SharingType.UNCONDITIONAL and not dataset.legal_basis.strip():
        missing.append(gettext("共享依据"))
    if dataset.sharing_type == SharingType.CONDITIONAL and not dataset.sharing_conditions.strip():
        missing.append(gettext("共享条件"))
    fields = list(fields)
    if not fields:
        missing.append(gettext("数据项"))
    undescribed = [f.name for f in fields if not (f.title.strip() and f.description.strip())]
    unclassified = [f.name for f in fields if not f.classification.strip()]
    if undescribed:
        missing.append(gettext("数据项说明（%(n)s 项）") % {"n": len(undescribed)})
    if unclassified:
        missing.append(gettext("数据项分类（%(n)s 项）") % {"n": len(unclassified)})
    return missing


class FieldText(NamedTuple):
    """What completeness reads of a field (not the model: 16,000 fields of a city's
    catalogue built as model instances cost the ranking two seconds)."""

    name: str
    title: str
    description: str
    classification: str


def field_texts(fields: QuerySet[DatasetField]) -> dict[int, list[FieldText]]:
    found: dict[int, list[FieldText]] = defaultdict(list)
    rows = fields.values_list("dataset_id", "name", "title", "description", "classification")
    for dataset_id, *text in rows:
        found[dataset_id].append(FieldText(*text))
    return found


def is_fresh(dataset: Dataset, now: dt.datetime) -> bool | None:
    """Loaded within its declared frequency; None when it declares none (不定期)."""
    period = FREQUENCY_PERIOD.get(dataset.update_frequency)
    if period is None:
        return None
    return dataset.last_loaded_at is not None and now - dataset.last_loaded_at <= period


def run_score(quality: dict[str, Any] | None) -> float | None:
    """A run's quality in one figure: the mean of its completeness, validity, uniqueness
    and timeliness."""
    if not quality:
        return None
    parts = [quality.get(p) for p in QUALITY_PARTS]
    values = [float(v) for v in parts if isinstance(v, int | float)]
    return round(sum(values) / len(values), 4) if values else None


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- the scorecard ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharingFigures:
    received: int
    answered: int
    on_time: int  # answered within SHARING_ANSWER_DAYS

    @property
    def score(self) -> float | None:
        return round(self.on_time / self.received, 4) if self.received else None


def sharing_figures(unit_ids: list[int]) -> dict[int, SharingFigures] | None:
    """Sharing requests received by each unit's datasets and how fast they were answered.

    SEAM: the sharing requests (issue 15 item 3) are being built on another branch and are
    not on main yet; until they are, this answers None and the pages say so. When the
    request model lands, count per provider unit over the last 90 days: received, answered
    (approved or refused) and answered within five days of the request (decision 0085)."""
    return None


@dataclass(slots=True)
class Scorecard:
    unit: OrgUnit
    datasets: int = 0
    complete: int = 0
    with_frequency: int = 0
    fresh: int = 0
    trend: list[tuple[dt.date, float | None]] = field(default_factory=list)
    quality: float | None = None
    runs: int = 0
    failed_runs: int = 0
    sharing: SharingFigures | None = None
    score: float | None = None
    rank: int | None = None

    @property
    def completeness(self) -> float | None:
        return round(self.complete / self.datasets, 4) if self.datasets else None

    @property
    def freshness(self) -> float | None:
        return round(self.fresh / self.with_frequency, 4) if self.with_frequency else None

    def parts(self) -> dict[str, float | None]:
        return {
            "completeness": self.completeness,
            "freshness": self.freshness,
            "quality": self.quality,
            "sharing": self.sharing.score if self.sharing else None,
        }


def composite(parts: dict[str, float | None]) -> float | None:
    """100 × the weighted mean of the parts present (decision 0085)."""
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return None
    weight = sum(WEIGHTS[k] for k in present)
    return round(100 * sum(WEIGHTS[k] * v for k, v in present.items()) / weight, 1)


def scorecards(units: list[OrgUnit], now: dt.datetime | None = None) -> list[Scorecard]:
    """Each unit's scorecard (its own datasets, not its sub-units'), in a fixed number of
    queries whatever the number of units."""
    now = now or timezone.now()
    cards = {u.pk: Scorecard(unit=u) for u in units}
    fields = field_texts(DatasetField.objects.filter(dataset__provider_id__in=cards))
    for d in Dataset.objects.filter(provider_id__in=cards).defer("schema"):
        card = cards[d.provider_id]
        card.datasets += 1
        card.complete += not missing_metadata(d, fields.get(d.pk, []))
        fresh = is_fresh(d, now)
        if fresh is not None:
            card.with_frequency += 1
            card.fresh += fresh
    first_week = week_start(timezone.localdate(now)) - dt.timedelta(weeks=TREND_WEEKS - 1)
    since = timezone.make_aware(dt.datetime.combine(first_week, dt.time()))
    # One row per unit and week, averaged by the database: the quality parts are read out
    # of the run's JSON and cast there, not decoded row by row here (decision 0085's figures).
    runs = (
        IngestRun.objects.filter(dataset__provider_id__in=cards, created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("dataset__provider_id", "week")
        .annotate(
            loaded=Count("id", filter=Q(outcome=RunOutcome.LOADED)),
            failed=Count("id", filter=Q(outcome=RunOutcome.FAILED)),
            **{
                p: Avg(Cast(KT(f"quality__{p}"), FloatField()), filter=Q(outcome=RunOutcome.LOADED))
                for p in QUALITY_PARTS
            },
        )
    )
    weekly: dict[int, dict[dt.date, tuple[float, int]]] = defaultdict(dict)
    for item in runs:
        row: Mapping[str, Any] = item
        card = cards[row["dataset__provider_id"]]
        card.failed_runs += row["failed"]
        card.runs += row["loaded"]
        score = run_score({p: row[p] for p in QUALITY_PARTS})
        if score is not None and row["loaded"]:
            week = (
                timezone.localtime(row["week"]).date()
                if isinstance(row["week"], dt.datetime)
                else row["week"]
            )
            weekly[row["dataset__provider_id"]][week] = (score, row["loaded"])
    weeks = [first_week + dt.timedelta(weeks=i) for i in range(TREND_WEEKS)]
    sharing = sharing_figures(list(cards))
    for unit_id, card in cards.items():
        by_week = weekly.get(unit_id, {})
        card.trend = [(w, round(v[0], 4) if (v := by_week.get(w)) else None) for w in weeks]
        n = sum(count for _, count in by_week.values())
        total = sum(score * count for score, count in by_week.values())
        card.quality = round(total / n, 4) if n else None  # the mean over the runs
        card.sharing = sharing.get(unit_id) if sharing is not None else None
        card.score = composite(card.parts())
    return list(cards.values())


def city_ranking(now: dt.datetime | None = None) -> list[Scorecard]:
    """Every unit that provides a dataset, best composite score first (ties: completeness,
    then the unit's code); each card's `rank` is its place (equal scores share one)."""
    units = list(OrgUnit.objects.filter(datasets__isnull=False).distinct())
    cards = scorecards(units, now)
    cards.sort(key=lambda c: (-(c.score or 0.0), -(c.completeness or 0.0), c.unit.code))
    previous: float | None = None
    for place, card in enumerate(cards, start=1):
        card.rank = cards[place - 2].rank if place > 1 and card.score == previous else place
        previous = card.score
    return cards


# --- who sees which department -----------------------------------------------------------


def cdo_units(user: Any) -> QuerySet[OrgUnit]:
    """The units whose CDO page `user` may open: every unit for the city's data officers,
    else the user's own unit and those below it."""
    if can_view_city_ranking(user):
        return OrgUnit.objects.all()
    ids = cdo_unit_ids(user)
    return OrgUnit.objects.filter(pk__in=ids) if ids else OrgUnit.objects.none()


@dataclass(frozen=True, slots=True)
class Consumer:
    unit: OrgUnit
    count: int


def top_consumers(unit: OrgUnit, now: dt.datetime | None = None) -> list[Consumer]:
    """The other units that read or called this unit's assets most in the last 30 days."""
    first = timezone.localdate(now or timezone.now()) - dt.timedelta(days=USAGE_DAYS - 1)
    rows = (
        AssetUsage.objects.filter(asset__owner_unit=unit, day__gte=first, consumer__isnull=False)
        .exclude(consumer=unit)
        .values("consumer")
        .annotate(n=Sum("count"))
        .order_by("-n", "consumer")[:TOP_CONSUMERS]
    )
    found = list(rows)
    names = OrgUnit.objects.in_bulk([r["consumer"] for r in found])
    return [Consumer(unit=names[r["consumer"]], count=int(r["n"])) for r in found]


def incomplete_datasets(unit: OrgUnit) -> list[tuple[Dataset, list[str]]]:
    """The unit's datasets whose catalogue entry is not complete, with what each lacks."""
    fields = field_texts(DatasetField.objects.filter(dataset__provider=unit))
    datasets = Dataset.objects.filter(provider=unit).defer("schema").order_by("code")
    return [(d, m) for d in datasets if (m := missing_metadata(d, fields.get(d.pk, [])))]


def stale_datasets(unit: OrgUnit, now: dt.datetime | None = None) -> list[Dataset]:
    now = now or timezone.now()
    datasets = Dataset.objects.filter(provider=unit).order_by("code")
    return [d for d in datasets if is_fresh(d, now) is False]


def recent_alerts(unit: OrgUnit) -> QuerySet[DataAlert]:
    return (
        DataAlert.objects.filter(dataset__provider=unit)
        .select_related("dataset", "work_order")
        .order_by("-created_at", "-id")
    )


# --- the asset registry -----------------------------------------------------------------------


def assets_visible_to(user: Any) -> QuerySet[DataAsset]:
    if can_view_city_ranking(user):
        return DataAsset.objects.all()
    ids = cdo_unit_ids(user)
    return DataAsset.objects.filter(owner_unit_id__in=ids) if ids else DataAsset.objects.none()


def asset_list(user: Any, *, kind: str = "", unit: str = "") -> QuerySet[DataAsset]:
    """The assets `user` sees, with their reads/calls in the last 30 days (`used`)."""
    first = timezone.localdate() - dt.timedelta(days=USAGE_DAYS - 1)
    rows = assets_visible_to(user).filter(retired=False).select_related("owner_unit", "dataset")
    if kind:
        rows = rows.filter(kind=kind)
    if unit:
        rows = rows.filter(owner_unit__code=unit)
    return rows.annotate(
        used=Sum("usage__count", filter=Q(usage__day__gte=first)),
        consumers=Count("usage__consumer", filter=Q(usage__day__gte=first), distinct=True),
    ).order_by("kind", "key")


@dataclass(frozen=True, slots=True)
class AssetPage:
    asset: DataAsset
    usage: list[tuple[dt.date, int]]  # each of the last 30 days, oldest first
    total: int
    quality: list[tuple[dt.datetime, float | None, str]]  # a dataset's last 12 loads


def asset_page(user: Any, pk: int) -> AssetPage | None:
    asset = assets_visible_to(user).select_related("owner_unit", "dataset").filter(pk=pk).first()
    if asset is None:
        return None
    today = timezone.localdate()
    first = today - dt.timedelta(days=USAGE_DAYS - 1)
    per_day = dict(
        AssetUsage.objects.filter(asset=asset, day__gte=first)
        .values("day")
        .annotate(n=Sum("count"))
        .values_list("day", "n")
    )
    usage = [
        (d, int(per_day.get(d, 0)))
        for d in (first + dt.timedelta(days=i) for i in range(USAGE_DAYS))
    ]
    quality: list[tuple[dt.datetime, float | None, str]] = []
    if asset.dataset_id is not None:
        runs = IngestRun.objects.filter(
            dataset_id=asset.dataset_id, outcome__in=[RunOutcome.LOADED, RunOutcome.FAILED]
        ).order_by("-created_at", "-id")[:TREND_WEEKS]
        quality = [(r.created_at, run_score(r.quality), r.outcome) for r in reversed(list(runs))]
    return AssetPage(asset=asset, usage=usage, total=sum(n for _, n in usage), quality=quality)
