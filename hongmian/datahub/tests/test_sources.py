"""Sources: a REST source that hangs is recorded with its reason and does not stop the next
one; paging is followed to the end; the CLI's exact forms."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from hongmian.core.actors import Actor
from hongmian.datahub.models import Dataset, DataSource, IngestRun
from hongmian.datahub.services.ingestion import sources_run
from hongmian.datahub.states import RunOutcome, SourceKind
from hongmian.datahub.tests.conftest import BUILDINGS, Org, make_dataset

ROWS = [
    {
        "building_id": f"B{n:04d}",
        "district": "天河区",
        "floors": n,
        "built": None,
        "owner_phone": None,
    }
    for n in range(1, 6)
]
RELEASE = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/hang":
            RELEASE.wait(5)  # longer than the source's timeout; released at teardown
            return
        page = int(parse_qs(url.query)["page"][0])
        size = int(parse_qs(url.query)["size"][0])
        body = {"data": ROWS[(page - 1) * size : page * size]}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    RELEASE.set()
    httpd.shutdown()
    httpd.server_close()


def test_a_hanging_source_is_recorded_and_the_next_one_runs(org: Org, server: str) -> None:
    hanging = make_dataset(org, code="HZ-HANG")
    good = make_dataset(org, code="HZ-GOOD")
    sources = [
        DataSource.objects.create(
            dataset=hanging,
            name="挂起的接口",
            kind=SourceKind.REST,
            config={"url": f"{server}/hang", "timeout_seconds": 0.5},
        ),
        DataSource.objects.create(
            dataset=good,
            name="住建接口",
            kind=SourceKind.REST,
            config={"url": f"{server}/rows", "page_size": 2},
        ),
    ]
    first, second = sources_run(actor=Actor.system("test"), sources=sources)
    assert (first.run.outcome, first.run.error_code) == (
        RunOutcome.FAILED,
        "datahub.source_timeout",
    )
    assert "0.5" in first.run.error_message
    # Three pages of 2, 2 and 1 rows: every row read.
    assert (second.run.outcome, second.run.rows_read, second.run.rows_loaded) == (
        RunOutcome.LOADED,
        5,
        5,
    )
    runs = IngestRun.objects.order_by("id")
    assert [(r.dataset.code, r.outcome) for r in runs] == [
        ("HZ-HANG", RunOutcome.FAILED),
        ("HZ-GOOD", RunOutcome.LOADED),
    ]


def test_a_misconfigured_source_is_recorded_too(org: Org) -> None:
    dataset = make_dataset(org)
    source = DataSource.objects.create(
        dataset=dataset, name="坏配置", kind=SourceKind.REST, config={"url": "ftp://example/x"}
    )
    (result,) = sources_run(actor=Actor.system("test"), sources=[source])
    assert result.run.error_code == "datahub.source_config"
    assert IngestRun.objects.get().source == source


def test_cli_creates_a_dataset_and_ingests_with_a_json_report(org: Org, tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(BUILDINGS), encoding="utf-8")
    args = [
        "dataset",
        "create",
        "--code",
        "HZ-CLI",
        "--name",
        "房屋",
        "--provider",
        "广州市住房和城乡建设局",
        "--schema",
        str(schema),
    ]
    out = StringIO()
    call_command("datahub", *args, stdout=out)
    assert "dry run" in out.getvalue()
    assert not Dataset.objects.filter(code="HZ-CLI").exists()
    call_command("datahub", *args, "--commit", stdout=StringIO())
    assert Dataset.objects.get(code="HZ-CLI").provider == org.housing
    data = tmp_path / "b.csv"
    data.write_text(
        "building_id,district,floors,built,owner_phone\n"
        + "".join(f"B{n:04d},天河区,x{n},,\n" for n in range(1, 6))
        + "B0100,越秀区,3,,\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command(
        "datahub",
        "ingest",
        "--dataset",
        "HZ-CLI",
        "--file",
        str(data),
        "--commit",
        "--show",
        "2",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (6, 1, 5)
    assert report["rejects"] == [
        {"row": 2, "field": "floors", "code": "datahub.type", "reason": "“x1”不是 整数"},
        {"row": 3, "field": "floors", "code": "datahub.type", "reason": "“x2”不是 整数"},
    ]
    assert (report["rejects_total"], report["rejects_shown"]) == (5, 2)
    assert Path(report["rejects_file"]).read_text(encoding="utf-8-sig").count("\n") == 6
    assert set(report["quality"]) >= {"completeness", "validity", "uniqueness", "timeliness"}


def test_cli_answers_bad_input_with_codes(org: Org, tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text('{"fields": [{"name": "a"}]}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"datahub\.no_primary_key"):
        call_command(
            "datahub",
            "dataset",
            "create",
            "--code",
            "X",
            "--name",
            "x",
            "--provider",
            "d-housing",
            "--schema",
            str(schema),
        )
    with pytest.raises(CommandError, match=r"datahub\.unknown_provider"):
        call_command(
            "datahub",
            "dataset",
            "create",
            "--code",
            "X",
            "--name",
            "x",
            "--provider",
            "没有这个单位",
            "--schema",
            str(schema),
        )
    make_dataset(org)
    bad = tmp_path / "bad.csv"
    bad.write_text("building_id\nB0001\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"datahub\.header_mismatch"):
        call_command(
            "datahub", "ingest", "--dataset", "HZ-BUILDINGS", "--file", str(bad), stdout=StringIO()
        )


def test_the_schedule_queues_due_sources_once(org: Org) -> None:
    from django.utils import timezone

    from hongmian.datahub import tasks

    dataset = make_dataset(org)
    due = DataSource.objects.create(
        dataset=dataset,
        name="每小时",
        kind=SourceKind.FILE,
        config={"path": "/nonexistent.csv"},
        every_minutes=60,
    )
    DataSource.objects.create(dataset=dataset, name="手动", kind=SourceKind.FILE, config={})
    assert tasks.sources_due.call() == 1
    due.refresh_from_db()
    assert due.next_run_at > timezone.now()
    assert tasks.sources_due.call() == 0  # queued once, not again five minutes later
