"""The backup's manifest: what the folder holds and how to tell that nothing changed.

`manifest.json` is written last, so a folder without one is an interrupted backup. A restore
reads it first and refuses a folder whose files differ from it in any way (missing, changed,
or not listed): restoring half a backup would be worse than restoring none.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed

MANIFEST = "manifest.json"
FORMAT = "hongmian.backup"
VERSION = 1
_CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def walk_files(root: Path) -> Iterator[Path]:
    """Every regular file under `root`, in a stable order (symlinks are not followed)."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def file_entry(path: Path) -> dict[str, Any]:
    return {"sha256": sha256_of(path), "bytes": path.stat().st_size}


def manifest_write(folder: Path, manifest: dict[str, Any]) -> None:
    # Written under a temporary name and renamed: a crash leaves no manifest, never half one.
    tmp = folder / f".{MANIFEST}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / MANIFEST)


def manifest_read(folder: Path) -> dict[str, Any]:
    """The folder's manifest, after checking every file against it."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ValidationFailed(
            gettext("%(folder)s 中没有 manifest.json：不是备份目录，或备份未完成")
            % {"folder": folder},
            code="backup.manifest_missing",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(
            gettext("manifest.json 无法读取：%(error)s") % {"error": exc},
            code="backup.manifest_invalid",
        ) from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
        or not isinstance(manifest.get("database"), dict)
    ):
        raise ValidationFailed(
            gettext("manifest.json 不是红棉备份清单"), code="backup.manifest_invalid"
        )
    if manifest.get("version") != VERSION:
        raise ValidationFailed(
            gettext("备份格式版本 %(version)s 不受支持（本版本读取 %(ours)s）")
            % {"version": manifest.get("version"), "ours": VERSION},
            code="backup.version",
        )
    _check_files(folder, manifest["files"])
    return manifest


def _check_files(folder: Path, listed: dict[str, Any]) -> None:
    present = {p.relative_to(folder).as_posix() for p in walk_files(folder) if p.name != MANIFEST}
    for rel in sorted(set(listed) - present):
        raise ValidationFailed(
            gettext("备份缺少文件 %(file)s") % {"file": rel},
            code="backup.file_missing",
            fields={"file": [rel]},
        )
    for rel in sorted(present - set(listed)):
        raise ValidationFailed(
            gettext("备份中有清单未列出的文件 %(file)s") % {"file": rel},
            code="backup.file_unlisted",
            fields={"file": [rel]},
        )
    for rel in sorted(listed):
        path = folder / rel
        expected = listed[rel]
        if path.stat().st_size != expected.get("bytes") or sha256_of(path) != expected.get(
            "sha256"
        ):
            raise ValidationFailed(
                gettext("备份文件 %(file)s 与清单的 SHA-256 不符（已损坏或被改动）")
                % {"file": rel},
                code="backup.file_changed",
                fields={"file": [rel]},
            )
