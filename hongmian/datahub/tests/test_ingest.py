"""Ingestion: every row checked, bad rows rejected with their reasons, good rows loaded by
primary key (a re-run adds nothing, a changed row updates), and each whole-file problem a
coded answer with nothing loaded."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hongmian.core.errors import ValidationFailed
from hongmian.datahub.models import IngestRun
from hongmian.datahub.services.connectors import FileConnector
from hongmian.datahub.services.ingestion import dataset_file, dataset_ingest
from hongmian.datahub.states import RunOutcome
from hongmian.datahub.tableschema import parse_schema
from hongmian.datahub.tests.conftest import PERMITS, Org, actor_of, make_dataset

GOOD_AND_BAD = (
    "building_id,district,floors,built,owner_phone\n"
    "B0001,越秀区,12,2001-05-01,13800000001\n"  # 2
    "B0002,天河区,abc,2003-01-01,\n"  # 3: floors not an integer
    "B0003,海珠区,5,2010-02-02,\n"  # 4: district not in the enum
    "X9,天河区,5,2010-02-02,\n"  # 5: id does not fit the pattern
    "B0004,天河区,0,2010-13-02,\n"  # 6: floors below 1 AND a bad date: two rejects, one row
    ",天河区,3,,\n"  # 7: the primary key is empty
    "B0005,越秀区,30,,\n"  # 8
    "B0001,越秀区,12,2001-05-01,\n"  # 9: the key of row 2 again
)


def write(tmp_path: Path, text: str, name: str = "buildings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ingest(org: Org, dataset, path: Path, *, commit: bool = True):
    return dataset_ingest(
        actor=actor_of(org.steward), dataset=dataset, extract=FileConnector(path), commit=commit
    )


def test_bad_rows_are_rejected_with_reasons_and_the_rest_loaded(org: Org, tmp_path: Path) -> None:
    dataset = make_dataset(org)
    result = ingest(org, dataset, write(tmp_path, GOOD_AND_BAD))
    run = result.run
    assert (run.outcome, run.rows_read, run.rows_loaded, run.rows_rejected) == (
        RunOutcome.LOADED,
        8,
        2,
        6,
    )
    got = [(r.row, r.field, r.code) for r in result.rejects]
    assert got == [
        (3, "floors", "datahub.type"),
        (4, "district", "datahub.constraint.enum"),
        (5, "building_id", "datahub.constraint.pattern"),
        (6, "floors", "datahub.constraint.minimum"),
        (6, "built", "datahub.type"),
        (7, "building_id", "datahub.constraint.required"),
        (9, "building_id", "datahub.duplicate_key"),
    ]
    assert "第 2 行" in result.rejects[-1].reason
    with open(run.rejects_file, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["row"]), r["field"]) for r in rows] == [(g[0], g[1]) for g in got]
    stored = pq.read_table(dataset_file(dataset)).to_pydict()
    assert stored["building_id"] == ["B0001", "B0005"]
    assert stored["floors"] == [12, 30]
    dataset.refresh_from_db()
    assert dataset.row_count == 2
    quality = run.quality
    assert quality["validity"] == pytest.approx(2 / 8)
    assert quality["fields"]["owner_phone"]["completeness"] == pytest.approx(1 / 8)
    assert quality["fields"]["floors"]["validity"] == pytest.approx(6 / 8)
    assert quality["timeliness"] == 1.0


def test_a_rerun_adds_nothing_and_a_changed_row_updates(org: Org, tmp_path: Path) -> None:
    dataset = make_dataset(org)
    path = write(tmp_path, GOOD_AND_BAD)
    ingest(org, dataset, path)
    before = dataset_file(dataset).stat().st_mtime_ns
    again = ingest(org, dataset, path).run
    assert (again.rows_inserted, again.rows_updated, again.rows_loaded) == (0, 0, 0)
    assert dataset_file(dataset).stat().st_mtime_ns == before  # not even rewritten
    changed = write(
        tmp_path,
        "building_id,district,floors,built,owner_phone\n"
        "B0005,越秀区,31,,\nB0006,天河区,2,,\nB0001,越秀区,12,2001-05-01,13800000001\n",
        "second.csv",
    )
    run = ingest(org, dataset, changed).run
    assert (run.rows_inserted, run.rows_updated) == (1, 1)
    stored = pq.read_table(dataset_file(dataset)).to_pydict()
    assert stored["building_id"] == ["B0001", "B0005", "B0006"]
    assert stored["floors"] == [12, 31, 2]
    assert IngestRun.objects.filter(dataset=dataset, outcome=RunOutcome.LOADED).count() == 3


def test_a_dry_run_writes_nothing(org: Org, tmp_path: Path) -> None:
    dataset = make_dataset(org)
    result = ingest(org, dataset, write(tmp_path, GOOD_AND_BAD), commit=False)
    assert result.run.outcome == RunOutcome.DRY_RUN
    assert result.run.rows_loaded == 2
    assert not dataset_file(dataset).exists()
    assert not IngestRun.objects.exists()


def test_a_header_that_does_not_match_is_coded_and_loads_nothing(org: Org, tmp_path: Path) -> None:
    dataset = make_dataset(org)
    result = ingest(org, dataset, write(tmp_path, "building_id,district,storeys\nB0001,越秀区,3\n"))
    run = result.run
    assert run.outcome == RunOutcome.FAILED
    assert run.error_code == "datahub.header_mismatch"
    assert run.quality["problem"]["missing"] == ["floors", "built", "owner_phone"]
    assert run.quality["problem"]["unexpected"] == ["storeys"]
    assert not dataset_file(dataset).exists()
    assert IngestRun.objects.get().error_code == "datahub.header_mismatch"


def test_a_foreign_key_to_a_missing_row_is_rejected(org: Org, tmp_path: Path) -> None:
    buildings = make_dataset(org)
    ingest(
        org,
        buildings,
        write(tmp_path, "building_id,district,floors,built,owner_phone\nB0001,越秀区,3,,\n"),
    )
    permits = make_dataset(org, code="HZ-PERMITS", schema=PERMITS, name="施工许可")
    result = ingest(
        org,
        permits,
        write(
            tmp_path,
            "permit_no,building_id,issued\n1,B0001,2024-01-02T09:00:00\n2,B0404,\n3,,\n",
            "permits.csv",
        ),
    )
    assert [(r.row, r.field, r.code) for r in result.rejects] == [
        (3, "building_id", "datahub.foreign_key")
    ]
    assert "B0404" in result.rejects[0].reason
    assert result.run.rows_loaded == 2  # an empty foreign key is allowed


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("{not json", "schema"),
        ('{"fields": []}', "fields"),
        ('{"fields": [{"name": "a", "type": "money"}]}', "fields[0].type"),
        ('{"fields": [{"name": "a"}], "primaryKey": "b"}', "primaryKey"),
        (
            '{"fields": [{"name": "a", "constraints": {"pattern": "("}}]}',
            "fields[0].constraints.pattern",
        ),
        ('{"fields": [{"name": "a"}, {"name": "a"}]}', "fields[1].name"),
        ('{"fields": [{"name": "a b"}]}', "fields[0].name"),
    ],
)
def test_a_schema_that_does_not_parse_names_the_property(schema: str, path: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_schema(schema)
    assert caught.value.code == "datahub.bad_schema"
    assert list(caught.value.fields) == [path]


def test_a_stored_schema_that_no_longer_parses_fails_the_run_with_its_code(
    org: Org, tmp_path: Path
) -> None:
    dataset = make_dataset(org)
    dataset.schema = {"fields": "broken"}
    run = ingest(org, dataset, write(tmp_path, GOOD_AND_BAD)).run
    assert (run.outcome, run.error_code) == (RunOutcome.FAILED, "datahub.bad_schema")


BOSTON_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "boston311.schema.json"


def test_a_slice_of_the_boston_export_is_checked_row_by_row(
    org: Org, tmp_path: Path, settings
) -> None:
    """The first 3,000 requests of the real Boston 311 export (the whole file: the
    benchmark and decision 0076) against its schema: every row read, the real gaps found."""
    import gzip
    import json

    source = Path(settings.HONGMIAN_SHARED_DATA) / "boston311" / "boston311_2015_partial.csv.gz"
    if not source.exists():
        pytest.skip(f"{source} not found (HONGMIAN_SHARED_DATA)")
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        head = "".join(next(fh) for _ in range(3001))
    dataset = make_dataset(
        org, code="BOS-311", schema=json.loads(BOSTON_SCHEMA.read_text(encoding="utf-8"))
    )
    result = ingest(org, dataset, write(tmp_path, head, "boston.csv"))
    run = result.run
    assert run.rows_read == 3000
    assert run.rows_loaded + run.rows_rejected == 3000
    assert {r.code for r in result.rejects} <= {
        "datahub.constraint.required",
        "datahub.constraint.enum",
        "datahub.constraint.minimum",
        "datahub.constraint.maximum",
        "datahub.type",
    }
    assert 0 < run.quality["fields"]["LOCATION_ZIPCODE"]["completeness"] < 1  # real gaps
