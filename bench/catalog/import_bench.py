"""Catalogue import speed: rows per second of `hongmian catalog import`'s service, on a
fresh database, for the real 1,135-item file of 广安区 and for 3,200 generated items.

    .venv/bin/python bench/catalog/import_bench.py [--database-url URL] [--keep]

Without --database-url: a temporary SQLite file. With a postgres:// URL the database is
dropped and created (default name hm_bench_catalog), migrated, and dropped at the end
unless --keep; no PostgreSQL reachable: says so, exits 0.

For each file, timed on its own fresh catalogue: the dry run (read, check, plan), the first
commit (every item created, published, versioned and audited), and a second commit of the
same file (every item compared, none changed). The identity demo's org units are loaded
first (the generated items are implemented by them); the real file's 34 departments are
created by --create-units, as the command does. Wall-clock on a shared machine: run it a
few times and read the best.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_PG = "postgres://postgres@127.0.0.1:55432/hm_bench_catalog"


def _admin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def _recreate(url: str) -> bool:
    import psycopg

    admin, name = _admin(url)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}); skipped.")
        return False
    return True


def _drop(url: str) -> None:
    import psycopg

    admin, name = _admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wipe() -> None:
    from hongmian.catalog.models import MainItem, Material, ServiceItem, ServiceItemVersion
    from hongmian.core.models import AuditEvent

    Material.objects.all().delete()
    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    MainItem.objects.all().delete()
    AuditEvent.objects.filter(target_type__startswith="catalog.").delete()


def _time(label: str, rows: int, run: object) -> None:
    start = time.perf_counter()
    report = run()  # type: ignore[operator]
    took = time.perf_counter() - start
    print(
        f"  {label:<14} {took:7.2f} s  {rows / took:8.0f} rows/s  "
        f"(created {len(report.created)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, problems {report.problem_count})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="postgres://… (default: a temporary SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    if url.startswith("postgres") and not _recreate(url):
        return 0
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from hongmian.catalog import demo
    from hongmian.catalog.services.import_rows import ImportColumns
    from hongmian.catalog.services.imports import catalog_import
    from hongmian.core.actors import Actor
    from hongmian.identity import demo as identity_demo

    try:
        call_command("migrate", verbosity=0)
        actor = Actor.cli(None, label="bench")
        identity_demo.seed_org_units(actor=actor, progress=lambda *a: None)
        demo.seed_certificate_types()
        print(f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")

        real = Path(settings.HONGMIAN_SHARED_DATA) / "catalog" / "guangan_service_items_1135.csv"
        if real.is_file():
            columns = ImportColumns(
                code="item_code",
                name="name",
                department="department",
                item_type="task_type",
                main_item="main_item",
            )

            def run_real(commit: bool) -> object:
                return catalog_import(
                    actor=actor, source=real, columns=columns, create_units=True, commit=commit
                )

            print(f"{real.name} (1,135 rows, 34 departments created):")
            _time("dry run", 1135, lambda: run_real(False))
            _time("first import", 1135, lambda: run_real(True))
            _time("re-import", 1135, lambda: run_real(True))
            _wipe()
        else:
            print(f"{real} absent: the real file is skipped")

        data = demo.rows_csv(demo.generate_rows(3200))
        generated = ImportColumns(code="code", name="name", department="department")

        def run_generated(commit: bool) -> object:
            return catalog_import(
                actor=actor, source=data, name="generated.csv", columns=generated, commit=commit
            )

        print("generated (3,200 rows with conditions and ~4 materials each):")
        _time("dry run", 3200, lambda: run_generated(False))
        _time("first import", 3200, lambda: run_generated(True))
        _time("re-import", 3200, lambda: run_generated(True))
    finally:
        from django.db import connections

        connections.close_all()
        if url.startswith("postgres") and not args.keep:
            _drop(url)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
