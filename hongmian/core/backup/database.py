"""The database half of a backup, for each vendor Hongmian runs on.

PostgreSQL: `pg_dump --format=custom`, run inside a REPEATABLE READ snapshot that this
process exports (`pg_export_snapshot()`), so that the row counts written to the manifest are
those of the dump to the row even while the city keeps writing. The client binaries are
Debian's, of the server's major version (/usr/lib/postgresql/<major>/bin, as .ci/run uses),
or HONGMIAN_PG_BIN. SQLite: the online backup API (`sqlite3.Connection.backup`) from the live
connection, which copies a consistent database while others write; the counts are taken from
the copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext

from hongmian.core.errors import ApplicationError, Conflict

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
# Rows that `migrate` writes into a new database by itself: a database holding only these
# is empty as far as a restore is concerned.
BOOKKEEPING_TABLES = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "django_session",
        "core_auditchainhead",
    }
)


class ToolFailed(ApplicationError):
    """pg_dump or pg_restore is missing or failed; the message carries its own words."""

    status_code = 500
    default_code = "backup.tool_failed"


def vendor() -> str:
    return str(connection.vendor)


def dump_file_name() -> str:
    return POSTGRES_FILE if vendor() == "postgresql" else SQLITE_FILE


# --- reading the live database ------------------------------------------------------------


def row_counts(cursor: Any, tables: Iterable[str]) -> dict[str, int]:
    qn = connection.ops.quote_name
    counts: dict[str, int] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 -- a quoted table name from introspection
        counts[table] = int(cursor.fetchone()[0])
    return counts


def live_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return row_counts(cursor, connection.introspection.table_names(cursor))


def migration_state(cursor: Any, tables: Iterable[str]) -> dict[str, list[str]]:
    """Applied migrations per app, from django_migrations (absent: none recorded)."""
    if "django_migrations" not in set(tables):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(str(app), []).append(str(name))
    return {app: sorted(names) for app, names in sorted(state.items())}


def database_is_empty() -> bool:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in BOOKKEEPING_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")  # noqa: S608 -- as above
            if cursor.fetchone() is not None:
                return False
    return True


def unknown_migrations(state: dict[str, list[str]]) -> list[str]:
    """Migrations the backup's database had that this release does not know: restoring it
    would give code older than its schema."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    known = set(loader.disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in state.items()
        for name in names
        if (app, name) not in known and app in loader.migrated_apps
    ]


# --- dump ---------------------------------------------------------------------------------


def dump(target: Path) -> dict[str, Any]:
    """Write the database to `target`; return its vendor, version, migrations and counts."""
    if vendor() == "postgresql":
        return _postgres_dump(target)
    if vendor() == "sqlite":
        return _sqlite_dump(target)
    raise Conflict(
        gettext("不支持备份 %(vendor)s 数据库") % {"vendor": vendor()}, code="backup.vendor"
    )


def _sqlite_dump(target: Path) -> dict[str, Any]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [str(row[0]) for row in cursor.fetchall()]
        counts = row_counts(cursor, tables)
        state = migration_state(cursor, tables)
    finally:
        copy.close()
    return {
        "vendor": "sqlite",
        "server_version": sqlite3.sqlite_version,
        "file": target.name,
        "migrations": state,
        "row_counts": counts,
    }


def pg_tool(name: str) -> str:
    """The path of pg_dump/pg_restore matching the server's major version."""
    configured = getattr(settings, "HONGMIAN_PG_BIN", "")
    candidates = [Path(configured) / name] if configured else []
    connection.ensure_connection()
    major = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / name)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    found = shutil.which(name)
    if found:
        return found
    raise ToolFailed(
        gettext("找不到 %(tool)s：请安装 postgresql-client-%(major)s 或设置 HONGMIAN_PG_BIN")
        % {"tool": name, "major": major},
        code="backup.tool_missing",
    )


def _pg_command(tool: str, *args: str) -> tuple[list[str], dict[str, str]]:
    conf = connection.settings_dict
    argv = [pg_tool(tool), "--no-password"]
    if conf.get("HOST"):
        argv += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        argv += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        argv += ["--username", str(conf["USER"])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    sslmode = (conf.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return [*argv, *args, "--dbname", str(conf["NAME"])], env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603 -- our own argv, no shell
    if done.returncode != 0:
        raise ToolFailed(
            gettext("%(tool)s 失败（退出码 %(code)s）：%(error)s")
            % {
                "tool": Path(argv[0]).name,
                "code": done.returncode,
                "error": done.stderr.strip()[-2000:],
            }
        )


def _postgres_dump(target: Path) -> dict[str, Any]:
    if connection.in_atomic_block:
        raise Conflict(
            gettext("备份须在事务之外进行（需要自己的快照）"), code="backup.in_transaction"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, version = cursor.fetchone()
        argv, env = _pg_command(
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={target}",
        )
        _run(argv, env)
        # Same snapshot as the dump: the counts are the dump's, whatever was written since.
        tables = connection.introspection.table_names(cursor)
        counts = row_counts(cursor, tables)
        state = migration_state(cursor, tables)
    return {
        "vendor": "postgresql",
        "server_version": str(version),
        "file": target.name,
        "migrations": state,
        "row_counts": counts,
    }


# --- restore ------------------------------------------------------------------------------


def load(source: Path) -> None:
    """Replace the live database's contents with the dump at `source`."""
    if connection.in_atomic_block:
        raise Conflict(gettext("恢复须在事务之外进行"), code="restore.in_transaction")
    if vendor() == "postgresql":
        # pg_restore drops and recreates every table of the dump in one transaction: our own
        # idle connection must not hold a lock it would wait for.
        connection.close()
        argv, env = _pg_command(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        )
        _run([*argv, str(source)], env)
        return
    connection.ensure_connection()
    dump_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        # Page by page into the live database: its schema and rows become the dump's.
        dump_db.backup(connection.connection)
    finally:
        dump_db.close()
