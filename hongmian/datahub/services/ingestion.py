"""Ingestion of one extract into one dataset (`dataset_ingest`) and of every due source
(`sources_run`), each run recorded with its figures or the reason it failed.

A run checks every row first (ingest.check_rows); only then, under the dataset's store lock,
are the good rows merged into the current version's Parquet file (written beside it and
renamed over it) and the rejects file written; the run, the dataset's counters and the
audit entry follow in one transaction. A failure before the rename leaves the file as it
was: nothing is ever half-loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.analytics.store import locked
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ApplicationError, ValidationFailed
from hongmian.datahub import permissions
from hongmian.datahub.ingest import (
    Checked,
    Extract,
    Reject,
    check_rows,
    field_quality,
    merge,
    stored_keys,
    write_rejects,
)
from hongmian.datahub.models import Dataset, DataSource, IngestRun
from hongmian.datahub.services.connectors import (
    Connector,
    FileConnector,
    PostgresConnector,
    RestConnector,
    SourceFailed,
)
from hongmian.datahub.services.datasets import authorise
from hongmian.datahub.states import FREQUENCY_PERIOD, RunOutcome, SourceKind
from hongmian.datahub.tableschema import parse_schema

logger = logging.getLogger(__name__)


def store_root() -> Path:
    return Path(settings.HONGMIAN_DATAHUB_STORE)


def dataset_file(dataset: Dataset, version: int | None = None) -> Path:
    """The Parquet file of a dataset's rows under one schema version (the current one)."""
    return store_root() / dataset.code / f"v{version or dataset.version}" / "data.parquet"


def _keys_of(code: str, fields: tuple[str, ...]) -> set[tuple[Any, ...]]:
    target = Dataset.objects.filter(code=code).first()
    if target is None:
        raise ValidationFailed(
            gettext("外键引用的数据资源不存在：%(code)s") % {"code": code},
            code="datahub.foreign_resource",
            fields={"foreignKeys": [code]},
        )
    return stored_keys(dataset_file(target), fields)


@dataclass(slots=True)
class IngestResult:
    """The run (saved unless a dry run) and every rejected cell."""

    run: IngestRun
    rejects: list[Reject] = field(default_factory=list)

    def report(self, *, shown: int = 100) -> dict[str, Any]:
        """The JSON run report; the rejects list is capped at `shown` (the file has all)."""
        run = self.run
        out: dict[str, Any] = {
            "dataset": run.dataset.code,
            "outcome": run.outcome,
            "rows_read": run.rows_read,
            "rows_loaded": run.rows_loaded,
            "rows_inserted": run.rows_inserted,
            "rows_updated": run.rows_updated,
            "rows_rejected": run.rows_rejected,
            "rejects": [r.as_dict() for r in self.rejects[:shown]],
            "rejects_total": len(self.rejects),
            "rejects_shown": min(shown, len(self.rejects)),
            "rejects_file": run.rejects_file or None,
            "quality": run.quality,
        }
        if run.error_code:
            out["error"] = {"code": run.error_code, "message": run.error_message}
        return out


def _timeliness(dataset: Dataset, now: dt.datetime) -> tuple[float, bool]:
    """1.0 when this load came within the declared frequency of the last one (or there is
    no earlier load, or the frequency is irregular); else period / gap. And whether late."""
    period = FREQUENCY_PERIOD.get(dataset.update_frequency)
    if period is None or dataset.last_loaded_at is None:
        return 1.0, False
    gap = now - dataset.last_loaded_at
    if gap <= period:
        return 1.0, False
    return round(period / gap, 4), True


def run_quality(dataset: Dataset, checked: Checked, now: dt.datetime) -> dict[str, Any]:
    fields = field_quality(checked)
    read = checked.rows_read
    timeliness, late = _timeliness(dataset, now)
    completeness = (
        round(sum(f["completeness"] for f in fields.values()) / len(fields), 4) if fields else 1.0
    )
    return {
        "completeness": completeness,
        "validity": round((read - checked.rows_rejected) / read, 4) if read else 1.0,
        "uniqueness": round(1 - checked.duplicates / read, 4) if read else 1.0,
        "timeliness": timeliness,
        "late": late,
        "fields": fields,
    }


def dataset_ingest(
    *,
    actor: Actor,
    dataset: Dataset,
    extract: Extract | Connector,
    commit: bool,
    source: DataSource | None = None,
) -> IngestResult:
    """Check every row of `extract` and, with `commit`, load the good rows. A failure (a
    schema that does not parse, a header that does not match, a source that timed out …)
    is a run with outcome failed and its code — recorded when committing — never an
    exception, so that one bad source does not stop the next."""
    authorise(actor, lambda u: permissions.can_ingest_dataset(u, dataset), "datahub.forbidden")
    now = timezone.now()
    run = IngestRun(
        dataset=dataset, source=source, schema_version=dataset.version, outcome=RunOutcome.FAILED
    )
    try:
        schema = parse_schema(dataset.schema)
        if not isinstance(extract, Extract):
            extract = extract.extract()
        run.origin = extract.name[:300]
        checked = check_rows(schema, extract, dataset_code=dataset.code, keys_of=_keys_of)
    except (ApplicationError, OSError) as exc:
        return _failed(actor, run, exc, commit)
    run.rows_read = checked.rows_read
    run.rows_rejected = checked.rows_rejected
    run.quality = run_quality(dataset, checked, now)
    result = IngestResult(run, checked.rejects)
    if not commit:
        run.outcome = RunOutcome.DRY_RUN
        run.rows_loaded = checked.table.num_rows if checked.table is not None else 0
        return result
    table = checked.table
    if table is None:  # check_rows always sets it; this keeps the types honest
        raise RuntimeError("check_rows returned no table")
    path = dataset_file(dataset)
    try:
        with locked(path.parent.parent):
            merged = merge(path, table, schema.primary_key)
            if checked.rejects:
                stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
                rejects = path.parent.parent / "rejects" / f"{stamp}-{uuid.uuid4().hex[:8]}.csv"
                write_rejects(rejects, checked.rejects)
                run.rejects_file = str(rejects)
    except (ApplicationError, OSError) as exc:
        return _failed(actor, run, exc, commit)
    run.outcome = RunOutcome.LOADED
    run.rows_inserted = merged.inserted
    run.rows_updated = merged.updated
    run.rows_loaded = merged.inserted + merged.updated
    with transaction.atomic():
        target = Dataset.objects.select_for_update().get(pk=dataset.pk)
        target.row_count = merged.total
        target.last_loaded_at = now
        target.save(update_fields=["row_count", "last_loaded_at", "updated_at"])
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            actor=actor, action="datahub.dataset_ingest", target=target, after=run.report()
        )
    dataset.row_count, dataset.last_loaded_at = merged.total, now
    return result


def _failed(actor: Actor, run: IngestRun, exc: Exception, commit: bool) -> IngestResult:
    if isinstance(exc, ApplicationError):
        run.error_code, run.error_message = exc.code, exc.message
        fields = getattr(exc, "fields", None)
        if fields:
            run.quality = {"problem": fields}
    else:
        run.error_code = "datahub.source_io"
        run.error_message = gettext("读取来源失败：%(exc)s") % {"exc": exc}
    run.outcome = RunOutcome.FAILED
    run.finished_at = timezone.now()
    if commit:
        with transaction.atomic():
            run.save()
            audit_record(
                actor=actor,
                action="datahub.dataset_ingest_failed",
                target=run.dataset,
                after={
                    "code": run.error_code,
                    "message": run.error_message,
                    "source": run.source_id,
                },
            )
        logger.warning("datahub: %s failed: %s", run.dataset.code, run.error_code)
    return IngestResult(run)


def connector_for(source: DataSource) -> Connector:
    config = source.config or {}
    if source.kind == SourceKind.POSTGRES:
        return PostgresConnector(config)
    if source.kind == SourceKind.REST:
        return RestConnector(config)
    return FileConnector(str(config.get("path", "")))


def sources_run(*, actor: Actor, sources: list[DataSource]) -> list[IngestResult]:
    """Run each source in turn; one that fails (its connector misconfigured, its server
    hanging) is recorded as a failed run and the next one runs all the same."""
    results = []
    for source in sources:
        try:
            connector = connector_for(source)
        except SourceFailed as exc:
            run = IngestRun(dataset=source.dataset, source=source, outcome=RunOutcome.FAILED)
            results.append(_failed(actor, run, exc, True))
            continue
        results.append(
            dataset_ingest(
                actor=actor, dataset=source.dataset, extract=connector, commit=True, source=source
            )
        )
        if source.every_minutes:
            DataSource.objects.filter(pk=source.pk).update(
                next_run_at=timezone.now() + dt.timedelta(minutes=source.every_minutes)
            )
    return results
