"""Backup and restore (issue 16 item 7, decision 0059): the drill — a small database and its
files backed up, wiped, restored, counts and a sample of rows compared — on SQLite always and
on PostgreSQL when the suite runs there (each xdist worker restores into its own test
database); and every way a restore refuses: a folder that differs from its manifest, a
database or folder that is not empty without --force, counts that do not match."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.audit_chain import chain_verify
from hongmian.core.backup.manifest import manifest_read, sha256_of
from hongmian.core.errors import ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity.models import OrgUnit, Person
from hongmian.identity.tests.factories import OrgUnitFactory, PersonFactory


@pytest.fixture
def places(tmp_path: Path, settings: Any) -> dict[str, Path]:
    """Every folder a backup reads, in the test's own tmp folder."""
    places = {
        "media": tmp_path / "media",
        "attachments": tmp_path / "attachments",
        "analytics": tmp_path / "analytics" / "orders",
        "keys": tmp_path / "keys" / "certificates",
    }
    settings.MEDIA_ROOT = str(places["media"])
    storages = dict(settings.STORAGES)
    storages["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(places["attachments"]), "base_url": None},
    }
    settings.STORAGES = storages
    settings.HONGMIAN_ANALYTICS_STORE = places["analytics"]
    settings.HONGMIAN_CERTIFICATE_KEYS_DIR = str(places["keys"])
    return places


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _files(places: dict[str, Path]) -> None:
    _write(places["media"] / "photos" / "照片.jpg", b"\xff\xd8media")
    _write(places["attachments"] / "ab" / "cd" / "attachment.pdf", b"%PDF-1.7 attachment")
    _write(places["analytics"] / "month=2026-11" / "part-0.parquet", b"PAR1 fake PAR1")
    _write(places["analytics"] / "_manifest.json", b'{"format": "hongmian.analytics.store"}')
    # Not data: the writers' lock and a crashed run's temporary stay out of the backup.
    _write(places["analytics"] / ".lock", b"")
    _write(places["analytics"] / "month=2026-11" / ".tmp-dead-part-0.parquet", b"half")
    _write(places["keys"] / "signing-2026.pem", b"-----BEGIN PRIVATE KEY-----")


def _world() -> list[dict[str, Any]]:
    unit = OrgUnitFactory(name="越秀区政务服务数据管理局")
    persons = [PersonFactory() for _ in range(3)]
    with transaction.atomic():
        for person in persons:
            audit_record(
                actor=Actor.system("test"),
                action="test.backup",
                target=unit,
                after={"p": person.pk},
            )
    return _sample()


def _sample() -> list[dict[str, Any]]:
    return list(Person.objects.order_by("pk").values())


def _backup(out: Path) -> str:
    text = StringIO()
    call_command("backup", "--out", str(out), stdout=text)
    return text.getvalue()


def _restore(folder: Path, *extra: str) -> str:
    text = StringIO()
    call_command("restore", str(folder), *extra, stdout=text)
    return text.getvalue()


def _refused(folder: Path, *extra: str) -> str:
    with pytest.raises(CommandError) as refused:
        _restore(folder, *extra)
    return str(refused.value)


def _wipe(places: dict[str, Path]) -> None:
    call_command("flush", interactive=False, verbosity=0)
    for folder in places.values():
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_drill(tmp_path: Path, places: dict[str, Path]) -> None:
    _files(places)
    rows = _world()
    out = tmp_path / "backup"
    said = _backup(out)
    assert "备份完成" in said

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    db = manifest["database"]
    assert db["vendor"] == connection.vendor
    assert db["row_counts"]["identity_person"] == 3
    assert db["row_counts"]["core_auditevent"] == 3
    assert db["row_counts"]["identity_orgunit"] == OrgUnit.objects.count()
    assert manifest["created_at"].endswith("+08:00")
    assert set(manifest["file_sets"]) >= {
        "MEDIA_ROOT",
        'STORAGES["attachments"]',
        "HONGMIAN_ANALYTICS_STORE",
        "HONGMIAN_CERTIFICATE_KEYS_DIR",
    }
    listed = manifest["files"]
    assert "files/analytics/month=2026-11/part-0.parquet" in listed
    assert "files/keys/hongmian_certificate_keys_dir/signing-2026.pem" in listed
    assert not any(".lock" in name or ".tmp-" in name for name in listed)
    for name, entry in listed.items():
        assert sha256_of(out / name) == entry["sha256"]
    # Personal data and signing keys: the folder is its owner's alone.
    assert out.stat().st_mode & 0o077 == 0

    # A database that holds rows is overwritten only when asked to.
    assert "restore.database_not_empty" in _refused(out)
    PersonFactory()
    _write(places["media"] / "later.txt", b"written after the backup")
    assert "恢复完成" in _restore(out, "--force")
    assert _sample() == rows
    assert not (places["media"] / "later.txt").exists()

    # The drill: everything gone, then back from the folder.
    _wipe(places)
    assert Person.objects.count() == 0
    _restore(out)
    assert _sample() == rows
    assert AuditEvent.objects.count() == 3
    assert chain_verify().ok
    assert (places["media"] / "photos" / "照片.jpg").read_bytes() == b"\xff\xd8media"
    assert (places["attachments"] / "ab" / "cd" / "attachment.pdf").read_bytes().startswith(b"%PDF")
    assert (places["keys"] / "signing-2026.pem").exists()
    assert (places["analytics"] / "month=2026-11" / "part-0.parquet").exists()
    assert not (places["analytics"] / "month=2026-11" / ".tmp-dead-part-0.parquet").exists()

    # Counts that do not match the manifest after a restore are reported, with the table.
    manifest["database"]["row_counts"]["identity_person"] = 4
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    refused = _refused(out, "--force")
    assert "restore.counts_differ" in refused
    assert "identity_person: 4 → 3" in refused


@pytest.mark.django_db(transaction=True)
def test_backup_needs_a_new_folder(tmp_path: Path, places: dict[str, Path]) -> None:
    out = tmp_path / "used"
    _write(out / "something", b"x")
    with pytest.raises(CommandError, match=r"backup\.out_not_empty"):
        _backup(out)


def _folder(tmp_path: Path) -> Path:
    """A backup folder with a valid manifest over two files (no database needed to check)."""
    folder = tmp_path / "b"
    _write(folder / "database.sqlite3", b"db")
    _write(folder / "files" / "media" / "a.txt", b"a")
    files = {
        rel: {"sha256": sha256_of(folder / rel), "bytes": (folder / rel).stat().st_size}
        for rel in ("database.sqlite3", "files/media/a.txt")
    }
    manifest = {"format": "hongmian.backup", "version": 1, "database": {}, "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _code(folder: Path) -> str:
    with pytest.raises(ValidationFailed) as refused:
        manifest_read(folder)
    return refused.value.code


def test_a_folder_that_differs_from_its_manifest_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert manifest_read(folder)["version"] == 1

    (folder / "files" / "media" / "a.txt").write_bytes(b"b")
    assert _code(folder) == "backup.file_changed"
    (folder / "files" / "media" / "a.txt").unlink()
    assert _code(folder) == "backup.file_missing"
    _write(folder / "files" / "media" / "a.txt", b"a")
    _write(folder / "files" / "media" / "planted.txt", b"?")
    assert _code(folder) == "backup.file_unlisted"
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    assert _code(folder) == "backup.manifest_invalid"
    (folder / "manifest.json").unlink()
    assert _code(folder) == "backup.manifest_missing"


def test_key_sets_are_found_by_their_setting(settings: Any, tmp_path: Path) -> None:
    from hongmian.core.backup.filesets import file_sets

    settings.HONGMIAN_CITYCODE_KEYRING_DIR = str(tmp_path)
    settings.HONGMIAN_OTHER_KEY_DIR = ""
    names = {s.setting: s for s in file_sets()}
    assert names["HONGMIAN_CITYCODE_KEYRING_DIR"].path == tmp_path
    assert names["HONGMIAN_OTHER_KEY_DIR"].skipped
    assert not any(s.setting == "HONGMIAN_API_KEY_CACHE_SECONDS" for s in names.values())
