"""The folders of files that belong to the database and go into every backup with it.

Each set is named by the setting that configures it: the restore puts it back wherever that
setting points on the restoring host (which may differ from the host that made the backup).
Signing keys (the certificates' keyring, the city code's keys) are any setting named
`HONGMIAN_…KEY_DIR`, `…KEYS_DIR` or `…KEYRING_DIR`: an app that keeps keys on disk is backed up
by naming its setting so; where none is configured, there is nothing to skip.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from hongmian.core.backup.manifest import file_entry, walk_files

_KEY_SETTING = re.compile(r"^HONGMIAN_[A-Z0-9_]*_(KEY|KEYS|KEYRING)_DIR$")
_FILESYSTEM = "django.core.files.storage.FileSystemStorage"
# The analytics and data hub stores' lock files and a crashed writer's temporaries are not data.
_ANALYTICS_SKIP = re.compile(r"(^|/)(\.lock|\.tmp-[^/]*)$")


@dataclass(frozen=True, slots=True)
class FileSet:
    # Folder under files/ in the backup, e.g. "media", "keys/hongmian_certificate_key_dir".
    name: str
    setting: str
    path: Path | None
    # Why this set is not in the backup ("" when it is).
    skipped: str = ""

    def files(self) -> Iterator[Path]:
        if self.path is None or not self.path.is_dir():
            return
        for path in walk_files(self.path):
            rel = path.relative_to(self.path).as_posix()
            if self.name in ("analytics", "datahub") and _ANALYTICS_SKIP.search(rel):
                continue
            yield path


def file_sets() -> list[FileSet]:
    sets = [FileSet("media", "MEDIA_ROOT", Path(settings.MEDIA_ROOT))]
    attachments: dict[str, Any] = settings.STORAGES.get("attachments", {})
    if attachments.get("BACKEND", _FILESYSTEM) == _FILESYSTEM:
        location = (attachments.get("OPTIONS") or {}).get("location") or settings.MEDIA_ROOT
        sets.append(FileSet("attachments", 'STORAGES["attachments"]', Path(location)))
    else:
        sets.append(
            FileSet(
                "attachments",
                'STORAGES["attachments"]',
                None,
                skipped="对象存储：请用存储自身的版本/复制功能备份",
            )
        )
    sets.append(
        FileSet("analytics", "HONGMIAN_ANALYTICS_STORE", Path(settings.HONGMIAN_ANALYTICS_STORE))
    )
    # The data hub's loaded datasets and rejects files (issue 15): every file in it is
    # published by an atomic rename, so a copy holds whole files, each a dataset's last load.
    sets.append(FileSet("datahub", "HONGMIAN_DATAHUB_STORE", Path(settings.HONGMIAN_DATAHUB_STORE)))
    for name in sorted(n for n in dir(settings) if _KEY_SETTING.match(n)):
        value = getattr(settings, name)
        sets.append(
            FileSet(
                f"keys/{name.lower()}",
                name,
                Path(value) if value else None,
                skipped="" if value else "未配置",
            )
        )
    return sets


def file_set_by_setting(setting: str) -> FileSet | None:
    return next((s for s in file_sets() if s.setting == setting), None)


@contextlib.contextmanager
def held(fileset: FileSet) -> Iterator[None]:
    """Keep writers out while a set is copied: the analytics export holds the store's lock
    while it writes, so a copy taken under the same lock is one consistent store."""
    if fileset.name == "analytics" and fileset.path is not None and fileset.path.is_dir():
        from hongmian.analytics.store import locked

        with locked(fileset.path):
            yield
        return
    yield


def copy_out(fileset: FileSet, into: Path, root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Copy the set's files to `into`; return (its manifest summary, {relative path: entry})
    with paths relative to the backup folder `root`."""
    entries: dict[str, Any] = {}
    total = 0
    if fileset.path is not None:
        with held(fileset):
            for path in fileset.files():
                target = into / path.relative_to(fileset.path)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                entry = file_entry(target)
                entries[target.relative_to(root).as_posix()] = entry
                total += entry["bytes"]
    summary: dict[str, Any] = {
        "setting": fileset.setting,
        "source": str(fileset.path) if fileset.path is not None else None,
        "files": len(entries),
        "bytes": total,
    }
    if fileset.skipped:
        summary["skipped"] = fileset.skipped
    elif fileset.path is None or not fileset.path.is_dir():
        summary["skipped"] = "目录不存在"
    return summary, entries


def has_files(path: Path) -> bool:
    return path.is_dir() and next(walk_files(path), None) is not None


def put_back(source: Path, target: Path) -> None:
    """Make `target` hold exactly what `source` holds: copy beside it, then swap by renames
    so that a crash leaves the old folder or the new one in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(f".restore-{uuid.uuid4().hex}-{target.name}")
    if source.is_dir():
        shutil.copytree(source, fresh, copy_function=shutil.copy2)
    else:
        fresh.mkdir()
    old = target.with_name(f".replaced-{uuid.uuid4().hex}-{target.name}")
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
