"""The data-asset registry: what the city holds as data assets, and how much each is used.

- `assets_sync` registers every dataset (owner: its provider), every JSON/REST source API
  (owner: the dataset's provider), the hub's own API operations and every issued analytics
  report (owner: the data bureau, HONGMIAN_DATA_BUREAU_UNIT), and retires the assets whose
  thing is gone. Run hourly by a job and on demand (`hongmian datahub assets sync`).
- `asset_use_record` counts one read or call of an asset by a consumer unit on today's row
  (AssetUsage): a conditional UPDATE, an INSERT on the first use of the day. The sharing API
  (issue 15 item 3) records its calls here with `dataset_asset(dataset)` as the asset.

Counting a read is not audited: the reads that matter (a shared dataset's calls) are audited
by their own service; a second audit entry per page view would double the log for a tally.
A count that cannot be written is logged and never fails the read it counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record_many
from hongmian.core.errors import PermissionDenied
from hongmian.datahub.models import Dataset, DataSource
from hongmian.datahub.models_assets import AssetKind, AssetUsage, DataAsset
from hongmian.datahub.states import SourceKind
from hongmian.identity.models import OrgUnit

logger = logging.getLogger(__name__)


def bureau_unit() -> OrgUnit | None:
    """The data bureau (数据管理局) that owns the hub's own APIs and the city's reports."""
    code = getattr(settings, "HONGMIAN_DATA_BUREAU_UNIT", "")
    return OrgUnit.objects.filter(code=code).first() if code else None


def hub_operations() -> list[tuple[str, str]]:
    """The hub's own API operations as (key, name): `GET /api/datahub/dcat.ttl` …"""
    from hongmian.datahub.api import router

    found = []
    for path, view in router.path_operations.items():
        for op in view.operations:
            for method in op.methods:
                found.append((f"{method} /api/datahub{path}", str(op.summary or path)))
    return sorted(found)


@dataclass(frozen=True, slots=True)
class Wanted:
    name: str
    owner_id: int | None
    dataset_id: int | None = None


def _wanted() -> dict[tuple[str, str], Wanted]:
    from hongmian.analytics.models import ReportIssue
    from hongmian.analytics.states import IssueStatus

    bureau = bureau_unit()
    bureau_id = bureau.pk if bureau else None
    wanted: dict[tuple[str, str], Wanted] = {}
    for pk, code, name, provider_id in Dataset.objects.values_list(
        "pk", "code", "name", "provider_id"
    ):
        wanted[(AssetKind.DATASET, code)] = Wanted(name, provider_id, pk)
    sources = DataSource.objects.filter(kind=SourceKind.REST).select_related("dataset")
    for source in sources:
        wanted[(AssetKind.API, f"source:{source.pk}")] = Wanted(
            f"{source.dataset.name} · {source.name}"[:200],
            source.dataset.provider_id,
            source.dataset_id,
        )
    for key, name in hub_operations():
        wanted[(AssetKind.API, key)] = Wanted(name[:200], bureau_id)
    for pk, title in ReportIssue.objects.filter(status=IssueStatus.READY).values_list(
        "pk", "title"
    ):
        wanted[(AssetKind.REPORT, f"report:{pk}")] = Wanted(title[:200], bureau_id)
    return wanted


@dataclass(frozen=True, slots=True)
class SyncResult:
    created: int
    updated: int
    retired: int


def assets_sync(*, actor: Actor) -> SyncResult:
    """Bring the registry in line with the datasets, sources, API operations and reports
    that exist; each registered, changed or retired asset is one audit entry."""
    if not (actor.user is None and actor.via in ("system", "cli")):
        raise PermissionDenied(gettext("只有系统可以登记数据资产"), code="datahub.forbidden")
    wanted = _wanted()
    existing = {(a.kind, a.key): a for a in DataAsset.objects.all()}
    created: list[DataAsset] = []
    changed: list[DataAsset] = []
    for ident, want in wanted.items():
        asset = existing.get(ident)
        if asset is None:
            created.append(
                DataAsset(
                    kind=ident[0],
                    key=ident[1],
                    name=want.name,
                    owner_unit_id=want.owner_id,
                    dataset_id=want.dataset_id,
                )
            )
            continue
        now = (want.name, want.owner_id, want.dataset_id, False)
        if (asset.name, asset.owner_unit_id, asset.dataset_id, asset.retired) != now:
            asset.name, asset.owner_unit_id, asset.dataset_id, asset.retired = now
            changed.append(asset)
    gone = [a for ident, a in existing.items() if ident not in wanted and not a.retired]
    for asset in gone:
        asset.retired = True
    with transaction.atomic():
        DataAsset.objects.bulk_create(created)
        made = {(a.kind, a.key) for a in created}
        fresh = [
            a
            for a in DataAsset.objects.filter(key__in=[a.key for a in created])
            if (a.kind, a.key) in made
        ]
        DataAsset.objects.bulk_update(
            [*changed, *gone], ["name", "owner_unit", "dataset", "retired", "updated_at"]
        )
        events = [
            *(
                audit_event(
                    actor=actor,
                    action="datahub.asset_register",
                    target=a,
                    after={"kind": a.kind, "key": a.key},
                )
                for a in fresh
            ),
            *(
                audit_event(
                    actor=actor,
                    action="datahub.asset_update",
                    target=a,
                    after={"name": a.name, "owner_unit": a.owner_unit_id, "retired": a.retired},
                )
                for a in [*changed, *gone]
            ),
        ]
        if events:
            audit_record_many(events)
    return SyncResult(created=len(created), updated=len(changed), retired=len(gone))


def dataset_asset(dataset: Dataset) -> DataAsset:
    """The dataset's asset, registered on first use if the hourly sync has not yet."""
    asset, _ = DataAsset.objects.get_or_create(
        kind=AssetKind.DATASET,
        key=dataset.code,
        defaults={"name": dataset.name, "owner_unit": dataset.provider, "dataset": dataset},
    )
    return asset


def api_asset(key: str, name: str) -> DataAsset:
    """An API operation's asset (`GET /api/datahub/dcat.ttl`), registered on first use."""
    asset, _ = DataAsset.objects.get_or_create(
        kind=AssetKind.API, key=key, defaults={"name": name[:200], "owner_unit": bureau_unit()}
    )
    return asset


def report_read_record(issue: Any, user: Any) -> None:
    """Count a read of an analytics report (ReportIssue); never fails the read."""
    try:
        asset, _ = DataAsset.objects.get_or_create(
            kind=AssetKind.REPORT,
            key=f"report:{issue.pk}",
            defaults={"name": str(issue.title)[:200], "owner_unit": bureau_unit()},
        )
    except DatabaseError:
        logger.exception("datahub: no asset for report %s", issue.pk)
        return
    asset_use_record(asset=asset, consumer=consumer_of(user))


def asset_use_record(
    *, asset: DataAsset, consumer: OrgUnit | None, count: int = 1, at: dt.datetime | None = None
) -> None:
    """Count `count` reads or calls of `asset` by `consumer` (None: the public or the
    system) on the day of `at` (Asia/Shanghai; now)."""
    day = timezone.localdate(at or timezone.now())
    rows = AssetUsage.objects.filter(asset=asset, day=day, consumer=consumer)
    try:
        if rows.update(count=F("count") + count):
            return
        try:
            with transaction.atomic():
                AssetUsage.objects.create(asset=asset, day=day, consumer=consumer, count=count)
        except IntegrityError:
            rows.update(count=F("count") + count)  # another request made today's row first
    except DatabaseError:
        logger.exception("datahub: usage of %s not counted", asset.key)


def consumer_of(user: Any) -> OrgUnit | None:
    """The unit a signed-in user reads for; None for the public."""
    if not getattr(user, "is_authenticated", False):
        return None
    unit: OrgUnit | None = getattr(user, "org_unit", None)
    return unit


def dataset_read_record(dataset: Dataset, user: Any) -> None:
    """Count a read of `dataset` by `user`'s unit; never fails the read."""
    try:
        asset = dataset_asset(dataset)
    except DatabaseError:
        logger.exception("datahub: no asset for %s", dataset.code)
        return
    asset_use_record(asset=asset, consumer=consumer_of(user))


def api_call_record(key: str, name: str, user: Any) -> None:
    """Count a call of the hub's API operation `key`; never fails the call."""
    try:
        asset = api_asset(key, name)
    except DatabaseError:
        logger.exception("datahub: no asset for %s", key)
        return
    asset_use_record(asset=asset, consumer=consumer_of(user))
