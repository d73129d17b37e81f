"""Real Chromium, driven by Playwright's sync API, against pytest-django's live server.

One browser for the whole session and a fresh context (cookies, storage) per test keep the
suite quick and the tests independent. Playwright never downloads a browser here: it uses
the Chromium at $HONGMIAN_CHROMIUM, else Debian's /usr/bin/chromium. Without one the
browser tests are skipped — unless HONGMIAN_REQUIRE_BROWSER=1 (CI sets it), when a missing
browser is a failure, so that CI cannot go green by skipping them.
"""

from __future__ import annotations

import contextlib
import os
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse
# the ORM calls that the tests make to set up users ("You cannot call this from an async
# context"). The calls are still synchronous: nothing runs concurrently with them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PASSWORD = "Hongmian-2025-browser"
# Files the pages load from static/vendor; `make assets` puts them there.
VENDOR_DIR = Path(settings.BASE_DIR) / "hongmian" / "portal" / "static" / "vendor"
REQUIRED_VENDOR_FILES = ("htmx.min.js", "axe.min.js", "tom-select.min.js")


def chromium_path() -> str:
    return os.environ.get("HONGMIAN_CHROMIUM") or "/usr/bin/chromium"


def _unavailable(reason: str) -> None:
    if os.environ.get("HONGMIAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (HONGMIAN_REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if not (Path(executable).is_file() and os.access(executable, os.X_OK)):
        _unavailable(
            f"no Chromium at {executable}: install Debian's `chromium` or set HONGMIAN_CHROMIUM"
        )
    missing = [name for name in REQUIRED_VENDOR_FILES if not (VENDOR_DIR / name).is_file()]
    if missing:
        # Not a skip: the pages would load without htmx and the tests would mislead.
        pytest.fail(
            f"{', '.join(missing)} missing from {VENDOR_DIR}: run `make assets`", pytrace=False
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # The live server runs in this process, so the override reaches it too.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _short_event_streams(settings) -> None:
    # A screen-pop stream lives 25 s before the browser reconnects; in tests it lives 1 s, so
    # that the server stops reading the database soon after a page closes (the next test
    # flushes it). The browser reconnects with Last-Event-ID, so no pop is missed.
    settings.HONGMIAN_TELEPHONY_STREAM_SECONDS = 1.0
    settings.HONGMIAN_QUEUE_STREAM_SECONDS = 1.0  # a hall's screen, console and live view


_warmed: set[str] = set()


def _warm_up(url: str) -> None:
    """The server's first request imports the whole URL conf (analytics, insights, …): 8–11 s
    on a busy two-core machine, past a page's 10 s timeout. One plain request per server,
    before the first page, takes that cost where no test is timing it."""
    if url in _warmed:
        return
    with contextlib.suppress(OSError):
        urllib.request.urlopen(f"{url}/login/", timeout=120).read()  # noqa: S310 (the live server)
    _warmed.add(url)


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    _warm_up(live_server.url)
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # Requests still running on the live server when the test ends would write (session,
    # audit) while the database is flushed for the next test: SQLite answers "table is
    # locked". A response the browser has received is a request the server has finished.
    # An event stream (the console's screen pops) never finishes while the page is open: it
    # is not waited for; instead, once the page is closed, the test waits out the stream's
    # short test lifetime (`_short_event_streams`), after which the server's generator ends.
    pending: set[object] = set()
    streams: list[object] = []

    def started(request: Any) -> None:
        (streams.append if request.resource_type == "eventsource" else pending.add)(request)

    context.on("request", started)
    context.on("requestfinished", lambda request: pending.discard(request))
    context.on("requestfailed", lambda request: pending.discard(request))
    yield tab
    for _ in range(50):
        if not pending or tab.is_closed():
            break
        tab.wait_for_timeout(100)
    context.close()
    if streams:
        time.sleep(settings.HONGMIAN_TELEPHONY_STREAM_SECONDS + 0.3)
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def make_user(transactional_db) -> Callable[..., object]:
    """A user of `role` (staff get a unit); the live server sees it because the
    transactional_db fixture commits."""
    from hongmian.identity.models import OrgUnit, User
    from hongmian.identity.states import STAFF_ROLES, Role, UnitKind

    units: dict[str, OrgUnit] = {}

    def unit() -> OrgUnit:
        if not units:
            city = OrgUnit.objects.create(
                code="GZ", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT, path="/gz/"
            )
            units["district"] = OrgUnit.objects.create(
                code="GZ-YX",
                name="越秀区人民政府",
                kind=UnitKind.DISTRICT_GOVERNMENT,
                parent=city,
                path="/gz/yx/",
                depth=1,
            )
        return units["district"]

    def make(role: Role = Role.CITIZEN, **fields: object) -> User:
        fields.setdefault("username", f"{role.value}-b")
        if role in STAFF_ROLES:
            fields.setdefault("org_unit", unit())
        return User.objects.create_user(password=PASSWORD, role=role, **fields)

    return make


@pytest.fixture
def log_in(page) -> Callable[..., None]:
    """Log in through the real form, as a person would. `switching=True` logs the current
    person out first (the login page sends a logged-in visitor on)."""

    def do(username: str, *, switching: bool = False) -> None:
        if switching:
            # Leave the page before clearing the cookies: the session is saved on every
            # request, so a request still in flight (a list's counts) would set the old
            # session's cookie again after the clear.
            page.goto("about:blank")
            page.context.clear_cookies()
        page.goto("/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        # Not "**/": that matches /login/ itself, and the next goto would race the
        # form's own navigation (the login lost, or an earlier session kept).
        page.wait_for_url(lambda url: "/login/" not in url)
        page.wait_for_load_state()

    return do
