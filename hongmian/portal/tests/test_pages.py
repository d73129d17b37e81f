"""Error pages, health check, API docs, session timeout, translations and vendor assets."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hongmian.identity.states import Role
from hongmian.portal.tests.conftest import PASSWORD
from hongmian.portal.vendor_assets import (
    DEV_ONLY,
    VENDOR_FILES,
    VendorAssetsError,
    copy_vendor_assets,
)

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
LOGIN = reverse("portal:login")
LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


# ---- error pages ------------------------------------------------------------------------


def test_404_uses_our_page(client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'class="skip-link"' in html


@pytest.mark.urls("hongmian.portal.tests.urls_errors")
def test_403_uses_our_page(client, citizen) -> None:
    client.force_login(citizen)

    response = client.get("/test-errors/403")

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert "无权访问" in response.content.decode()


@pytest.mark.urls("hongmian.portal.tests.urls_errors")
def test_500_uses_our_page_without_a_request_context(db) -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/test-errors/500")

    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html
    assert "12345" in html


def test_csrf_failure_uses_our_page(citizen) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})

    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


# ---- health and API docs ----------------------------------------------------------------


def test_healthz_is_json(client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"


def test_api_docs_render(client) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


# ---- session timeout --------------------------------------------------------------------


def test_session_is_an_idle_timeout() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # the default of HONGMIAN_SESSION_TIMEOUT_MINUTES


def test_each_request_renews_the_session_cookie(client, citizen) -> None:
    client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})

    response = client.get(HOME)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]


def test_an_idle_session_expires_and_sends_the_user_to_login(client, citizen) -> None:
    client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
    assert client.get(HOME).status_code == 200

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    # The server-side expiry is SESSION_COOKIE_AGE after the last request…
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(session.expire_date - expected) < timedelta(seconds=30)
    # …so a session left idle that long is over.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# ---- translations -----------------------------------------------------------------------


def test_english_shell_pages_are_english(client, make_user) -> None:
    client.force_login(make_user(Role.DEPT_HANDLER, language="en"))

    html = client.get(HOME).content.decode()

    assert '<html lang="en">' in html
    for text in (
        "Hongmian",
        "Skip to main content",
        "Log out",
        "Elder mode",
        "Case handler",
        "Work order inbox",
        "Work order search",
        "Organisation unit",
    ):
        assert text in html, text
    # The switch offers Chinese, labelled in Chinese.
    assert "简体中文" in html


def test_login_and_error_pages_in_english(client, db) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert "Username" in client.get(LOGIN).content.decode()
    assert "Page not found" in client.get("/no-such-page/").content.decode()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_committed_mo_matches_the_po(tmp_path) -> None:
    """The .mo is committed (decision 0006); it must say what the .po says."""
    fresh = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 — fixed arguments, no shell
        ["msgfmt", "--check-format", "-o", str(fresh), str(LOCALE_DIR / "django.po")],  # noqa: S607
        check=True,
    )
    with (LOCALE_DIR / "django.mo").open("rb") as committed, fresh.open("rb") as built:
        assert gettext.GNUTranslations(committed)._catalog == (  # type: ignore[attr-defined]
            gettext.GNUTranslations(built)._catalog  # type: ignore[attr-defined]
        ), "locale/en/LC_MESSAGES/django.mo is stale: run `hongmian compilemessages -l en`"


# ---- vendor assets ----------------------------------------------------------------------


def test_vendor_assets_copies_the_dist_files(tmp_path) -> None:
    node_modules = tmp_path / "node_modules"
    for package, relative in VENDOR_FILES.values():
        source = node_modules / package / relative
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"/* {package} */")
    (node_modules / "htmx.org" / "dist" / "htmx.js").write_text("not copied")

    copied = copy_vendor_assets(node_modules, tmp_path / "vendor")

    assert sorted(p.name for p in copied) == [
        "axe.min.js",
        "echarts.min.js",
        "htmx.min.js",
        "tom-select.min.css",
        "tom-select.min.js",
    ]
    assert sorted(p.name for p in (tmp_path / "vendor").iterdir()) == sorted(VENDOR_FILES)


def test_vendor_assets_says_what_to_run_when_node_modules_is_missing(tmp_path) -> None:
    with pytest.raises(VendorAssetsError, match="npm ci"):
        copy_vendor_assets(tmp_path / "node_modules", tmp_path / "vendor")


def test_vendor_assets_leaves_out_dev_only_files_when_not_installed(tmp_path) -> None:
    node_modules = tmp_path / "node_modules"
    for name, (package, relative) in VENDOR_FILES.items():
        if name not in DEV_ONLY:
            source = node_modules / package / relative
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text("x")

    copied = copy_vendor_assets(node_modules, tmp_path / "vendor")

    assert sorted(p.name for p in copied) == [
        "echarts.min.js",
        "htmx.min.js",
        "tom-select.min.css",
        "tom-select.min.js",
    ]


def test_vendor_assets_checks_everything_before_copying(tmp_path) -> None:
    node_modules = tmp_path / "node_modules"
    (node_modules / "htmx.org" / "dist").mkdir(parents=True)
    (node_modules / "htmx.org" / "dist" / "htmx.min.js").write_text("x")

    with pytest.raises(VendorAssetsError, match=re.escape("echarts/dist/echarts.min.js")):
        copy_vendor_assets(node_modules, tmp_path / "vendor")
    assert not (tmp_path / "vendor").exists()


def test_pages_load_vendor_assets_locally(client) -> None:
    html = client.get(LOGIN).content.decode()

    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    for cdn in ("//cdn", "unpkg", "jsdelivr"):
        assert cdn not in html
