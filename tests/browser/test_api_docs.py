"""/api/docs in real Chromium with every request off this machine refused: Swagger UI comes
from our own static files and draws the whole API from /api/openapi.json."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def test_api_docs_work_without_network(page, live_server):
    outside: list[str] = []

    def refuse_outside(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_outside)

    page.goto("/api/docs")

    # The first visitor of a process waits for the document to be built (seconds on a busy
    # machine; config/api.py keeps it for the next), then Swagger UI draws ~240 kB of it.
    page.locator(".swagger-ui .info .title").filter(has_text="Hongmian API").wait_for(
        timeout=45_000
    )
    # The operations of every app are drawn from the document, the hotline's among them.
    page.locator(".opblock-tag", has_text="hotline").first.wait_for()
    assert page.locator(".opblock").count() > 40
    assert outside == [], f"/api/docs asked for files off this machine: {outside}"
