"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from hongmian.core.actors import Actor


@pytest.fixture(autouse=True)
def _fresh_calendar_overrides():
    # Overrides are cached per process behind a version counter in the database; a test's
    # rolled-back transaction can put the counter back, so no copy may outlive its test.
    from hongmian.core import calendar

    calendar.overrides_cache_clear()
    yield
    calendar.overrides_cache_clear()


@pytest.fixture(autouse=True)
def _fresh_versioned_caches() -> Iterator[None]:
    # The same for core.versioned_cache's copies (an item's form and rules, decision 0087).
    from hongmian.core.versioned_cache import versioned_caches_clear

    versioned_caches_clear()
    yield
    versioned_caches_clear()


@pytest.fixture(autouse=True)
def _fresh_api_key_cache():
    # Rows are cached per process for a few seconds; a test's rollback must not leave one.
    from hongmian.identity.api_key_cache import api_key_cache_forget

    api_key_cache_forget()
    yield
    api_key_cache_forget()


@pytest.fixture(autouse=True)
def _api_key_cache_outlives_the_test(settings):
    # A cached key row lives 5 s by default: on a loaded machine a test's own steps can take
    # longer, and a query-count test then counts one more query for the key's re-read. The
    # tests of the cache's expiry set their own lifetime.
    settings.HONGMIAN_API_KEY_CACHE_SECONDS = 3600


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The per-process cache holds what outlives a test's rollback (the auditor's search
    # suggestions, the insights board's scan marker). Rate limits are not in it: they count
    # in the database (core.ratelimit) and roll back with the test.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real PBKDF2 costs ~0.5 s per hash; tests check behaviour, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def shared_data() -> Path:
    """The real evaluation data (../shared/data). Absent in a user's fresh clone: skip."""
    path = Path(settings.HONGMIAN_SHARED_DATA)
    if not path.is_dir():
        pytest.skip(f"real data folder {path} is absent (set HONGMIAN_SHARED_DATA to use it)")
    return path


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")


@pytest.fixture(autouse=True, scope="session")
def _attachments_in_tmp(tmp_path_factory):
    # Files attached during the run go to a folder of the run, never to var/attachments;
    # for the whole session, so that a world built once per module (the permission matrix)
    # finds its files in every test. Tests compare what they wrote, not the folder's total.
    from django.test import override_settings

    location = tmp_path_factory.mktemp("attachments")
    attachments = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location), "base_url": None},
    }
    override = override_settings(STORAGES={**settings.STORAGES, "attachments": attachments})
    override.enable()
    yield location
    override.disable()


def _touches_the_database(item: pytest.Item) -> bool:
    # pytest-django refuses database access to a test that neither carries the django_db
    # mark nor asks for the test database (a module world asks for django_db_setup).
    return item.get_closest_marker("django_db") is not None or "django_db_setup" in getattr(
        item, "fixturenames", ()
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # CI's second pass (PostgreSQL) runs only what can differ between the databases: a test
    # that cannot reach the database ran to the same result in the first pass (decision 0078).
    # And its browser tests are the SQLite pass's: a page's server side (views, selectors,
    # services) is tested on both databases by the view and service tests; the browser adds
    # the DOM, scripts, CSP and axe, which no database changes.
    skip_browser = os.environ.get("HONGMIAN_TEST_NO_BROWSER") == "1"
    database_only = os.environ.get("HONGMIAN_TEST_DATABASE_ONLY") == "1"
    if database_only or skip_browser:

        def kept_here(item: pytest.Item) -> bool:
            if database_only and not _touches_the_database(item):
                return False
            return not (skip_browser and item.get_closest_marker("browser") is not None)

        deselected = [item for item in items if not kept_here(item)]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if kept_here(item)]

    # `make test` hands whole files to its workers in collection order, and pytest-django has
    # just put the transactional tests (the browser's) last: the longest files would then
    # start at the end, with one worker running them alone. They go first instead; the
    # order within each group is kept.
    def group(item: pytest.Item) -> int:
        if item.nodeid.startswith("tests/test_permission_matrix.py"):
            return 0
        return 1 if item.nodeid.startswith("tests/browser/") else 2

    items.sort(key=group)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The slowest test files, summed over setup, call and teardown: with `--dist loadfile`
    a file runs on one worker, so one long file sets the suite's end (CI has a 20-minute
    budget for both databases)."""
    per_file: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            duration = getattr(report, "duration", None)
            if nodeid and isinstance(duration, float):
                path = nodeid.split("::", 1)[0]
                per_file[path] = per_file.get(path, 0.0) + duration
    if not per_file:
        return
    terminalreporter.section("slowest test files")
    for path, seconds in sorted(per_file.items(), key=lambda kv: -kv[1])[:12]:
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
