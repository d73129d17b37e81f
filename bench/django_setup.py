"""The benchmarks' database: the URL given, or a temporary SQLite file; Django set up on it
and migrated. The returned directory holds the temporary file: keep it for the run."""

from __future__ import annotations

import os
import tempfile


def django_database(url: str | None) -> tuple[str, tempfile.TemporaryDirectory[str]]:
    tmp = tempfile.TemporaryDirectory()
    url = url or f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url, tmp
