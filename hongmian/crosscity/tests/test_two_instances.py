"""跨域通办 between two running platforms (issue 13, item 5), not a mock: this test's live
server is 广州市 (440100); a second Hongmian runs as a subprocess (`hongmian runserver
--noreload` on a free port, its own SQLite file and key set) as 广安市 (511600), each
registered as the other's partner. A citizen applies here for 广安市's item; the package goes
over HTTP to the second instance, which answers with a signed receipt; its handler accepts
and approves through its HTTP API, and each step comes back here, signed, onto the
citizen's application."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from hongmian.applications.services.drafts import application_create
from hongmian.applications.services.materials import material_certificate_use, material_upload
from hongmian.applications.states import Status
from hongmian.applications.tests.conftest import actor_of, jpeg
from hongmian.certificates.services import certificate_issue, certificate_type_row
from hongmian.certificates.type_specs import spec_get
from hongmian.core.actors import Actor
from hongmian.crosscity.models import Package, StatusUpdate
from hongmian.crosscity.services.partners import partner_add
from hongmian.crosscity.services.sending import package_send
from hongmian.crosscity.states import Delivery, Direction
from hongmian.crosscity.tasks import package_deliver
from hongmian.crosscity.tests.worlds import CERT_MATERIAL, MATERIAL, city_world
from hongmian.identity.models import OrgUnit

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    # Generous: a loaded CI machine takes a while to import the project; it answers at once
    # when idle (about 2 s).
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"second instance exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (a localhost test URL)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"second instance did not answer: {log.read_text()[-2000:]}")


class Second:
    def __init__(self, url: str, db: Path, api_key: str) -> None:
        self.url, self.db, self.api_key = url, db, api_key

    def application_id(self, number: str) -> int:
        # Which row the receipt names: read from its database (the acts go through HTTP).
        with sqlite3.connect(self.db) as conn:
            row = conn.execute(
                "SELECT id FROM applications_application WHERE number = ?", (number,)
            ).fetchone()
        return int(row[0])

    def review(self, application_id: int, act: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (a localhost test URL)
            f"{self.url}/api/applications/{application_id}/review",
            data=json.dumps({"act": act}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return dict(json.loads(response.read()))


@pytest.fixture(scope="module")
def second(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Second]:
    base = tmp_path_factory.mktemp("guang-an")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{base / 'hongmian.sqlite3'}",
        "HONGMIAN_CROSSCITY_CODE": "511600",
        "HONGMIAN_CROSSCITY_NAME": "广安市",
        # A loaded CI machine: the first package costs the second instance a key of its own
        # and two key-set fetches from the first.
        "HONGMIAN_CROSSCITY_TIMEOUT_SECONDS": "60",
        "HONGMIAN_SECRET_KEY": "second-instance-test-key-not-secret-0123456789",
        # The status updates leave at once (in the request's commit) instead of a worker.
        "HONGMIAN_TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "HONGMIAN_ATTACHMENT_STORAGE_OPTIONS": json.dumps(
            {"location": str(base / "attachments"), "base_url": None}
        ),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Our own interpreter and our own module: no input from outside the test.
    setup = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "hongmian.crosscity.tests.second_instance", live_server.url],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=True,
        # Seconds when idle; a CI box running the other half of the suite beside it can take
        # a minute or more to import the project and build the schema.
        timeout=240,
    )
    api_key = json.loads(setup.stdout.decode().strip().splitlines()[-1])["api_key"]
    log = base / "server.log"
    # Its log goes to a file: a pipe nobody reads would stop the server once full.
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "hongmian"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--skip-checks",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{url}/api/crosscity/keys.json", process, log)
        yield Second(url, base / "hongmian.sqlite3", api_key)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_apply_here_handled_there_status_comes_back(
    second: Second, live_server: Any, settings: Any
) -> None:
    settings.HONGMIAN_CROSSCITY_TIMEOUT_SECONDS = 60
    world = city_world(partner_name="广安市", prefix="gz")
    system = Actor.system("test")
    partner = partner_add(actor=system, code="511600", name="广安市", endpoint=second.url)
    citizen = actor_of(world["citizen"])
    draft, _ = application_create(
        actor=citizen,
        item=world["item"],
        answers={"name": "陈秀英", "resident_id": "440106199001011234", "phone": "13800138000"},
    )
    material = world["item"].materials.get(name=MATERIAL)
    upload = material_upload(
        actor=citizen, application=draft, material_id=material.pk, upload=jpeg("身份证.jpg")
    )
    # The household register as an e-certificate this city issued: the other city checks it
    # with the key set this city publishes at /api/certificates/keys.json.
    spec = spec_get("household")
    police = OrgUnit.objects.create(code=spec.issuer_unit, name="广州市公安局")
    cert = certificate_issue(
        actor=system,
        type_code="household",
        holder=world["person"],
        data={
            "household_no": "440106001",
            "relation": "户主",
            "registered_address": "广州市天河区天河路1号",
            "registered_on": "2010-05-01",
        },
    )
    cert_material = world["item"].materials.get(name=CERT_MATERIAL)
    cert_material.certificate_types.add(certificate_type_row(spec, police))
    material_certificate_use(
        actor=citizen,
        application=draft,
        material_id=cert_material.pk,
        certificate_ref=str(cert.cert_id),
        consent=True,
    )

    package = package_send(actor=citizen, application=draft, partner=partner)
    # Queued as a job in this platform's queue (a worker would run it) …
    assert DBTaskResult.objects.filter(task_path__endswith="package_deliver").count() == 1
    # … and delivered when it runs: over HTTP to the second instance, a signed receipt back.
    package_deliver.call(package_pk=package.pk)
    package.refresh_from_db()
    assert package.delivery == Delivery.DELIVERED, package.last_error
    assert package.remote_reference.startswith("SQ")
    assert package.receipt.count(".") == 2
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    kinds = list(draft.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["crosscity_send", "crosscity_receipt"]

    # Over there: one application, its material's file with the hash it was sent with.
    remote_id = second.application_id(package.remote_reference)
    with sqlite3.connect(second.db) as conn:
        rows = dict(
            conn.execute(
                "SELECT mode, COALESCE(NULLIF(certificate_ref, ''), sha256) "
                "FROM applications_applicationmaterial WHERE application_id = ?",
                (remote_id,),
            ).fetchall()
        )
    assert rows == {"upload": upload.sha256, "certificate": str(cert.cert_id)}

    # Its handler accepts and approves through its API; each step comes back here, signed.
    assert second.review(remote_id, "accept")["status"] == Status.ACCEPTED
    second.review(remote_id, "start")
    assert second.review(remote_id, "approve")["status"] == Status.APPROVED
    updates = StatusUpdate.objects.filter(package=package, direction=Direction.IN)
    assert list(updates.values_list("status", flat=True)) == [
        Status.ACCEPTED,
        Status.UNDER_REVIEW,
        Status.APPROVED,
    ]
    notes = list(draft.events.filter(kind="crosscity_status").values_list("note", flat=True))
    assert notes[0] == "广安市 已受理"
    assert notes[-1] == "广安市 准予许可"
    package.refresh_from_db()
    assert package.remote_status == Status.APPROVED
    # A retry of the same package (a lost answer) is the same receipt, not a second one.
    from hongmian.crosscity.services.sending import _files
    from hongmian.crosscity.services.transport import post_json

    again = post_json(
        f"{second.url}/api/crosscity/packages",
        {"package": package.token, "files": _files(package.application)},
    )
    assert again.status == 200
    assert again.body["new"] is False
    with sqlite3.connect(second.db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM crosscity_package").fetchone()
    assert count == 1
    assert Package.objects.filter(direction=Direction.OUT).count() == 1
