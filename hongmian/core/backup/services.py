"""`backup_create` and `backup_restore`: the two operations behind the commands.

A restore replaces everything (database and files) with the backup's contents; it runs with
the web servers, workers and scheduler stopped (docs/operations.md), because nothing can
keep a request's view consistent while its database is swapped underneath.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.backup import database
from hongmian.core.backup.filesets import copy_out, file_sets, has_files, put_back
from hongmian.core.backup.manifest import (
    FORMAT,
    VERSION,
    file_entry,
    manifest_read,
    manifest_write,
)
from hongmian.core.errors import Conflict, ValidationFailed

FILES_DIR = "files"


@dataclass(frozen=True, slots=True)
class BackupResult:
    folder: Path
    manifest: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RestoreResult:
    manifest: dict[str, Any]
    row_counts: dict[str, int]
    # Sets put back, by setting name → the folder they now fill.
    restored_sets: dict[str, str] = field(default_factory=dict)
    # Migrations this release has that the backup's database lacks: run `hongmian migrate`.
    pending_migrations: list[str] = field(default_factory=list)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hongmian")
    except PackageNotFoundError:
        return "unknown"


def backup_create(*, actor: Actor, out: Path) -> BackupResult:
    """Write a complete backup into the new or empty folder `out` (created mode 0700: it
    holds personal data and signing keys)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Conflict(
            gettext("备份目录 %(folder)s 已存在且不为空：请指定新目录") % {"folder": out},
            code="backup.out_not_empty",
        )
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    created_at = timezone.localtime()
    dump_path = out / database.dump_file_name()
    db = database.dump(dump_path)
    files: dict[str, Any] = {dump_path.name: file_entry(dump_path)}
    sets: dict[str, Any] = {}
    for fileset in file_sets():
        summary, entries = copy_out(fileset, out / FILES_DIR / fileset.name, out)
        summary["folder"] = f"{FILES_DIR}/{fileset.name}"
        sets[fileset.setting] = summary
        files.update(entries)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "hongmian_version": _version(),
        "created_at": created_at.isoformat(),
        "created_by": str(actor),
        "database": db,
        "file_sets": sets,
        "files": files,
    }
    manifest_write(out, manifest)
    return BackupResult(folder=out, manifest=manifest)


def backup_restore(*, actor: Actor, source: Path, force: bool = False) -> RestoreResult:
    """Check the backup at `source` against its manifest, then put the database and the
    file sets back and check every table's row count against the manifest."""
    del actor  # the restored database's own audit trail is the record; nothing to add to it
    manifest = manifest_read(source)
    db = manifest["database"]
    if db.get("vendor") != database.vendor():
        raise ValidationFailed(
            gettext("备份来自 %(theirs)s 数据库，当前是 %(ours)s：请用同类数据库恢复")
            % {"theirs": db.get("vendor"), "ours": database.vendor()},
            code="restore.wrong_vendor",
        )
    newer = database.unknown_migrations(db.get("migrations") or {})
    if newer:
        raise Conflict(
            gettext("备份的数据库含本版本没有的迁移（%(names)s）：请用备份时的版本恢复")
            % {"names": ", ".join(newer[:5])},
            code="restore.newer_release",
            fields={"migrations": newer},
        )
    sets = manifest.get("file_sets") or {}
    targets = _set_targets(sets)
    if not force:
        if not database.database_is_empty():
            raise Conflict(
                gettext("当前数据库不为空：确认要覆盖时加 --force"),
                code="restore.database_not_empty",
            )
        for setting, target in targets.items():
            if has_files(target):
                raise Conflict(
                    gettext("%(setting)s 的目录 %(folder)s 不为空：确认要覆盖时加 --force")
                    % {"setting": setting, "folder": target},
                    code="restore.files_not_empty",
                )
    database.load(source / db["file"])
    restored: dict[str, str] = {}
    for setting, target in targets.items():
        put_back(source / sets[setting]["folder"], target)
        restored[setting] = str(target)
    counts = database.live_row_counts()
    expected: dict[str, int] = db.get("row_counts") or {}
    differ = {
        table: f"{expected[table]} → {counts.get(table)}"
        for table in expected
        if counts.get(table) != expected[table]
    }
    if differ:
        raise Conflict(
            gettext("恢复后 %(n)s 张表的行数与清单不符") % {"n": len(differ)},
            code="restore.counts_differ",
            fields={table: [change] for table, change in sorted(differ.items())},
        )
    return RestoreResult(
        manifest=manifest,
        row_counts=counts,
        restored_sets=restored,
        pending_migrations=_pending(db.get("migrations") or {}),
    )


def _set_targets(sets: dict[str, Any]) -> dict[str, Path]:
    """Where each backed-up set goes on this host: wherever its setting points now."""
    here = {s.setting: s for s in file_sets()}
    targets: dict[str, Path] = {}
    for setting, summary in sets.items():
        if summary.get("skipped"):
            continue
        current = here.get(setting)
        if current is None or current.path is None:
            raise ValidationFailed(
                gettext("备份含 %(setting)s 的文件，但本机没有配置它") % {"setting": setting},
                code="restore.setting_missing",
                fields={"setting": [setting]},
            )
        targets[setting] = current.path
    return targets


def _pending(state: dict[str, list[str]]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    applied = {(app, name) for app, names in state.items() for name in names}
    if not applied:
        # A database built without migration records (the test suite's) has nothing to say.
        return []
    return sorted(
        f"{app}.{name}"
        for app, name in loader.disk_migrations
        if (app, name) not in applied and app in loader.migrated_apps
    )
