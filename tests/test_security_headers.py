"""Every page and API answer carries the security headers (issue 16, item 3; decision 0057):
each GET route of the URL conf, through the permission matrix, asked by a role it admits —
whatever it answers (200, a redirect, 403, 404) — has the Content-Security-Policy, the
Permissions-Policy, nosniff, the Referrer-Policy, and `Cache-Control: no-store` unless it is
one of the public documents. A new page is checked without a line here."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hongmian.core.headers import PERMISSIONS_POLICY
from hongmian.identity.states import PUBLIC_ROLES, Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory
from tests import permission_matrix as pm

# The same for everyone and free of personal data: shared caches may keep them.
PUBLIC_DOCUMENTS = {
    "/open311/v2/discovery.<fmt>",
    "/open311/v2/services.<fmt>",
    "/open311/v2/services/<service_code>.<fmt>",
    # The certificates' key set and revocation list: verifiers cache them (decision 0052).
    "/api/certificates/keys.json",
    "/api/certificates/revoked.json",
    # The city code's key set: offline verifiers cache it (decision 0062).
    "/api/citycode/keys.json",
    # The partner cities' key set (decision 0070) and the DCAT catalogue (decision 0076).
    "/api/crosscity/keys.json",
    "/api/datahub/dcat.ttl",
    "/api/datahub/dcat.jsonld",
}
PARAMS = {
    "fmt": "json",
    "app_label": "hotline",
    "number": "GZ-20260101-000001",
    "url": "x",
    "path": "x",
    "slug": "x",
}
PREFERENCE = (Role.HOTLINE_SUPERVISOR, Role.HOTLINE_AGENT, Role.DEPT_MANAGER, *pm.ROLES)


def _cases() -> list[Any]:
    cases = []
    for key, row in pm.MATRIX.items():
        method, route = pm.split_key(key)
        if method == "GET":
            principal = next((r for r in PREFERENCE if r in row.rule.roles), pm.ANONYMOUS)
            cases.append(pytest.param(route, principal, row, id=key))
    return cases


def assert_security_headers(response: Any, *, public: bool = False) -> None:
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if public:
        assert "public" in response["Cache-Control"]
    else:
        assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "principal", "row"), _cases())
def test_every_page_carries_the_security_headers(route: str, principal: str, row: pm.Row) -> None:
    client = Client(raise_request_exception=False)
    if principal != pm.ANONYMOUS:
        unit = None if principal in PUBLIC_ROLES else OrgUnitFactory()
        client.force_login(UserFactory(role=principal, org_unit=unit))
    url = pm.fill(route, {name: PARAMS.get(name, "1") for name in _names(route)})

    response = client.get(url, row.query)

    public = route in PUBLIC_DOCUMENTS and response.status_code == 200
    assert_security_headers(response, public=public)


def _names(route: str) -> list[str]:
    return [part.split(">")[0] for part in route.split("<")[1:]]


@pytest.mark.django_db
def test_an_api_call_with_a_key_takes_the_fast_path_and_still_carries_them() -> None:
    # Bearer-key calls skip most middleware (core.middleware, decision 0011), not these.
    from hongmian.hotline.tests.http import api_key_for

    key = api_key_for(UserFactory(role=Role.HOTLINE_AGENT, org_unit=OrgUnitFactory()))
    response = Client().get("/api/hotline/work-orders", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_error_answers_carry_them_too() -> None:
    client = Client(raise_request_exception=False)
    assert_security_headers(client.get("/no-such-page/"))
    assert_security_headers(client.post("/healthz"))


def test_a_view_s_weaker_cache_directive_is_replaced() -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from hongmian.core.headers import SecurityHeadersMiddleware

    def view(request: Any) -> HttpResponse:
        response = HttpResponse("personal")
        response["Cache-Control"] = "private, max-age=600"
        response["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))

    assert response["Cache-Control"] == "no-store"
    assert "Expires" not in response


def test_a_public_answer_keeps_its_caching() -> None:
    # As WhiteNoise answers for a static file, and `public_cache` for a public document.
    from django.http import HttpResponse
    from django.test import RequestFactory

    from hongmian.core.headers import SecurityHeadersMiddleware, public_cache

    @public_cache(max_age=300)
    def view(request: Any) -> HttpResponse:
        return HttpResponse("the service list")

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))

    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_check_deploy_is_clean_with_production_settings(tmp_path: Any) -> None:
    # Settings are read once per process: a process of its own, with the environment a
    # production host sets (.env.example, docs/deployment.md). About 2 s: one Django start-up.
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    env = {
        **os.environ,
        "HONGMIAN_PRODUCTION": "true",
        "HONGMIAN_SECRET_KEY": "x7" * 30 + "-production-like-secret-key",
        "HONGMIAN_ALLOWED_HOSTS": "hongmian.gz.gov.cn",
        "HONGMIAN_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # The browser tests' conftest sets it for Playwright's event loop, in this same worker
    # when they ran first; no production host has it (async.E001).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = Path(sys.executable).with_name("hongmian")
    result = subprocess.run(  # noqa: S603 — our own command, fixed argv
        [str(manage), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
